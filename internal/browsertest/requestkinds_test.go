package browsertest

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// TestEachKindOfRequestIsWalkedThroughTheUI: the privacy officer handles
// a request of each kind end to end in Chromium, through the pages and
// their forms, as issue 7 asks — access (the answer in one step, its
// letters kept), rectification (a correction, a supplementary statement,
// the recipient and the candidate told), objection (restricted on ground
// (d), rejected, informed, lifted), portability (the export, without the
// BSN) and erasure (the recipient told first, the erasure, its letter).
// The restriction request has its own walk (restrictions_test.go). Each
// kind runs on a kluis and a browser of its own.
func TestEachKindOfRequestIsWalkedThroughTheUI(t *testing.T) {
	t.Run("access", walkAccess)
	t.Run("rectification", walkRectification)
	t.Run("objection", walkObjection)
	t.Run("portability", walkPortability)
	t.Run("erasure", walkErasure)
}

// walkAccess: registered from the candidate's AVG tab, verified, answered
// in one step (the ZIP that Chromium downloads holds the cover letter and
// the record card), the letters kept on the request's page, closed; the
// AVG tab lists it as done.
func walkAccess(t *testing.T) {
	b := start(t)
	c := requestCandidate(b)
	cand := idString(c.ID)
	b.logInWithCode(kluis.RolePrivacy)
	b.do("register an access request from the candidate's AVG tab",
		chromedp.Navigate(b.url("/candidates/"+cand+"/privacy")),
		chromedp.Click(chromedp.ID("privacy-request-new")),
		WaitText(`main h1`, "Verzoek registreren"),
		chromedp.SetValue(chromedp.ID("f-kind"), "access"),
		chromedp.SetValue(chromedp.ID("f-channel"), "letter"),
		chromedp.SendKeys(chromedp.ID("f-description"), "Wil een kopie van alle gegevens"),
		chromedp.Click(chromedp.ID("request-save")),
		WaitText(`p.flash`, "Het verzoek is geregistreerd."),
		WaitText(`main h1`, "Inzage (art. 15)"),
		WaitText(`#request-status`, "Ontvangen"),
		WaitText(`#h-handle + p`, "Controleer eerst de identiteit"),
	)
	id := b.requestID()
	b.verifyRequest("id-document-shown", "Identiteitsbewijs getoond")
	b.do("the record card and the answer are offered",
		chromedp.WaitVisible(chromedp.ID("request-card-pdf")),
		chromedp.WaitVisible(chromedp.ID("request-answer")),
		WaitText(`#request-letters`, "Nog geen brieven."),
	)
	name, body := b.download("make the answer in one step", "#request-answer")
	if want := "antwoord-verzoek-" + id + ".zip"; name != want {
		t.Errorf("the answer is saved as %q, want %q", name, want)
	}
	files := zipFiles(t, body)
	for _, f := range []string{"antwoord-verzoek-" + id + ".pdf", "stamkaart-" + cand + ".pdf", "stamkaart-" + cand + ".json", "stamkaart-" + cand + "-csv.zip"} {
		if len(files[f]) == 0 || (strings.HasSuffix(f, ".pdf") && !bytes.HasPrefix(files[f], []byte("%PDF"))) {
			t.Errorf("the answer lacks %s (or it is no PDF): it holds %v", f, keys(files))
		}
	}
	if !bytes.Contains(files["stamkaart-"+cand+".json"], []byte(c.LastName)) {
		t.Errorf("the record card's JSON does not name %s", c.LastName)
	}
	b.do("the cover letter and the record card are kept with the request",
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`#letters-table tr[data-kind="access-answer"] a.letter-download`)),
		chromedp.WaitVisible(chromedp.CSS(`#letters-table tr[data-kind="record-card"] a.letter-download`)),
		WaitText(`#letters-table`, "Antwoord op het inzageverzoek"),
		WaitText(`#letters-table`, "Stamkaart (bijlage bij het antwoord)"),
	)
	if name, pdf := b.download("download the kept cover letter", `#letters-table tr[data-kind="access-answer"] a.letter-download`); !strings.HasSuffix(name, "-access-answer.pdf") || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Errorf("the kept cover letter: %q, %d bytes", name, len(pdf))
	} else if text := pdfText(t, pdf); text != "" && !strings.Contains(text, c.LastName) {
		t.Errorf("the cover letter is not addressed to %s:\n%s", c.LastName, clip(text, 600))
	}
	shot(b, "request-access-answered")
	b.closeRequest("Antwoord met stamkaart en documenten per post verstuurd")
	b.do("a closed request is answered no more",
		WaitText(`#letters-table`, "Antwoord op het inzageverzoek"),
	)
	if n := run(b, "count the answer buttons", chromedp.Evaluate[int](`document.querySelectorAll("#request-answer").length`)); n != 0 {
		t.Error("the closed request still offers the answer in one step")
	}
	b.do("the candidate's AVG tab lists the request as done",
		chromedp.Navigate(b.url("/candidates/"+cand+"/privacy")),
		WaitText(`section[aria-labelledby="h-cand-requests"]`, "#"+id),
		WaitText(`section[aria-labelledby="h-cand-requests"]`, "Inzage (art. 15)"),
		WaitText(`section[aria-labelledby="h-cand-requests"]`, "Afgehandeld"),
	)
}

