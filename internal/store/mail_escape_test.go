package store

import (
	"regexp"
	"strings"
	"testing"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
)

// mailMarkup finds a payload that reached an e-mail's HTML as markup.
var mailMarkup = regexp.MustCompile(`<script>|<img src=x onerror`)

const mailPayload = `<script>alert(1)</script>"><img src=x onerror=alert(2)>`

// TestTheEMailsEscapeWhatPeopleTyped: the candidate's name, the agency's
// name and details and the statement's own text reach the HTML part of
// the consent e-mail and the privacy statement e-mail as text, never as
// markup; the text part keeps them as typed.
func TestTheEMailsEscapeWhatPeopleTyped(t *testing.T) {
	c := &kluis.Candidate{FirstName: mailPayload, LastName: mailPayload}
	_, text, htm := consentMail(c, "Bureau "+mailPayload, "2027-01-01", "https://kluis.example/p/abc", false)
	if m := mailMarkup.FindString(htm); m != "" {
		t.Errorf("the consent e-mail shows %q as markup:\n%s", m, htm)
	}
	if !strings.Contains(htm, "&lt;script&gt;alert(1)") || !strings.Contains(text, mailPayload) {
		t.Errorf("the consent e-mail does not show the name as text:\n%s\n%s", htm, text)
	}

	s := &kluis.PrivacyStatement{Version: 3, TextNL: "# {{naam}} " + mailPayload + "\n\n[klik](javascript:alert(3)) " + mailPayload,
		TextEN: "# " + mailPayload}
	ctl := catalog.Controller{Name: "Bureau " + mailPayload, Address: mailPayload, DPOName: mailPayload, DPOEmail: "fg@example.nl"}
	for _, lang := range []string{"nl", "en"} {
		r := RenderStatement(s, lang, ctl, catalog.New())
		subject, text, htm := statementMail(r, mailPayload)
		if m := mailMarkup.FindString(htm); m != "" {
			t.Errorf("the statement e-mail (%s) shows %q as markup:\n%s", lang, m, htm)
		}
		if strings.Contains(htm, "javascript:") && strings.Contains(htm, `href="javascript`) {
			t.Errorf("the statement e-mail (%s) links to javascript:", lang)
		}
		if !strings.Contains(htm, "&lt;script&gt;") || !strings.Contains(text, mailPayload) || strings.ContainsAny(subject, "\r\n") {
			t.Errorf("the statement e-mail (%s) does not show the text as text:\n%s", lang, htm)
		}
	}
}
