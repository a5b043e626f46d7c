package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// TestAManagerRevealsABSNWithAReasonAndItIsLogged: the branch manager sees
// the BSN masked, asks to see it with a reason, sees it this once, and the
// access log says so; a recruiter may not; the privacy officer reads the
// log, which holds no BSN.
func TestAManagerRevealsABSNWithAReasonAndItIsLogged(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	c := u.MustCreateCandidate(t, "Verhoeven")
	cl := u.MustCreateClient(t, "Kwekerij Oost")
	u.MustCreatePlacement(t, c.ID, cl.ID, "2026-11-02")
	c, _ = u.DB.Candidate(ctx, u.Actor, c.ID)
	c.BSN = "249566758"
	if err := u.DB.UpdateCandidate(ctx, u.Actor, c, c.Version); err != nil {
		t.Fatal(err)
	}
	page := "/candidates/" + idText(c.ID)
	manager := u.user(t, "Bram", kluis.RoleManager)
	ms := u.session(t, manager.ID)
	body := u.get(t, ms, page).expect(t, http.StatusOK).body
	if strings.Contains(body, "249566758") || !strings.Contains(body, `action="`+page+`/reveal"`) {
		t.Fatalf("the manager's page shows the BSN, or no way to ask for it:\n%s", body)
	}
	// Without a reason: refused, nothing shown.
	bad := u.post(t, ms, page+"/reveal", url.Values{"field": {"bsn"}}).expect(t, http.StatusUnprocessableEntity)
	if strings.Contains(bad.body, "249566758") {
		t.Fatal("revealed without a reason")
	}
	shown := u.post(t, ms, page+"/reveal", url.Values{"field": {"bsn"}, "reason": {"identity-check"}}).expect(t, http.StatusOK)
	if !strings.Contains(shown.body, "249566758") {
		t.Fatalf("the BSN is not shown after a proper request:\n%s", shown.body)
	}
	recruiter := u.session(t, u.Actor.UserID)
	if body := u.get(t, recruiter, page).expect(t, http.StatusOK).body; strings.Contains(body, "/reveal") {
		t.Error("the recruiter is offered to reveal the BSN")
	}
	u.post(t, recruiter, page+"/reveal", url.Values{"field": {"bsn"}, "reason": {"payroll"}}).expect(t, http.StatusForbidden)

	u.web.access.Flush()
	log, _, err := u.DB.AuditLog(ctx, u.Actor, store.AuditFilter{CandidateID: c.ID, Page: kluis.Page{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	var reveals, managerViews, recruiterViews int
	for _, e := range log {
		switch {
		case e.Action == "reveal":
			reveals++
			if e.UserID != manager.ID || !slices.Equal(e.Fields, []string{"bsn"}) || e.Reason != "identity-check" || e.RequestID == "" {
				t.Errorf("the reveal entry: %+v", e)
			}
		case e.Action == "view" && e.UserID == manager.ID:
			managerViews++
			if slices.Contains(e.Fields, "bsn") {
				t.Errorf("a view of the masked BSN is logged as a view of the BSN: %+v", e)
			}
		case e.Action == "view" && e.UserID == u.Actor.UserID:
			recruiterViews++
		}
	}
	if reveals != 1 || managerViews != 1 || recruiterViews != 1 {
		t.Fatalf("%d reveals, %d views by the manager, %d by the recruiter; want 1, 1, 1: %+v", reveals, managerViews, recruiterViews, log)
	}

	// The privacy officer reviews the log; others may not.
	u.get(t, recruiter, "/audit").expect(t, http.StatusForbidden)
	ps := u.session(t, u.user(t, "Fenna", kluis.RolePrivacy).ID)
	audit := u.get(t, ps, "/audit?candidate_id="+idText(c.ID)).expect(t, http.StatusOK)
	if !strings.Contains(audit.body, "Bram") || !strings.Contains(audit.body, "Identiteit controleren") || strings.Contains(audit.body, "249566758") {
		t.Fatalf("the log page:\n%s", audit.body)
	}
	u.get(t, ps, "/audit?from=2026-13-45").expect(t, http.StatusUnprocessableEntity)
	verified := u.post(t, ps, "/audit/verify", url.Values{}).expect(t, http.StatusOK)
	if !verified.has("nl", "audit.chain.ok") {
		t.Fatalf("the chain does not verify:\n%s", verified.body)
	}
}

func TestUnusualAccessNeedsBothAMultipleAndAFloor(t *testing.T) {
	counts := []store.AccessCount{{UserID: 1, Candidates: 400, Reveals: 0}, {UserID: 2, Candidates: 60, Reveals: 13, BSNReveals: 12},
		{UserID: 3, Candidates: 50}, {UserID: 4, Candidates: 40, Reveals: 1, BSNReveals: 1}, {UserID: 5, Candidates: 30},
		{UserID: 6, Candidates: 20, Reveals: 30}} // IBANs only
	var flagged []kluis.ID
	for _, r := range unusual(counts) {
		if r.Unusual {
			flagged = append(flagged, r.UserID)
		}
	}
	// 400 > 3 × 50 (the median); 12 BSN reveals > 3 × 0 and ≥ 10. Not 6,
	// whose 30 reveals are of no BSN. Nobody else.
	if !slices.Equal(flagged, []kluis.ID{1, 2}) {
		t.Fatalf("flagged %v", flagged)
	}
	quiet := []store.AccessCount{{UserID: 1, Candidates: 12}, {UserID: 2, Candidates: 1}}
	for _, r := range unusual(quiet) {
		if r.Unusual {
			t.Errorf("a quiet week flags %d", r.UserID)
		}
	}
}
