package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// TestARestrictedCandidateShowsTheBannerOnEveryTabAndNoChanges: a
// candidate whose work ended in 2023 keeps only the payroll records the
// law requires after the clean-up; payroll sees the banner on every tab,
// and no button or form to change anything.
func TestARestrictedCandidateShowsTheBannerOnEveryTabAndNoChanges(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	c := &kluis.Candidate{BranchID: u.Branch.ID, FirstName: "Rik", LastName: "Restant", RegisteredOn: "2022-01-03"}
	if err := u.DB.CreateCandidate(ctx, u.Actor, c); err != nil {
		t.Fatal(err)
	}
	cl := u.MustCreateClient(t, "Kwekerij Restant")
	pl := &kluis.Placement{CandidateID: c.ID, ClientID: cl.ID, Function: "Teler", StartDate: "2022-02-01", EndDate: "2023-06-30", HourlyWageCents: 1500}
	if err := u.DB.CreatePlacement(ctx, u.Actor, pl); err != nil {
		t.Fatal(err)
	}
	payroll := u.user(t, "Pien", kluis.RolePayroll)
	pa := kluis.Actor{TenantID: u.Tenant.ID, UserID: payroll.ID, Role: kluis.RolePayroll}
	if err := u.DB.CreatePayrollRecord(ctx, pa, &kluis.PayrollRecord{CandidateID: c.ID, PlacementID: pl.ID, Year: 2023, Period: 6, GrossCents: 200000, NetCents: 150000}); err != nil {
		t.Fatal(err)
	}
	officer := u.user(t, "Fenna", kluis.RolePrivacy)
	oa := kluis.Actor{TenantID: u.Tenant.ID, UserID: officer.ID, Role: kluis.RolePrivacy}
	recs, err := u.DB.Erase(ctx, oa, []kluis.ID{c.ID}, store.EraseOptions{Reason: "retention"})
	if err != nil || len(recs) != 1 || recs[0].Complete {
		t.Fatalf("the erasure: %+v %v", recs, err)
	}
	if got, err := u.DB.Candidate(ctx, oa, c.ID); err != nil || got.Restricted != kluis.RestrictedLegalMinimum {
		t.Fatalf("after the erasure: %+v %v", got, err)
	}
	ps := u.session(t, payroll.ID)
	base := "/candidates/" + idText(c.ID)
	for _, tab := range []string{"", "/history", "/documents", "/placements", "/payroll", "/privacy"} {
		page := u.get(t, ps, base+tab).expect(t, http.StatusOK)
		if !strings.Contains(page.body, `id="restricted"`) || !page.has("nl", "candidate.restricted") {
			t.Errorf("%s has no banner:\n%s", tab, page.body)
		}
		if strings.Contains(page.body, `href="`+base+`/edit"`) || strings.Contains(page.body, `method="post" action="`+base+`/history"`) ||
			strings.Contains(page.body, `action="`+base+`/privacy/holds"`) || strings.Contains(page.body, `action="`+base+`/documents"`) {
			t.Errorf("%s offers a change", tab)
		}
		if tab == "/history" {
			if frag := u.do(t, ps, "GET", base+tab, nil, true).expect(t, http.StatusOK); !strings.Contains(frag.body, `id="restricted"`) {
				t.Errorf("the tab loaded in place has no banner:\n%s", frag.body)
			}
		}
	}
}
