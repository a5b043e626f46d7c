package cli

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"kluis/internal/store/storetest"
)

// TestAuditVerifyFindsATamperedEntry runs `kluis audit verify` on a log
// that is whole, then on one where an entry was changed in the database.
func TestAuditVerifyFindsATamperedEntry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		ctx := context.Background()
		c := e.MustCreateCandidate(t, "Jansen")
		c.City = "Houten"
		if err := e.DB.UpdateCandidate(ctx, e.Actor, c, c.Version); err != nil {
			t.Fatal(err)
		}
		run := func() (int, string) {
			var out, errb bytes.Buffer
			code := Main(ctx, []string{"audit", "verify", "--data", e.Dir, "--db", e.DSN}, strings.NewReader(""), &out, &errb)
			return code, out.String() + errb.String()
		}
		n, err := e.DB.VerifyAudit(ctx, e.Tenant.ID)
		if err != nil || n < 2 {
			t.Fatalf("%d entries, %v", n, err)
		}
		if code, out := run(); code != 0 || !strings.Contains(out, fmt.Sprintf("test-bureau: %d entries, chain unbroken", n)) {
			t.Fatalf("a whole log: exit %d\n%s", code, out)
		}
		// Someone with database access makes it look as if another field
		// was changed.
		if _, err := storetest.Raw(t, e).ExecContext(ctx, "UPDATE audit_log SET fields = 'street' WHERE tenant_id = $1 AND seq = $2", e.Tenant.ID, n); err != nil {
			t.Fatal(err)
		}
		if code, out := run(); code == 0 || !strings.Contains(out, fmt.Sprintf("BROKEN at entry %d", n)) {
			t.Fatalf("a tampered log: exit %d\n%s", code, out)
		}
	})
}