// walkRectification: registered from the register, verified, the city
// corrected and a supplementary statement added on the rectification
// page, the client that received the CV notified by letter, the candidate
// told, closed; the candidate's page shows the new city and the statement.
func walkRectification(t *testing.T) {
	b := start(t)
	c := requestCandidate(b)
	client := discloseCV(b, c)
	cand := idString(c.ID)
	const city, statement = "Wijk bij Duurstede", "Ik woon sinds oktober in Wijk bij Duurstede, niet meer op het oude adres."
	if c.City == city {
		t.Fatalf("the candidate lives in %s already", city)
	}
	b.logInWithCode(kluis.RolePrivacy)
	b.do("register a rectification request from the register",
		chromedp.Click(chromedp.CSS(`nav a[href="/requests"]`)),
		WaitText(`main h1`, "Verzoeken van kandidaten"),
		chromedp.Click(chromedp.ID("request-new")),
		WaitText(`main h1`, "Verzoek registreren"),
		chromedp.SendKeys(chromedp.ID("f-candidate_id"), cand),
		chromedp.SetValue(chromedp.ID("f-kind"), "rectification"),
		chromedp.SetValue(chromedp.ID("f-channel"), "email"),
		chromedp.SendKeys(chromedp.ID("f-description"), "Woonplaats klopt niet meer"),
		chromedp.Click(chromedp.ID("request-save")),
		WaitText(`p.flash`, "Het verzoek is geregistreerd."),
		WaitText(`#request-status`, "Ontvangen"),
		WaitText(`#request-rectification`, "Controleer eerst de identiteit"),
	)
	id := b.requestID()
	b.verifyRequest("known-email", "Vanaf het bekende e-mailadres")
	b.do("closing before the correction is refused",
		chromedp.SetValue(chromedp.ID("f-status"), "done"),
		chromedp.SendKeys(chromedp.ID("f-outcome"), "Te vroeg"),
		chromedp.Click(chromedp.ID("request-close")),
		WaitText(`#e-status`, "Corrigeer eerst de gegevens of voeg een aanvullende verklaring toe."),
	)
	b.do("correct the city and add the statement",
		chromedp.Click(chromedp.ID("request-rectify")),
		WaitText(`main p.lead`, "Corrigeer wat de kandidaat onjuist of onvolledig noemt"),
		chromedp.WaitVisible(chromedp.ID("f-statement")),
		Clear("#f-city"),
		chromedp.SendKeys(chromedp.ID("f-city"), city),
		chromedp.SendKeys(chromedp.ID("f-statement"), statement),
		chromedp.Click(chromedp.ID("candidate-save")),
		WaitText(`p.flash`, "De correctie is opgeslagen."),
		WaitText(`#request-rectification p.rectified`, "gecorrigeerd: Woonplaats"),
		WaitText(`#request-rectification p.rectified`, "aanvullende verklaring toegevoegd"),
		WaitText(`#request-status`, "In behandeling"),
	)
	b.do("the client that received the CV is listed, not yet notified",
		WaitText(`#request-recipients table`, client.Name),
		WaitText(`#request-recipients table`, "nog niet bericht"),
	)
	b.do("notify the client by letter",
		chromedp.SetValue(chromedp.ID("f-channel"), "letter"),
		chromedp.Click(chromedp.ID("recipients-notify")),
		WaitText(`p.flash`, "De ontvangers zijn bericht."),
		WaitText(`#request-recipients table`, "Rectificatie: Brief (verstuurd buiten kluis) — verstuurd"),
	)
	if n := run(b, "count the notify buttons", chromedp.Evaluate[int](`document.querySelectorAll("#recipients-notify").length`)); n != 0 {
		t.Error("the notify button stays when every recipient was notified")
	}
	b.do("tell the candidate which organisations were notified",
		chromedp.SetValue(chromedp.ID("f-tell_channel"), "letter"),
		chromedp.Click(chromedp.ID("recipients-tell")),
		WaitText(`p.flash`, "Het bericht aan de kandidaat is vastgelegd."),
		WaitText(`#request-recipients p.notice-state`, "Brief (verstuurd buiten kluis) — verstuurd"),
	)
	shot(b, "request-rectification")
	b.closeRequest("Woonplaats gecorrigeerd, verklaring toegevoegd, " + client.Name + " per brief bericht")
	b.do("the candidate's page shows the new city and the statement",
		chromedp.Navigate(b.url("/candidates/"+cand)),
		WaitText(`section[aria-labelledby="h-contact"]`, city),
		WaitText(`#statements`, "Aanvullende verklaring van de kandidaat"),
		WaitText(`#statements blockquote.supplementary-statement`, statement),
		WaitText(`#statements`, "Verzoek #"+id),
	)
	ns, err := b.k.DB.RequestNotices(context.Background(), b.k.Actor(kluis.RolePrivacy), mustID(t, id))
	if err != nil {
		t.Fatal(err)
	}
	toClient, toCandidate := 0, 0
	for _, n := range ns {
		switch {
		case n.ToCandidate:
			toCandidate++
		case n.ClientID == client.ID && n.About == "rectification" && n.Channel == "letter":
			toClient++
		}
	}
	if toClient != 1 || toCandidate != 1 {
		t.Fatalf("the notices: %+v", ns)
	}
}

