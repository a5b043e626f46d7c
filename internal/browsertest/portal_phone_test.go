package browsertest

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// phoneWidth and phoneHeight are a small phone's viewport in CSS pixels.
const phoneWidth, phoneHeight = 375, 740

// pageProblemsJS lists what is wrong with the page at hand for a phone
// and for a screen reader: a horizontal scroll, a wrong or missing
// <html lang>, a form control without a label, an image without alt, a
// button or link without a name, and not exactly one h1. %s is the
// language the page should declare.
const pageProblemsJS = `(() => {
	const p = [], want = %q;
	const root = document.documentElement;
	if (window.innerWidth > 400) p.push("not at a phone's width: " + window.innerWidth);
	if (root.getAttribute("lang") !== want) p.push("<html lang=" + root.getAttribute("lang") + ">, want " + want);
	if (root.scrollWidth > window.innerWidth) {
		let widest = "";
		for (const el of document.body.querySelectorAll("*")) {
			const r = el.getBoundingClientRect();
			if (r.right > window.innerWidth + 1 && el.offsetParent !== null) { widest = el.tagName + (el.id ? "#" + el.id : "") + (el.className ? "." + el.className : ""); }
		}
		p.push("scrolls sideways: " + root.scrollWidth + " > " + window.innerWidth + " (" + widest + ")");
	}
	const named = el => (el.getAttribute("aria-label") || "").trim() || (el.getAttribute("title") || "").trim() ||
		(el.getAttribute("aria-labelledby") || "").split(" ").map(id => document.getElementById(id)?.textContent || "").join("").trim();
	for (const el of document.querySelectorAll("input, select, textarea")) {
		if (el.type === "hidden") continue;
		const label = (el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]')) || el.closest("label");
		if (!label && !named(el)) p.push("a " + el.tagName.toLowerCase() + " without a label: " + (el.name || el.id));
	}
	for (const img of document.querySelectorAll("img")) if (!img.hasAttribute("alt")) p.push("an image without alt: " + img.getAttribute("src"));
	for (const el of document.querySelectorAll("button, a[href], input[type=submit]")) {
		const text = (el.textContent || el.value || "").trim() || [...el.querySelectorAll("img[alt]")].map(i => i.alt).join("").trim();
		if (!text && !named(el)) p.push("a " + el.tagName.toLowerCase() + " without a name: " + (el.id || el.getAttribute("href") || el.outerHTML.slice(0, 80)));
	}
	const h1 = document.querySelectorAll("h1").length;
	if (h1 !== 1) p.push(h1 + " h1 elements");
	return p;
})()`

// TestThePortalFitsAPhoneAndCanBeReadAloud opens every page of the
// candidate portal — check-in, the privacy statement, log-in, the link's
// page, the candidate's own data with the requests form, the version of
// the statement they accepted — at a phone's
// width, in Dutch and in English, and checks each: nothing scrolls
// sideways, <html lang> is the page's language, every form control has a
// label, every image an alt text, every button and link a name, and
// there is one h1.
func TestThePortalFitsAPhoneAndCanBeReadAloud(t *testing.T) {
	b := start(t)
	ctx := context.Background()
	po := b.k.Actor(kluis.RolePrivacy)
	if err := b.k.DB.PublishPrivacyStatement(ctx, po, &kluis.PrivacyStatement{TextNL: kluis.DefaultStatement("nl"), TextEN: kluis.DefaultStatement("en")}); err != nil {
		t.Fatal(err)
	}
	slug := b.k.Demo.Tenant.Slug
	const email = "pieter.telefoon@example.nl"
	check := func(path, lang string) {
		t.Helper()
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		url := path
		if lang == "en" {
			url += sep + "lang=en"
		}
		b.do("open "+url, chromedp.Navigate(b.url(url)), chromedp.WaitVisible("main h1"))
		for _, p := range run(b, "check "+url, chromedp.Evaluate[[]string](strings.Replace(pageProblemsJS, "%q", `"`+lang+`"`, 1))) {
			t.Errorf("%s: %s", url, p)
		}
	}
	b.do("a phone's screen", chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile))

	for _, lang := range []string{"nl", "en"} {
		check("/portaal/aanmelden/"+slug, lang)
		check("/privacy/"+slug, lang)
		check("/portaal/inloggen/"+slug, lang)
	}

	b.do("check in on the phone",
		chromedp.Navigate(b.url("/portaal/aanmelden/"+slug)),
		chromedp.SendKeys(`#f-first_name`, "Pieter"),
		chromedp.SendKeys(`#f-last_name`, "Telefoon"),
		chromedp.SendKeys(`#f-email`, email),
		chromedp.Click(chromedp.ID("f-accept")),
		chromedp.Click(chromedp.ID("checkin-submit")),
		WaitText(`#portal-message`, "e-mail gestuurd"),
	)
	check("/portaal/aanmelden/"+slug, "nl") // the page after a check-in
	msgs, _, err := b.k.DB.OutboxMessages(ctx, po, 0, kluis.Page{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	link := ""
	for _, m := range msgs {
		if m.To == email {
			if i := strings.Index(m.Text, store.PortalLinkPath); i >= 0 {
				link = strings.Fields(m.Text[i:])[0]
			}
		}
	}
	if link == "" {
		t.Fatalf("no confirmation link in the outbox for %s", email)
	}
	for _, lang := range []string{"nl", "en"} {
		check(link, lang)
	}
	b.do("follow the link", chromedp.Navigate(b.url(link)), chromedp.WaitVisible(chromedp.ID("link-submit")),
		chromedp.Click(chromedp.ID("link-submit")), chromedp.WaitVisible("#persoonsgegevens"))
	for _, lang := range []string{"nl", "en"} {
		check("/portaal/gegevens", lang)
		check("/portaal/verklaring/1", lang)
	}
}
