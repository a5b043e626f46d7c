package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"kluis/internal/kluis"
)

// TestTheCandidatesLanguageIsSetOnTheFormAndInTheAPI: staff set the
// language kluis writes to a candidate in, on the form and through the
// API; an unknown one is refused at its field and changes nothing; the
// history tab sends the statement in the candidate's language unless
// another is chosen.
func TestTheCandidatesLanguageIsSetOnTheFormAndInTheAPI(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	c := u.MustCreateCandidate(t, "Taalman")
	recruiter := u.session(t, u.Actor.UserID)
	page := "/candidates/" + idText(c.ID)
	if edit := u.get(t, recruiter, page+"/edit").expect(t, http.StatusOK); !strings.Contains(edit.body, `name="language"`) {
		t.Fatalf("the form has no language: %s", edit.body)
	}
	post := map[string][]string{}
	for k, v := range formOfCandidate("nl", c).Values {
		post[k] = []string{v}
	}
	post["language"] = []string{"xx"}
	bad := u.post(t, recruiter, page+"/edit", post).expect(t, http.StatusUnprocessableEntity)
	if clientFieldError(bad.body, "language") == "" {
		t.Fatalf("an unknown language: %s", bad.body)
	}
	post["language"] = []string{"en"}
	u.post(t, recruiter, page+"/edit", post).expect(t, http.StatusSeeOther)
	if after, _ := u.DB.Candidate(ctx, u.Actor, c.ID); after.Language != "en" {
		t.Fatalf("after the form: %q", after.Language)
	}

	tok := u.token(t, u.Actor.UserID, "*")
	var got map[string]any
	if code, body := u.apiCall(t, tok, "GET", "/api/v1/candidates/"+idText(c.ID), "", &got); code != http.StatusOK || got["language"] != "en" {
		t.Fatalf("the API: %d %s", code, body)
	}
	if code, body := u.apiCall(t, tok, "PATCH", "/api/v1/candidates/"+idText(c.ID), `{"version": 2, "language": "de"}`, nil); code != http.StatusBadRequest || !strings.Contains(body, `"language"`) {
		t.Fatalf("an unknown language through the API: %d %s", code, body)
	}
	if code, body := u.apiCall(t, tok, "PATCH", "/api/v1/candidates/"+idText(c.ID), `{"version": 2, "language": ""}`, &got); code != http.StatusOK || got["language"] != "" {
		t.Fatalf("the language made unknown: %d %s", code, body)
	}
	officer := u.user(t, "Fenna", kluis.RolePrivacy)
	if err := u.DB.PublishPrivacyStatement(ctx, kluis.Actor{TenantID: u.Tenant.ID, UserID: officer.ID, Role: kluis.RolePrivacy},
		&kluis.PrivacyStatement{TextNL: "# V", TextEN: "# V"}); err != nil {
		t.Fatal(err)
	}
	tab := u.do(t, recruiter, "GET", page+"/history", nil, false).expect(t, http.StatusOK)
	if !strings.Contains(tab.body, `<option value="">`+text("nl", "statement.lang.candidate")+`</option>`) {
		t.Errorf("the history tab's choice of language: %s", tab.body)
	}
}
