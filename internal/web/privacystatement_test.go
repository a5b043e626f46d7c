package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// TestThePrivacyOfficerPublishesAStatementAndInformsCandidates walks the
// staff UI: the page is the privacy officer's; a preview publishes
// nothing; a refused form says what is wrong at each field; a published
// version is rendered with the catalogue's tables, listed with the
// candidates not yet informed, and sent to all of them by a job; on the
// history tab a recruiter records it shown and e-mails it, and the
// history shows both with the version; the public page needs no log-in.
func TestThePrivacyOfficerPublishesAStatementAndInformsCandidates(t *testing.T) {
	u := newClientUIEnv(t)
	officer := u.user(t, "Fenna", kluis.RolePrivacy)
	po := u.session(t, officer.ID)
	recruiter := u.session(t, u.Actor.UserID)
	a := u.MustCreateCandidate(t, "Aalders")
	b := u.MustCreateCandidate(t, "Bakker")

	u.get(t, recruiter, "/privacy-statement").expect(t, http.StatusForbidden)
	u.post(t, recruiter, "/privacy-statement", url.Values{"text_nl": {"x"}, "text_en": {"y"}}).expect(t, http.StatusForbidden)
	page := u.get(t, po, "/privacy-statement").expect(t, http.StatusOK)
	if !page.has("nl", "statement.none") || !strings.Contains(page.body, "{{doeleinden}}") {
		t.Fatalf("the empty page: %s", page.body)
	}

	// A preview renders and publishes nothing.
	prev := u.post(t, po, "/privacy-statement", url.Values{"action": {"preview"}, "text_nl": {"# Voorbeeld\n\n{{doeleinden}}\n\n<script>x</script>"}, "text_en": {"# Preview"}}).expect(t, http.StatusOK)
	if !strings.Contains(prev.body, "<h1>Voorbeeld</h1>") || !strings.Contains(prev.body, "Bemiddeling naar werk") || strings.Contains(prev.body, "<script>x") {
		t.Fatalf("the preview: %s", prev.body)
	}
	if vs, _ := u.DB.PrivacyStatements(context.Background(), u.Tenant.ID); len(vs) != 0 {
		t.Fatalf("the preview published %d", len(vs))
	}
	// A missing English text is refused at its field, and the Dutch one kept.
	bad := u.post(t, po, "/privacy-statement", url.Values{"text_nl": {"# Alleen NL"}, "text_en": {""}}).expect(t, http.StatusUnprocessableEntity)
	if clientFieldError(bad.body, "text_en") == "" || clientFieldError(bad.body, "text_nl") != "" || !strings.Contains(bad.body, "# Alleen NL") {
		t.Fatalf("the refused form: %s", bad.body)
	}
	done := u.post(t, po, "/privacy-statement", url.Values{"text_nl": {kluis.DefaultStatement("nl")}, "text_en": {kluis.DefaultStatement("en")}}).expect(t, http.StatusSeeOther)
	page = u.get(t, po, done.location).expect(t, http.StatusOK)
	if !page.has("nl", "statement.published") || !strings.Contains(page.body, `id="current-version">1<`) || !strings.Contains(page.body, "Burgerservicenummer") ||
		!strings.Contains(page.body, `id="notinformed-total">2<`) || !strings.Contains(page.body, "Sanne Aalders") {
		t.Fatalf("after publishing: %s", page.body)
	}
	u.get(t, po, "/privacy-statement/versions/1").expect(t, http.StatusOK)
	u.get(t, po, "/privacy-statement/versions/9").expect(t, http.StatusNotFound)

	// At the desk: shown, and e-mailed in English.
	hist := "/candidates/" + idText(a.ID)
	tab := u.do(t, recruiter, "GET", hist+"/history", nil, false).expect(t, http.StatusOK)
	if !strings.Contains(tab.body, `id="statement-shown"`) || !strings.Contains(tab.body, `id="statement-send"`) {
		t.Fatalf("the buttons: %s", tab.body)
	}
	u.do(t, recruiter, "POST", hist+"/privacy-statement/shown", url.Values{"channel": {"desk"}}, true).expect(t, http.StatusOK)
	tab = u.do(t, recruiter, "POST", hist+"/privacy-statement/send", url.Values{"lang": {"en"}}, true).expect(t, http.StatusOK)
	if !tab.has("nl", "statement.sent.done") || strings.Count(tab.body, `id="cm-version-`+idText(a.ID)+`-1"`) != 2 {
		t.Fatalf("the history after showing and sending: %s", tab.body)
	}
	msgs, _, _ := u.DB.OutboxMessages(context.Background(), kluis.Actor{TenantID: u.Tenant.ID, UserID: officer.ID, Role: kluis.RolePrivacy}, a.ID, kluis.Page{})
	if len(msgs) != 1 || !strings.Contains(msgs[0].Subject, "Privacy statement") {
		t.Fatalf("the outbox: %+v", msgs)
	}
	// The two moments are proof: each shows its channel, the sent one its
	// delivery, and neither has a delete button; the form to record a
	// moment by hand offers neither kind, and a delete posted anyway is
	// refused and deletes nothing.
	proof, _, _ := u.DB.ListContactMoments(context.Background(), u.Actor, store.ContactMomentFilter{CandidateID: a.ID})
	for _, m := range proof {
		if !kluis.IsStatementProof(m.Kind) {
			continue
		}
		id := idText(m.ID)
		if !strings.Contains(tab.body, `id="cm-channel-`+id+`"`) || !strings.Contains(tab.body, `id="cm-proof-`+id+`"`) ||
			strings.Contains(tab.body, `/history/`+id+`/delete`) {
			t.Errorf("moment %s (%s) on the tab: %s", id, m.Kind, tab.body)
		}
		for _, lang := range []string{"nl", "en"} {
			refused := u.do(t, recruiter, "POST", hist+"/history/"+id+"/delete?lang="+lang, url.Values{"version": {"1"}}, true).expect(t, http.StatusUnprocessableEntity)
			if !strings.Contains(refused.body, `id="history-refused"`) {
				t.Errorf("a delete of %s posted anyway (%s): %s", m.Kind, lang, refused.body)
			}
		}
	}
	if !strings.Contains(tab.body, `id="cm-delivery-`) || !strings.Contains(tab.body, "wacht op verzending") || strings.Contains(tab.body, `<option value="privacy-statement-`) {
		t.Errorf("delivery and the form's kinds: %s", tab.body)
	}
	if after, _, _ := u.DB.ListContactMoments(context.Background(), u.Actor, store.ContactMomentFilter{CandidateID: a.ID}); len(after) != len(proof) {
		t.Fatalf("moments after the refused deletes: %d, were %d", len(after), len(proof))
	}
	// A candidate without an address: the tab says so, nothing recorded.
	noMail := &kluis.Candidate{BranchID: u.Branch.ID, LastName: "Zondermail", Source: "walk-in"}
	if err := u.DB.CreateCandidate(context.Background(), u.Actor, noMail); err != nil {
		t.Fatal(err)
	}
	refused := u.do(t, recruiter, "POST", "/candidates/"+idText(noMail.ID)+"/privacy-statement/send", url.Values{"lang": {"nl"}}, true).expect(t, http.StatusUnprocessableEntity)
	if !strings.Contains(refused.body, `id="statement-error"`) {
		t.Fatalf("no address: %s", refused.body)
	}

	// The rest by a job: b gets it, the one without an address is listed
	// but cannot be sent to.
	start := u.post(t, po, "/privacy-statement/sends", url.Values{}).expect(t, http.StatusSeeOther)
	u.web.Wait()
	job := u.get(t, po, start.location).expect(t, http.StatusOK)
	if !strings.Contains(job.body, `id="send-sent">1<`) || !strings.Contains(job.body, `data-state="done"`) {
		t.Fatalf("the job: %s", job.body)
	}
	if frag := u.do(t, po, "GET", start.location, nil, true).expect(t, http.StatusOK); strings.Contains(frag.body, "<html") || !strings.Contains(frag.body, `id="send-job"`) {
		t.Fatalf("the progress fragment: %s", frag.body)
	}
	if ms, _, _ := u.DB.ListContactMoments(context.Background(), u.Actor, store.ContactMomentFilter{CandidateID: b.ID, Kind: "privacy-statement-sent"}); len(ms) != 1 || ms[0].StatementVersion != 1 {
		t.Fatalf("b's history: %+v", ms)
	}

	// The public page, without a log-in, in both languages.
	pub := u.get(t, "", "/privacy/test-bureau").expect(t, http.StatusOK)
	if !strings.Contains(pub.body, "<h1>Privacyverklaring</h1>") || !strings.Contains(pub.body, "Testbureau") {
		t.Fatalf("the public page: %s", pub.body)
	}
	if en := u.get(t, "", "/privacy/test-bureau?lang=en").expect(t, http.StatusOK); !strings.Contains(en.body, "<h1>Privacy statement</h1>") {
		t.Fatalf("the public page in English: %s", en.body)
	}
	u.get(t, "", "/privacy/onbekend-bureau").expect(t, http.StatusNotFound)
}