// walkObjection: verified, restricted on ground (d) from the request's
// page, the banner on the candidate's page, closing refused without an
// outcome, the objection rejected, the candidate informed by letter, the
// restriction lifted, the banner gone, the request closed.
func walkObjection(t *testing.T) {
	b := start(t)
	c := requestCandidate(b)
	cand := idString(c.ID)
	b.logInWithCode(kluis.RolePrivacy)
	b.do("register an objection",
		chromedp.Navigate(b.url("/requests/new?candidate_id="+cand)),
		WaitText(`main h1`, "Verzoek registreren"),
		chromedp.SetValue(chromedp.ID("f-kind"), "objection"),
		chromedp.SetValue(chromedp.ID("f-channel"), "phone"),
		chromedp.SendKeys(chromedp.ID("f-description"), "Bezwaar tegen het gebruik voor mailings"),
		chromedp.Click(chromedp.ID("request-save")),
		WaitText(`p.flash`, "Het verzoek is geregistreerd."),
		WaitText(`main h1`, "Bezwaar (art. 21)"),
		WaitText(`#request-restriction`, "Controleer eerst de identiteit"),
	)
	id := b.requestID()
	b.verifyRequest("id-document-shown", "Identiteitsbewijs getoond")
	b.do("restrict on ground (d) while the objection is assessed",
		WaitText(`#request-restriction`, "Een bezwaar (art. 21) beperkt de verwerking op grond (d)"),
		chromedp.SendKeys(chromedp.ID("f-note"), "Bezwaar wordt beoordeeld"),
		chromedp.Click(chromedp.ID("request-restrict")),
		WaitText(`p.flash`, "De verwerking is beperkt."),
		WaitText(`#request-restriction`, "(d) Bezwaar in behandeling"),
		WaitText(`#request-restriction`, "loopt"),
		WaitText(`#request-status`, "In behandeling"),
		chromedp.WaitVisible(chromedp.CSS(`main .restricted-badge`)),
	)
	b.do("closing without the outcome is refused",
		chromedp.SetValue(chromedp.ID("f-status"), "done"),
		chromedp.SendKeys(chromedp.ID("f-outcome"), "Te vroeg"),
		chromedp.Click(chromedp.ID("request-close")),
		WaitText(`#e-status`, "Leg eerst de uitkomst van het bezwaar vast."),
	)
	b.do("the candidate's page carries the banner",
		chromedp.Navigate(b.url("/candidates/"+cand)),
		WaitText(`#processing-restricted`, "Verwerking beperkt (art. 18 AVG)"),
		WaitText(`#processing-restricted`, "(d) Bezwaar in behandeling"),
	)
	b.do("open the restriction from the banner",
		chromedp.Click(chromedp.CSS(`#processing-restricted a.restriction-link`)),
		WaitText(`main h1`, "Beperking van de verwerking"),
		WaitText(`#restriction-outcome`, "nog niet beslist"),
		WaitText(`#restriction-lift-first`, "Opheffen kan pas nadat de kandidaat is geïnformeerd"),
	)
	b.do("record the outcome: rejected",
		chromedp.SetValue(chromedp.ID("f-outcome"), "rejected"),
		chromedp.Click(chromedp.ID("restriction-decide")),
		WaitText(`p.flash`, "De uitkomst is vastgelegd."),
		WaitText(`#restriction-outcome`, "Ongegrond: dwingende gerechtvaardigde gronden gaan voor"),
		chromedp.WaitVisible(chromedp.ID("restriction-lift-first")),
	)
	b.do("inform the candidate by letter",
		chromedp.SetValue(chromedp.ID("f-informed_how"), "letter"),
		chromedp.Click(chromedp.ID("restriction-inform")),
		WaitText(`p.flash`, "Het informeren van de kandidaat is vastgelegd."),
		WaitText(`#restriction-informed`, "Brief"),
	)
	shot(b, "restriction-objection")
	b.do("lift the restriction",
		chromedp.Click(chromedp.ID("restriction-lift")),
		WaitText(`p.flash`, "De beperking is opgeheven."),
		WaitText(`#restriction-state`, "opgeheven"),
	)
	b.do("the banner is gone",
		chromedp.Navigate(b.url("/candidates/"+cand)),
		chromedp.WaitVisible(chromedp.CSS(`#tabpanel`)),
	)
	if n := run(b, "count the banners", chromedp.Evaluate[int](`document.querySelectorAll("#processing-restricted").length`)); n != 0 {
		t.Fatal("the banner after the lifting")
	}
	b.do("back to the request, which shows the outcome",
		chromedp.Navigate(b.url("/requests/"+id)),
		WaitText(`#request-restriction`, "opgeheven"),
		WaitText(`#request-restriction`, "Uitkomst van het bezwaar: Ongegrond"),
	)
	b.closeRequest("Bezwaar ongegrond verklaard; kandidaat per brief geïnformeerd, beperking opgeheven")
	xs, _, err := b.k.DB.Restrictions(context.Background(), b.k.Actor(kluis.RolePrivacy), store.RestrictionFilter{CandidateID: c.ID})
	if err != nil || len(xs) != 1 || xs[0].Ground != "objection" || xs[0].Outcome != "rejected" || xs[0].Active() || xs[0].InformedHow != "letter" {
		t.Fatalf("stored: %+v %v", xs, err)
	}
}

