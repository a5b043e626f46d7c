package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kluis/internal/kluis"
)

// TestTheAgencyPageSwitchesOptionalDataOffAndTheFormsFollow: the privacy
// officer unticks the nationality; the candidate page and form no longer
// show or ask it, a value held from before survives an edit, and the page
// says when it will be removed.
func TestTheAgencyPageSwitchesOptionalDataOffAndTheFormsFollow(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	c := u.MustCreateCandidate(t, "Verhoeven")
	c.Nationality = "PL"
	if err := u.DB.UpdateCandidate(ctx, u.Actor, c, c.Version); err != nil {
		t.Fatal(err)
	}
	recruiter := u.session(t, u.Actor.UserID)
	privacy := u.session(t, u.user(t, "Fenna", kluis.RolePrivacy).ID)
	u.get(t, recruiter, "/settings/agency").expect(t, http.StatusForbidden)
	u.post(t, recruiter, "/settings/agency", url.Values{"version": {"0"}}).expect(t, http.StatusForbidden)
	if body := u.get(t, recruiter, "/settings").expect(t, http.StatusOK).body; strings.Contains(body, `href="/settings/agency"`) {
		t.Error("the recruiter is offered the agency's settings")
	}
	page := u.get(t, privacy, "/settings/agency").expect(t, http.StatusOK)
	if !page.has("nl", "agency.minimise") || strings.Count(page.body, `name="collect"`) != 5 || strings.Count(page.body, "checked") != 5 {
		t.Fatalf("the page does not offer the five optional items, all ticked:\n%s", page.body)
	}

	// A bad e-mail address: nothing is saved, every field keeps its value.
	form := url.Values{"version": {"0"}, "dpo_email": {"fg@"}, "dpo_name": {"Fenna de Wit"},
		"collect": {"phone", "functions", "availability", "photo"}}
	bad := u.post(t, privacy, "/settings/agency", form).expect(t, http.StatusUnprocessableEntity)
	if !strings.Contains(bad.body, "Fenna de Wit") || !strings.Contains(bad.body, `id="e-dpo_email"`) || strings.Count(bad.body, "checked") != 4 {
		t.Fatalf("the refused form lost what was typed:\n%s", bad.body)
	}
	if s, _ := u.DB.Settings(ctx, u.Tenant.ID); s.Version != 0 {
		t.Fatal("a refused form saved settings")
	}
	form.Set("dpo_email", "fg@bureau.example")
	form.Set("r1_months", "30")
	if bad := u.post(t, privacy, "/settings/agency", form).expect(t, http.StatusUnprocessableEntity); !strings.Contains(bad.body, `id="e-r1_months"`) {
		t.Fatalf("a term over the legal maximum was not refused at its field:\n%s", bad.body)
	}
	form.Set("r1_months", "12")
	u.post(t, privacy, "/settings/agency", form).expect(t, http.StatusSeeOther)
	if s, _ := u.DB.Settings(ctx, u.Tenant.ID); s.R1Months != 12 || s.R3Months != 0 {
		t.Fatalf("terms %d, %d", s.R1Months, s.R3Months)
	}
	page = u.get(t, privacy, "/settings/agency").expect(t, http.StatusOK)
	if !strings.Contains(page.body, "06-12-2026") || !strings.Contains(page.body, "fg@bureau.example") {
		t.Errorf("the page does not say when the held nationality goes:\n%s", page.body)
	}

	cand := "/candidates/" + idText(c.ID)
	if body := u.get(t, recruiter, cand).expect(t, http.StatusOK).body; strings.Contains(body, "Nationaliteit") || strings.Contains(body, ">PL<") {
		t.Error("the candidate page shows the nationality")
	}
	edit := u.get(t, recruiter, cand+"/edit").expect(t, http.StatusOK).body
	if strings.Contains(edit, `name="nationality"`) || !strings.Contains(edit, `name="phone"`) {
		t.Error("the form asks the nationality, or lost the phone")
	}
	stored, _ := u.DB.Candidate(ctx, u.Actor, c.ID)
	post := url.Values{}
	for k, v := range formOfCandidate("nl", stored).Values {
		post.Set(k, v)
	}
	post.Set("nationality", "DE") // a crafted post: ignored, the held value stays
	post.Set("city", "Gouda")
	u.post(t, recruiter, cand+"/edit", post).expect(t, http.StatusSeeOther)
	after, _ := u.DB.Candidate(ctx, u.Actor, c.ID)
	if after.City != "Gouda" || after.Nationality != "PL" {
		t.Fatalf("after the edit: city %s, nationality %s", after.City, after.Nationality)
	}
}
