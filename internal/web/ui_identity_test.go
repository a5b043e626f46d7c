package web

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"kluis/internal/kluis"
)

// TestStaffSeeWhenAnIDCopyExpires: for a candidate who is not employed the
// personal and documents tabs say when R2 removes the identity data; once
// the candidate has a placement as an employee they no longer do.
func TestStaffSeeWhenAnIDCopyExpires(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	c := u.MustCreateCandidate(t, "Verhoeven")
	c.IDDocumentType, c.IDDocumentNumber = "passport", "NXC4R8K21"
	if err := u.DB.UpdateCandidate(ctx, u.Actor, c, c.Version); err != nil {
		t.Fatal(err)
	}
	payroll := u.user(t, "Pien", kluis.RolePayroll)
	pa := kluis.Actor{TenantID: u.Tenant.ID, UserID: payroll.ID, Role: kluis.RolePayroll}
	if err := u.DB.CreateDocument(ctx, pa, &kluis.Document{CandidateID: c.ID, Kind: "id-copy", FileName: "paspoort.pdf"},
		bytes.NewReader([]byte("%PDF-1.4\n%%EOF\n"))); err != nil {
		t.Fatal(err)
	}
	me := u.session(t, payroll.ID)
	page := "/candidates/" + idText(c.ID)
	for _, path := range []string{page, page + "/documents"} {
		if body := u.get(t, me, path).expect(t, http.StatusOK).body; !strings.Contains(body, "wordt verwijderd op 27-12-2026") {
			t.Errorf("%s does not say when the ID data go:\n%s", path, body)
		}
	}
	cl := u.MustCreateClient(t, "Kwekerij Oost")
	u.MustCreatePlacement(t, c.ID, cl.ID, "2026-12-07")
	for _, path := range []string{page, page + "/documents"} {
		if body := u.get(t, me, path).expect(t, http.StatusOK).body; strings.Contains(body, "wordt verwijderd op") {
			t.Errorf("%s still announces the removal of an employee's ID data", path)
		}
	}
}