// walkPortability: verified, the portability export downloaded as JSON —
// the candidate's own data, not the BSN — and closed.
func walkPortability(t *testing.T) {
	b := start(t)
	c := requestCandidate(b)
	cand := idString(c.ID)
	full, err := b.k.DB.Candidate(context.Background(), b.k.Actor(kluis.RolePrivacy), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	b.logInWithCode(kluis.RolePrivacy)
	b.do("register a portability request",
		chromedp.Navigate(b.url("/requests/new?candidate_id="+cand)),
		WaitText(`main h1`, "Verzoek registreren"),
		chromedp.SetValue(chromedp.ID("f-kind"), "portability"),
		chromedp.SetValue(chromedp.ID("f-channel"), "email"),
		chromedp.SendKeys(chromedp.ID("f-description"), "Wil gegevens meenemen naar een ander bureau"),
		chromedp.Click(chromedp.ID("request-save")),
		WaitText(`p.flash`, "Het verzoek is geregistreerd."),
		WaitText(`main h1`, "Overdraagbaarheid (art. 20)"),
	)
	b.verifyRequest("known-email", "Vanaf het bekende e-mailadres")
	b.do("the export and the answer are offered",
		WaitText(`#request-portability-json`, "Overdraagbare gegevens (JSON)"),
		WaitText(`#request-letters`, "Maakt de begeleidende brief en de gegevens die de kandidaat zelf gaf"),
	)
	name, body := b.download("download the portability export", "#request-portability-json")
	if !strings.HasSuffix(name, ".json") {
		t.Errorf("the export is saved as %q", name)
	}
	var p struct {
		Candidate map[string]any `json:"candidate"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("the export: %v\n%s", err, clip(string(body), 400))
	}
	if p.Candidate["last_name"] != c.LastName || (c.Email != "" && p.Candidate["email"] != c.Email) {
		t.Errorf("the export lacks the candidate's own data: %v", p.Candidate)
	}
	if _, ok := p.Candidate["bsn"]; ok {
		t.Error("the export has a field bsn")
	}
	if full.BSN == "" {
		t.Error("the candidate has no BSN: the check below proves nothing")
	} else if bytes.Contains(body, []byte(full.BSN)) {
		t.Error("the export holds the BSN")
	}
	b.closeRequest("Overdraagbare gegevens (JSON) per e-mail verstuurd")
}

// walkErasure: verified; the page asks to notify the client that received
// the CV first, and refuses to erase until then; notified by letter, the
// candidate told; erased, which closes the request with its erasure
// record (what was kept and why); the erasure letter made, kept and read.
func walkErasure(t *testing.T) {
	b := start(t)
	c := requestCandidate(b)
	client := discloseCV(b, c)
	cand := idString(c.ID)
	b.logInWithCode(kluis.RolePrivacy)
	b.do("register an erasure request",
		chromedp.Navigate(b.url("/requests/new?candidate_id="+cand)),
		WaitText(`main h1`, "Verzoek registreren"),
		chromedp.SetValue(chromedp.ID("f-kind"), "erasure"),
		chromedp.SetValue(chromedp.ID("f-channel"), "email"),
		chromedp.SendKeys(chromedp.ID("f-description"), "Wil vergeten worden"),
		chromedp.Click(chromedp.ID("request-save")),
		WaitText(`p.flash`, "Het verzoek is geregistreerd."),
		WaitText(`main h1`, "Vergetelheid (art. 17)"),
	)
	id := b.requestID()
	b.verifyRequest("known-email", "Vanaf het bekende e-mailadres")
	b.do("the preview asks to notify the client first",
		WaitText(`#h-handle + p.lead`, "Wissen negeert de bewaartermijnen"),
		WaitText(`#erase-notify-first`, "Bericht eerst elke ontvanger"),
		WaitText(`#request-recipients table`, client.Name),
	)
	b.do("erasing before the notice is refused",
		chromedp.Click(chromedp.ID("request-erase")),
		WaitText(`section[aria-labelledby="h-handle"] p.step-refused`, client.Name),
	)
	if msg := run(b, "read the erase form's alerts", chromedp.Evaluate[string](`[...document.querySelectorAll('section[aria-labelledby="h-handle"] .alert')].map(e => e.innerText).join(" | ")`)); strings.Contains(msg, "Kijk bij de velden") {
		t.Errorf("the erase button, which has no fields, is refused with a message about fields: %s", msg)
	}
	b.do("notify the client by letter",
		chromedp.SetValue(chromedp.ID("f-channel"), "letter"),
		chromedp.Click(chromedp.ID("recipients-notify")),
		WaitText(`p.flash`, "De ontvangers zijn bericht."),
		WaitText(`#request-recipients table`, "Wissing: Brief (verstuurd buiten kluis) — verstuurd"),
	)
	if n := run(b, "look for the notice to notify first", chromedp.Evaluate[int](`document.querySelectorAll("#erase-notify-first").length`)); n != 0 {
		t.Error("the page still asks to notify first")
	}
	// After the erasure the page no longer offers this: the candidate is
	// told which organisations were notified before.
	b.do("tell the candidate which organisations were notified",
		chromedp.SetValue(chromedp.ID("f-tell_channel"), "letter"),
		chromedp.Click(chromedp.ID("recipients-tell")),
		WaitText(`p.flash`, "Het bericht aan de kandidaat is vastgelegd."),
		WaitText(`#request-recipients p.notice-state`, "Brief (verstuurd buiten kluis) — verstuurd"),
	)
	b.do("erase",
		chromedp.WaitVisible(chromedp.ID("request-erase")),
		chromedp.Click(chromedp.ID("request-erase")),
		WaitText(`p.flash`, "De gegevens zijn gewist en het verzoek is afgesloten."),
		WaitText(`#request-status`, "Afgehandeld"),
		WaitText(`#request-outcome`, "Wisbewijs / Erasure record"),
		WaitText(`#request-erasure`, "Wisbewijs #"),
		WaitText(`section[aria-labelledby="h-facts"]`, "restcontrole, vondsten: 0"),
	)
	q, err := b.k.DB.Request(context.Background(), b.k.Actor(kluis.RolePrivacy), mustID(t, id))
	if err != nil || q.Status != "done" || q.ErasureID == 0 || q.ResidueHits == nil || *q.ResidueHits != 0 {
		t.Fatalf("stored: %+v %v", q, err)
	}
	e, err := b.k.DB.ErasureRecord(context.Background(), b.k.Actor(kluis.RolePrivacy), q.ErasureID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("erasure record %d: complete %v, %d groups kept", e.ID, e.Complete, len(e.Kept))
	shot(b, "request-erasure-done")
	if e.Complete {
		b.do("the request names the candidate no more",
			WaitText(`section[aria-labelledby="h-facts"]`, "gewist ("+cand+")"))
	} else {
		// What the payroll minimum (R4–R6) keeps is named, with its rule.
		b.do("the outcome lists what was kept and why",
			WaitText(`#request-outcome`, "Gewist wat geen wettelijke minimumtermijn of bewaarplicht vasthoudt."),
			WaitText(`#request-outcome`, "Bewaard, beperkt tot de salarisadministratie en de privacyfunctionaris"))
	}
	b.do("make the erasure letter",
		chromedp.SetValue(chromedp.ID("f-kind"), "erasure"),
		chromedp.Click(chromedp.ID("letter-submit")),
		WaitText(`p.flash`, "De brief is gemaakt en bij het verzoek bewaard."),
		chromedp.WaitVisible(chromedp.CSS(`#letters-table tr[data-kind="erasure"] a.letter-download`)),
		WaitText(`#letters-table`, "Antwoord op het verzoek om vergetelheid (art. 17)"),
	)
	name, pdf := b.download("download the erasure letter", `#letters-table tr[data-kind="erasure"] a.letter-download`)
	if !strings.HasSuffix(name, "-erasure.pdf") || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("the erasure letter: %q, %d bytes", name, len(pdf))
	}
	if text := pdfText(t, pdf); text != "" {
		if !strings.Contains(text, id) {
			t.Errorf("the erasure letter does not name request %s:\n%s", id, clip(text, 600))
		}
		if strings.Contains(text, c.LastName) {
			t.Errorf("the erasure letter names the erased candidate %s", c.LastName)
		}
		// It tells the candidate which organisations were asked to erase
		// their data too (art. 19).
		if !strings.Contains(text, client.Name) {
			t.Errorf("the erasure letter does not name the organisation told, %s:\n%s", client.Name, clip(text, 900))
		}
	}
	b.do("the erasure record opens from the request",
		chromedp.Click(chromedp.ID("request-erasure")),
		WaitText(`main`, cand),
	)
}

// duplicateIDsJS lists the ids that more than one element of the page
// has ("" for none): a label's for= then points at the wrong field.
const duplicateIDsJS = `(() => {
	const seen = {}, dup = [];
	for (const e of document.querySelectorAll("[id]")) {
		if (seen[e.id] && !dup.includes(e.id)) dup.push(e.id);
		seen[e.id] = true;
	}
	return dup.join(", ");
})()`

// requestCandidate picks a candidate of the recruiter's branch whose
// processing is not restricted, who has a BSN and an e-mail address.
func requestCandidate(b *browser) kluis.Candidate {
	b.t.Helper()
	ctx := context.Background()
	cs, _, err := b.k.DB.ListCandidates(ctx, b.k.Actor(kluis.RoleRecruiter), store.CandidateFilter{Page: kluis.Page{Limit: 50}})
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range cs {
		if c.Restricted != "" || c.LastName == "" || c.Email == "" {
			continue
		}
		full, err := b.k.DB.Candidate(ctx, b.k.Actor(kluis.RolePrivacy), c.ID)
		if err == nil && full.BSN != "" {
			return *full
		}
	}
	b.t.Fatal("no candidate of the recruiter's branch with a BSN and an e-mail address")
	return kluis.Candidate{}
}

// discloseCV gives the candidate a CV and sends it to the first client,
// through the store, as a recruiter does: the client becomes a recipient
// that art. 19 asks to notify.
func discloseCV(b *browser, c kluis.Candidate) kluis.Client {
	b.t.Helper()
	ctx := context.Background()
	rec := b.k.Actor(kluis.RoleRecruiter)
	cls, _, err := b.k.DB.ListClients(ctx, rec, store.ClientFilter{Page: kluis.Page{Limit: 1}})
	if err != nil || len(cls) == 0 {
		b.t.Fatalf("no client: %v", err)
	}
	cv := &kluis.Document{CandidateID: c.ID, Kind: "cv", FileName: "cv.pdf"}
	if err := b.k.DB.CreateDocument(ctx, rec, cv, strings.NewReader("%PDF-1.4\nCV van "+c.LastName+"\n%%EOF\n")); err != nil {
		b.t.Fatal(err)
	}
	if _, err := b.k.DB.DiscloseDocument(ctx, rec, cv.ID, cls[0].ID, "mediation"); err != nil {
		b.t.Fatal(err)
	}
	return cls[0]
}

// requestID reads the number of the request whose page is open.
func (b *browser) requestID() string {
	b.t.Helper()
	loc := run(b, "read the address", chromedp.Location())
	i := strings.LastIndex(loc, "/requests/")
	if i < 0 {
		b.t.Fatalf("not a request's page: %s", loc)
	}
	id, _, _ := strings.Cut(loc[i+len("/requests/"):], "?")
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		b.t.Fatalf("not a request's page: %s", loc)
	}
	return id
}

