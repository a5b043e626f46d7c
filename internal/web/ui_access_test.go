package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"kluis/internal/kluis"
)

// TestTheStaffUIShowsEachRoleWhatTheCatalogueAllows: the recruiter sees
// the BSN and IBAN masked and cannot change them, payroll sees and changes
// them, the administrator sees no candidate at all.
func TestTheStaffUIShowsEachRoleWhatTheCatalogueAllows(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	c := u.MustCreateCandidate(t, "Verhoeven")
	cl := u.MustCreateClient(t, "Kwekerij Oost")
	u.MustCreatePlacement(t, c.ID, cl.ID, "2026-11-02")
	c, _ = u.DB.Candidate(ctx, u.Actor, c.ID)
	c.BSN, c.IBAN = "249566758", "NL91ABNA0417164300"
	if err := u.DB.UpdateCandidate(ctx, u.Actor, c, c.Version); err != nil {
		t.Fatal(err)
	}
	page := "/candidates/" + idText(c.ID)

	recruiter := u.session(t, u.Actor.UserID)
	for _, path := range []string{page, page + "/edit"} {
		body := u.get(t, recruiter, path).expect(t, http.StatusOK).body
		if strings.Contains(body, "249566758") || strings.Contains(body, "NL91ABNA0417164300") {
			t.Errorf("%s shows the recruiter the whole BSN or IBAN", path)
		}
		if !strings.Contains(body, "******758") || !strings.Contains(body, "NL** **** **** **43 00") {
			t.Errorf("%s does not show the masked BSN and IBAN", path)
		}
	}
	// A recruiter's posted BSN is ignored: the stored one stays.
	stored, _ := u.DB.Candidate(ctx, u.Actor, c.ID)
	vals := formOfCandidate("nl", stored).Values
	post := map[string][]string{}
	for k, v := range vals {
		post[k] = []string{v}
	}
	post["bsn"], post["city"] = []string{"111222333"}, []string{"Westland"}
	u.post(t, recruiter, page+"/edit", post).expect(t, http.StatusSeeOther)
	after, _ := u.DB.Candidate(ctx, u.Actor, c.ID)
	if after.BSN != "249566758" || after.City != "Westland" {
		t.Fatalf("after the recruiter's edit: BSN %s, city %s", after.BSN, after.City)
	}

	payroll := u.session(t, u.user(t, "Pien", kluis.RolePayroll).ID)
	if body := u.get(t, payroll, page).expect(t, http.StatusOK).body; !strings.Contains(body, "249566758") {
		t.Error("payroll does not see the BSN")
	}
	admin := u.session(t, u.user(t, "Arie", kluis.RoleAdmin).ID)
	u.get(t, admin, "/candidates").expect(t, http.StatusForbidden)
	u.get(t, admin, page).expect(t, http.StatusForbidden)
	if body := u.get(t, admin, "/").expect(t, http.StatusOK).body; strings.Contains(body, "Verhoeven") {
		t.Error("the administrator's start page names a candidate")
	}
}
