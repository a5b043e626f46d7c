package browsertest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kluis/internal/kluis"
	"kluis/internal/mail"
	"kluis/internal/mail/mailtest"
	"kluis/internal/outbox"
	"kluis/internal/store"
)

// TestACandidateChecksInThroughThePortalAndSeesTheirOwnData is the
// portal's done-means (issue #8): a new candidate checks in, reads and
// accepts the privacy statement, finds the confirmation mail in mailpit
// (sent by the outbox over SMTP), follows its link and sees their own
// data; on the staff side the candidate's Historie tab shows the check-in
// and the acceptance with the statement's version.
func TestACandidateChecksInThroughThePortalAndSeesTheirOwnData(t *testing.T) {
	b := start(t)
	ctx := context.Background()
	smtp := mailtest.Start(t)
	sender, err := mail.NewSender(mail.Config{Host: smtp.Host, Port: smtp.SMTPPort, From: "privacy@demo.kluis.test", TLS: mail.TLSNone, HelloName: "kluis.test"})
	if err != nil {
		t.Fatal(err)
	}
	w := &outbox.Worker{DB: b.k.DB, Sender: sender, Clock: b.k.Clock, Log: slog.New(slog.NewTextHandler(b.k.Log, nil))}
	po := b.k.Actor(kluis.RolePrivacy)
	st := &kluis.PrivacyStatement{TextNL: kluis.DefaultStatement("nl"), TextEN: kluis.DefaultStatement("en")}
	if err := b.k.DB.PublishPrivacyStatement(ctx, po, st); err != nil {
		t.Fatal(err)
	}
	slug := b.k.Demo.Tenant.Slug
	const email = "fenna.portaal@example.nl"
	// The demo's own e-mails (its consent requests) go out first.
	if _, _, err := w.Once(ctx); err != nil {
		t.Fatal(err)
	}

	b.do("check in",
		chromedp.Navigate(b.url("/portaal/aanmelden/"+slug)),
		WaitText(`main h1`, "Inschrijven"),
		WaitText(`#statement`, "Bemiddeling naar werk"),
		chromedp.SendKeys(`#f-first_name`, "Fenna"),
		chromedp.SendKeys(`#f-last_name`, "Portaalsma"),
		chromedp.SendKeys(`#f-email`, email),
		chromedp.SendKeys(`#f-city`, "Zwolle"),
		// Without accepting the statement nothing happens.
		chromedp.Click(chromedp.ID("checkin-submit")),
		WaitText(`#e-accept`, "privacyverklaring"),
		chromedp.Click(chromedp.ID("f-accept")),
		chromedp.Click(chromedp.ID("checkin-submit")),
		WaitText(`#portal-message`, "e-mail gestuurd"),
	)
	if n, _, err := w.Once(ctx); err != nil || n != 1 {
		t.Fatalf("the outbox sent %d: %v", n, err)
	}
	var sum mailtest.Summary
	for _, m := range smtp.Messages() {
		if len(m.To) == 1 && m.To[0].Address == email {
			sum = m
		}
	}
	if sum.ID == "" {
		t.Fatalf("mailpit has no message to %s: %+v", email, smtp.Messages())
	}
	msg := smtp.WaitMessage(sum.MessageID)
	i := strings.Index(msg.Text, store.PortalLinkPath)
	if i < 0 || !strings.Contains(msg.Subject, "Bevestig") {
		t.Fatalf("the confirmation mail: %q\n%s", msg.Subject, msg.Text)
	}
	link := strings.Fields(msg.Text[i:])[0]
	if !strings.HasPrefix(msg.Text[strings.LastIndex(msg.Text[:i], "http"):], b.k.URL) {
		t.Errorf("the link does not point to kluis: %s", msg.Text)
	}

	b.do("follow the link and see my data",
		chromedp.Navigate(b.url(link)),
		chromedp.WaitVisible(chromedp.ID("link-submit")),
		chromedp.Click(chromedp.ID("link-submit")),
		WaitText(`main h1`, "Mijn gegevens"),
		WaitText(`#own-last_name`, "Portaalsma"),
		WaitText(`#own-email`, email),
		WaitText(`#historie`, "Privacyverklaring getoond"),
		WaitText(`#historie`, "Inschrijving"),
	)
	if dir := os.Getenv("KLUIS_PORTAL_SHOTS"); dir != "" {
		shoot(t, b, dir)
	}

	// The staff side: the privacy officer (who sees every branch) finds
	// the check-in and the acceptance in the Historie tab.
	cs, _, err := b.k.DB.ListCandidates(ctx, po, store.CandidateFilter{Query: email})
	if err != nil || len(cs) != 1 {
		t.Fatalf("the candidate: %+v, %v", cs, err)
	}
	b.logInWithCode(kluis.RolePrivacy)
	b.do("the Historie tab shows the check-in and the acceptance",
		chromedp.Navigate(b.url(fmt.Sprintf("/candidates/%d/history", cs[0].ID))),
		WaitText(`#timeline`, "Inschrijving"),
		WaitText(`#timeline`, "Privacyverklaring getoond"),
		WaitText(`#timeline`, "bij de inschrijving"),
		chromedp.WaitVisible(chromedp.ID(fmt.Sprintf("cm-version-%d-%d", cs[0].ID, st.Version))),
	)
}

// shoot keeps screenshots of the portal, at desktop and at phone width,
// for docs/screenshots (KLUIS_PORTAL_SHOTS names the directory).
func shoot(t *testing.T, b *browser, dir string) {
	for _, s := range []struct {
		name, path, ready string
		width             int64
	}{
		{"portal-home.png", "/portaal/gegevens", "#persoonsgegevens", 1280},
		{"portal-home-phone.png", "/portaal/gegevens", "#persoonsgegevens", 390},
		{"portal-checkin.png", "/portaal/aanmelden/" + b.k.Demo.Tenant.Slug, "#statement", 1280},
		{"portal-checkin-phone.png", "/portaal/aanmelden/" + b.k.Demo.Tenant.Slug + "?lang=en", "#statement", 390},
	} {
		b.do("screenshot "+s.name,
			chromedp.EmulateViewport(s.width, 900),
			chromedp.Navigate(b.url(s.path)),
			chromedp.WaitVisible(s.ready),
		)
		time.Sleep(200 * time.Millisecond)
		ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
		if err := SaveScreenshot(ctx, filepath.Join(dir, s.name)); err != nil {
			t.Errorf("screenshot %s: %v", s.name, err)
		}
		cancel()
	}
	b.do("back to desktop width", chromedp.EmulateViewport(1280, 900))
}