// verifyRequest records the identity check on the open request's page.
func (b *browser) verifyRequest(how, label string) {
	b.t.Helper()
	b.do("verify the identity",
		chromedp.SetValue(chromedp.ID("f-verified_how"), how),
		chromedp.Click(chromedp.ID("request-verify")),
		WaitText(`p.flash`, "De controle van de identiteit is vastgelegd."),
		WaitText(`#request-status`, "Identiteit gecontroleerd"),
		WaitText(`#request-verified`, label),
	)
	if dup := run(b, "look for ids used twice", chromedp.Evaluate[string](duplicateIDsJS)); dup != "" {
		b.t.Errorf("the request's page uses ids more than once: %s", dup)
	}
}

// closeRequest closes the open request's page as done with outcome.
func (b *browser) closeRequest(outcome string) {
	b.t.Helper()
	b.do("close the request as done",
		chromedp.SetValue(chromedp.ID("f-status"), "done"),
		Clear("#f-outcome"),
		chromedp.SendKeys(chromedp.ID("f-outcome"), outcome),
		chromedp.Click(chromedp.ID("request-close")),
		WaitText(`p.flash`, "Het verzoek is afgesloten."),
		WaitText(`#request-status`, "Afgehandeld"),
		WaitText(`#request-outcome`, outcome),
	)
	if n := run(b, "count the close buttons", chromedp.Evaluate[int](`document.querySelectorAll("#request-close").length`)); n != 0 {
		b.t.Error("a closed request still offers to close it")
	}
}

