package web

import (
	"net/http"
	"strings"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// TestThePrivacyStatementThroughTheAPI: the statement is the privacy
// officer's, while a recruiter informs candidates as on the history tab; a
// version is published with both texts (a missing one or an unknown field
// is a 400 naming the field, in the caller's language), read rendered in
// either language, and told to one candidate by e-mail or in person; the
// list of those not informed shrinks, and the job sends to the rest.
func TestThePrivacyStatementThroughTheAPI(t *testing.T) {
	u := newClientUIEnv(t)
	officer := u.user(t, "Fenna", kluis.RolePrivacy)
	po := u.token(t, officer.ID, "*")
	rec := u.token(t, u.Actor.UserID, "*")
	a := u.MustCreateCandidate(t, "Aalders")
	b := u.MustCreateCandidate(t, "Bakker")
	c := u.MustCreateCandidate(t, "Claassen")

	for _, call := range [][3]string{{"GET", "/api/v1/privacy-statements", ""}, {"POST", "/api/v1/privacy-statements", `{"text_nl": "x", "text_en": "y"}`},
		{"GET", "/api/v1/privacy-statements/not-informed", ""}, {"POST", "/api/v1/privacy-statement-sends", ""}} {
		if code, body := u.apiCall(t, rec, call[0], call[1], call[2], nil); code != http.StatusForbidden {
			t.Errorf("%s %s as a recruiter: %d %s", call[0], call[1], code, body)
		}
	}
	// Nothing published: sending is a conflict.
	if code, body := u.apiCall(t, po, "POST", "/api/v1/candidates/"+idText(a.ID)+"/privacy-statement/send", `{}`, nil); code != http.StatusConflict {
		t.Fatalf("before a version: %d %s", code, body)
	}
	code, body := u.apiCall(t, po, "POST", "/api/v1/privacy-statements", `{"text_nl": "# NL"}`, nil)
	if code != http.StatusBadRequest || !strings.Contains(body, `"text_en"`) || !strings.Contains(body, "Fill in the text.") || strings.Contains(body, `"text_nl"`) {
		t.Fatalf("without English: %d %s", code, body)
	}
	if code, body := u.apiCall(t, po, "POST", "/api/v1/privacy-statements", `{"text_nl": "a", "text_en": "b", "version": 4}`, nil); code != http.StatusBadRequest || !strings.Contains(body, `"version"`) {
		t.Fatalf("an unknown field: %d %s", code, body)
	}
	var st kluis.PrivacyStatement
	if code, body := u.apiCall(t, po, "POST", "/api/v1/privacy-statements", `{"text_nl": "# Verklaring\n\n{{doeleinden}}", "text_en": "# Statement\n\n{{purposes}}\n\n<script>x</script>"}`, &st); code != http.StatusCreated || st.Version != 1 {
		t.Fatalf("publish: %d %s", code, body)
	}
	var r renderedStatement
	if code, body := u.apiCall(t, po, "GET", "/api/v1/privacy-statements/current", "", &r); code != http.StatusOK || r.Version != 1 ||
		!strings.Contains(r.HTMLEN, "<h1>Statement</h1>") || strings.Contains(r.HTMLEN, "<script>") || !strings.Contains(r.MarkdownEN, "Finding work") ||
		!strings.Contains(r.HTMLNL, "<h1>Verklaring</h1>") || !strings.Contains(r.MarkdownNL, "Bemiddeling naar werk") {
		t.Fatalf("the current version: %d %s", code, body)
	}
	if code, _ := u.apiCall(t, po, "GET", "/api/v1/privacy-statements/7", "", nil); code != http.StatusNotFound {
		t.Fatalf("an unknown version: %d", code)
	}

	// One shown by the recruiter, one sent by the privacy officer; a
	// payroll clerk informs no one, in the API as in the UI.
	payroll := u.token(t, u.user(t, "Piet", kluis.RolePayroll).ID, "*")
	for _, how := range []string{"shown", "send"} {
		if code, body := u.apiCall(t, payroll, "POST", "/api/v1/candidates/"+idText(a.ID)+"/privacy-statement/"+how, `{}`, nil); code != http.StatusForbidden {
			t.Errorf("%s by payroll: %d %s", how, code, body)
		}
	}
	if code, body := u.apiCall(t, rec, "POST", "/api/v1/candidates/"+idText(a.ID)+"/privacy-statement/shown", `{"channel": "fax"}`, nil); code != http.StatusBadRequest || !strings.Contains(body, `"channel"`) {
		t.Fatalf("an unknown channel: %d %s", code, body)
	}
	var m map[string]any
	if code, body := u.apiCall(t, rec, "POST", "/api/v1/candidates/"+idText(a.ID)+"/privacy-statement/shown", `{"channel": "desk"}`, &m); code != http.StatusCreated ||
		m["statement_version"] != float64(1) || m["kind"] != "privacy-statement-shown" || m["statement_channel"] != "desk" || m["user_id"] != float64(u.Actor.UserID) {
		t.Fatalf("shown: %d %s", code, body)
	}
	shownID := idText(kluis.ID(m["id"].(float64)))
	if code, body := u.apiCall(t, po, "POST", "/api/v1/candidates/"+idText(b.ID)+"/privacy-statement/send", `{"lang": "en"}`, &m); code != http.StatusCreated ||
		m["statement_version"] != float64(1) || m["kind"] != "privacy-statement-sent" || m["statement_channel"] != "email" || m["delivery"] != "pending" || m["outbox_id"] == nil {
		t.Fatalf("sent: %d %s", code, body)
	}
	// The proof is neither changed, nor deleted, nor made by hand — by
	// anyone: a 400 naming the field, in the caller's language.
	// (The privacy officer may not write contact moments at all: 403.)
	for _, patch := range []string{`{"version": 1, "note": "Anders."}`, `{"version": 1, "kind": "phone", "at": "2020-01-01T10:00:00Z"}`} {
		if code, body := u.apiCall(t, rec, "PATCH", "/api/v1/contact-moments/"+shownID, patch, nil); code != http.StatusBadRequest || !strings.Contains(body, `"kind"`) {
			t.Errorf("PATCH of the proof %s: %d %s", patch, code, body)
		}
	}
	for _, tok := range []string{rec, po} {
		if code, body := u.apiCall(t, tok, "DELETE", "/api/v1/contact-moments/"+shownID+"?version=1", "", nil); code/100 != 4 {
			t.Errorf("DELETE of the proof: %d %s", code, body)
		}
	}
	if code, body := u.apiCall(t, rec, "DELETE", "/api/v1/contact-moments/"+shownID+"?version=1", "", nil); code != http.StatusBadRequest || !strings.Contains(body, `"kind"`) {
		t.Errorf("DELETE of the proof: %d %s", code, body)
	}
	if code, body := u.apiCall(t, rec, "POST", "/api/v1/contact-moments", `{"candidate_id": `+idText(c.ID)+`, "kind": "privacy-statement-sent"}`, nil); code != http.StatusBadRequest ||
		!strings.Contains(body, `"kind"`) {
		t.Errorf("a proof by hand: %d %s", code, body)
	}
	if code, body := u.apiCall(t, rec, "GET", "/api/v1/contact-moments/"+shownID, "", &m); code != http.StatusOK || m["version"] != float64(1) || m["note"] == "Anders." {
		t.Fatalf("the proof after it all: %d %s", code, body)
	}
	var list notInformedList
	if code, body := u.apiCall(t, po, "GET", "/api/v1/privacy-statements/not-informed", "", &list); code != http.StatusOK || list.Total != 1 || list.Version != 1 ||
		len(list.Items) != 1 || list.Items[0].ID != c.ID {
		t.Fatalf("not informed: %d %s", code, body)
	}

	// The rest by the job.
	var job store.StatementSend
	if code, body := u.apiCall(t, po, "POST", "/api/v1/privacy-statement-sends", "", &job); code != http.StatusAccepted || job.Total != 1 {
		t.Fatalf("start: %d %s", code, body)
	}
	u.web.Wait()
	if code, body := u.apiCall(t, po, "GET", "/api/v1/privacy-statement-sends/"+idText(job.ID), "", &job); code != http.StatusOK || job.State != "done" || job.Sent != 1 {
		t.Fatalf("the job: %d %s", code, body)
	}
	var vs struct{ Items []kluis.PrivacyStatement }
	if code, body := u.apiCall(t, po, "GET", "/api/v1/privacy-statements", "", &vs); code != http.StatusOK || len(vs.Items) != 1 {
		t.Fatalf("versions: %d %s", code, body)
	}
}
