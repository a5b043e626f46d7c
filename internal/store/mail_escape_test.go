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

// TestTheBreachAndPortalEMailsEscapeWhatPeopleTyped: the e-mails that build
// their HTML by concatenation (html.EscapeString) — the breach notice of
// art. 34 and the portal's confirmation and log-in links — show the
// candidate's name, the privacy officer's message, the agency's name and
// its data protection officer as text, never as markup, in both languages;
// a link is a link to where it says and nothing else.
func TestTheBreachAndPortalEMailsEscapeWhatPeopleTyped(t *testing.T) {
	ctl := catalog.Controller{Name: "Bureau " + mailPayload, Address: mailPayload, DPOName: mailPayload, DPOEmail: "fg@example.nl"}
	for _, lang := range []string{"nl", "en"} {
		_, text, htm := breachNoticeMail(ctl, lang, mailPayload, "Eerste alinea "+mailPayload+"\nregel twee\n\n"+mailPayload)
		if m := mailMarkup.FindString(htm); m != "" {
			t.Errorf("the breach notice (%s) shows %q as markup:\n%s", lang, m, htm)
		}
		// The name, the message's two paragraphs, the officer and the agency.
		if n := strings.Count(htm, "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(2)&gt;"); n < 5 {
			t.Errorf("the breach notice (%s) shows the typed text %d times as text, want 5 or more:\n%s", lang, n, htm)
		}
		if !strings.Contains(text, mailPayload) || !strings.Contains(htm, "regel twee") {
			t.Errorf("the breach notice (%s) lost text:\n%s", lang, text)
		}
		for _, purpose := range []string{portalVerify, portalLogin} {
			link := `https://kluis.example/portaal/link?t=a"b<c>&d=1`
			_, text, htm := portalMail(purpose, "Bureau "+mailPayload, link, lang)
			if m := mailMarkup.FindString(htm); m != "" {
				t.Errorf("the portal e-mail (%s, %s) shows %q as markup:\n%s", purpose, lang, m, htm)
			}
			if !strings.Contains(htm, "Bureau &lt;script&gt;alert(1)") || !strings.Contains(text, mailPayload) {
				t.Errorf("the portal e-mail (%s, %s) does not show the agency as text:\n%s", purpose, lang, htm)
			}
			if !strings.Contains(htm, `<a href="https://kluis.example/portaal/link?t=a&#34;b&lt;c&gt;&amp;d=1">`) {
				t.Errorf("the portal e-mail (%s, %s) breaks its link:\n%s", purpose, lang, htm)
			}
		}
	}
}

// TestTheConsentRequestIsWrittenInTheCandidatesLanguage: Dutch or English
// when the candidate's language is known, both (Dutch first) when not; the
// link is in every part, a reminder says so in its subject.
func TestTheConsentRequestIsWrittenInTheCandidatesLanguage(t *testing.T) {
	const link = "https://kluis.example/portaal/toestemming/abc"
	for _, tc := range []struct {
		lang, subject string
		nl, en        bool
	}{
		{"nl", "Herinnering: Mogen wij uw gegevens langer bewaren?", true, false},
		{"en", "Reminder: May we keep your data longer?", false, true},
		{"", "Herinnering: Mogen wij uw gegevens langer bewaren? / Reminder: May we keep your data longer?", true, true},
	} {
		c := &kluis.Candidate{FirstName: "Sanne", LastName: "Visser", Language: tc.lang}
		subject, text, htm := consentMail(c, "Bureau Noord", "2027-01-01", link, true)
		if subject != tc.subject {
			t.Errorf("language %q: subject %q, want %q", tc.lang, subject, tc.subject)
		}
		for _, part := range []string{text, htm} {
			if strings.Contains(part, "Beste Sanne") != tc.nl || strings.Contains(part, "Dear Sanne") != tc.en {
				t.Errorf("language %q: Dutch %v and English %v wanted in:\n%s", tc.lang, tc.nl, tc.en, part)
			}
		}
		links := 1
		if tc.nl && tc.en {
			links = 2
		}
		if n := strings.Count(htm, `<a href="`+link+`">`); n != links {
			t.Errorf("language %q: %d links in the HTML, want %d", tc.lang, n, links)
		}
	}
}