// download clicks the link or button sel, lets Chromium save the file it
// answers with into a directory of the test's own, and returns the file's
// name and content.
func (b *browser) download(what, sel string) (string, []byte) {
	b.t.Helper()
	dir := b.t.TempDir()
	// Chromium reserves the file's final name with an empty file before it
	// writes the content to a .crdownload beside it, so a file in the
	// folder proves nothing: wait for the browser's own word that the
	// download completed.
	ctx, cancel := context.WithCancel(b.ctx)
	defer cancel()
	type result struct {
		name string
		err  error
	}
	done := make(chan result, 1)
	var mu sync.Mutex
	names := map[string]string{}
	if err := chromedp.ListenBrowser(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *cdpbrowser.EventDownloadWillBegin:
			names[e.GUID] = e.SuggestedFilename
		case *cdpbrowser.EventDownloadProgress:
			var r result
			switch e.State {
			case cdpbrowser.DownloadProgressStateCompleted:
				r.name = names[e.GUID]
			case cdpbrowser.DownloadProgressStateCanceled:
				r.err = fmt.Errorf("the download of %q was cancelled", names[e.GUID])
			default:
				return
			}
			select {
			case done <- r:
			default:
			}
		}
	}); err != nil {
		b.t.Fatalf("%s: listen for downloads: %v", what, err)
	}
	if _, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir, EventsEnabled: new(true)}); err != nil {
		b.t.Fatalf("%s: allow downloads: %v", what, err)
	}
	b.do(what, chromedp.Click(chromedp.CSS(sel)))
	select {
	case r := <-done:
		if r.err != nil {
			b.t.Fatalf("%s: %v", what, r.err)
		}
		if r.name == "" || filepath.Base(r.name) != r.name {
			b.t.Fatalf("%s: the download's name is %q", what, r.name)
		}
		body, err := os.ReadFile(filepath.Join(dir, r.name))
		if err != nil {
			b.t.Fatalf("%s: %v", what, err)
		}
		return r.name, body
	case <-time.After(WaitTimeout):
		b.t.Fatalf("%s: no download in %s", what, WaitTimeout)
		return "", nil
	}
}

// zipFiles reads a ZIP file's entries.
func zipFiles(t *testing.T, body []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("not a ZIP file: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		_, err = buf.ReadFrom(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = buf.Bytes()
	}
	return out
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// pdfText is the text of a PDF by pdftotext, "" when pdftotext is not
// installed — except in CI, where that fails the test: there the letters'
// text must be checked.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	path, err := exec.LookPath("pdftotext")
	if err != nil {
		if inCI() {
			t.Fatalf("pdftotext is not installed (CI=%s: the letters' text must be checked; apt-get install poppler-utils)", os.Getenv("CI"))
		}
		t.Log("pdftotext is not installed: the letter's text is not checked")
		return ""
	}
	cmd := exec.Command(path, "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func idString(id kluis.ID) string { return strconv.FormatInt(id, 10) }

func mustID(t testing.TB, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return n
}
