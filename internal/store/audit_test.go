package store_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

func auditOf(t *testing.T, e *storetest.Env, f store.AuditFilter) []kluis.AuditEntry {
	t.Helper()
	f.Page = kluis.Page{Limit: 200}
	out, _, err := e.DB.AuditLog(ctx, e.Actor, f)
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(out) // oldest first
	return out
}

// entriesBefore is how long the chain is before a test adds to it (the
// test agency's set-up may add entries of its own).
func entriesBefore(t *testing.T, e *storetest.Env) int64 {
	t.Helper()
	n, err := e.DB.VerifyAudit(ctx, e.Tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEveryChangeIsAuditedWithTheFieldsItChanged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		n0 := entriesBefore(t, e)
		c := e.MustCreateCandidate(t, "Jansen")
		c.City, c.IBAN = "Houten", ""
		if err := e.DB.UpdateCandidate(ctx, e.Actor, c, c.Version); err != nil {
			t.Fatal(err)
		}
		m := &kluis.ContactMoment{CandidateID: c.ID, Kind: "phone", Note: "Belde over het rooster."}
		if err := e.DB.CreateContactMoment(ctx, e.Actor, m); err != nil {
			t.Fatal(err)
		}
		if err := e.DB.DeleteContactMoment(ctx, e.Actor, m.ID, m.Version); err != nil {
			t.Fatal(err)
		}
		// A refused change leaves no entry.
		bad := *c
		bad.Postcode = "12"
		if err := e.DB.UpdateCandidate(ctx, e.Actor, &bad, c.Version); err == nil {
			t.Fatal("a bad postcode was saved")
		}
		got := auditOf(t, e, store.AuditFilter{CandidateID: c.ID})
		var lines []string
		for _, x := range got {
			lines = append(lines, x.Action+" "+x.Entity+" "+strings.Join(x.Fields, ","))
			if x.UserID != e.Actor.UserID || x.Role != kluis.RoleRecruiter || x.CandidateID != c.ID {
				t.Errorf("entry %+v does not name the actor and the candidate", x)
			}
		}
		want := []string{
			"create candidates branch_id,status,first_name,last_name,date_of_birth,email,phone,postcode,city,country,functions,registered_on,source",
			"update candidates city",
			"create contact_moments candidate_id,kind,at,user_id,note",
			"delete contact_moments ",
		}
		if !slices.Equal(lines, want) {
			t.Fatalf("the log:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
		}
		if n, err := e.DB.VerifyAudit(ctx, e.Tenant.ID); err != nil || n != n0+4 {
			t.Fatalf("verify: %d entries, %v", n, err)
		}
	})
}

// TestTheAuditChainFindsEveryKindOfTampering changes, removes and cuts off
// entries in the database directly, as someone with database access would.
func TestTheAuditChainFindsEveryKindOfTampering(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		n0 := entriesBefore(t, e)
		c := e.MustCreateCandidate(t, "Jansen")
		for i := 0; i < 4; i++ {
			c.City = []string{"Houten", "Zeist", "Baarn", "Soest"}[i]
			if err := e.DB.UpdateCandidate(ctx, e.Actor, c, c.Version); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := e.DB.VerifyAudit(ctx, e.Tenant.ID); err != nil || n != n0+5 {
			t.Fatalf("an untouched chain: %d, %v", n, err)
		}
		raw := storetest.Raw(t, e)
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := raw.ExecContext(ctx, q, args...); err != nil {
				t.Fatal(err)
			}
		}
		broken := func(wantSeq int64) {
			t.Helper()
			_, err := e.DB.VerifyAudit(ctx, e.Tenant.ID)
			p, ok := err.(store.ChainProblem)
			if !ok || p.Seq != wantSeq {
				t.Fatalf("verify after tampering: %v, want a break at %d", err, wantSeq)
			}
		}
		// A changed entry: someone hides who looked.
		exec("UPDATE audit_log SET user_id = NULL WHERE tenant_id = $1 AND seq = $2", e.Tenant.ID, n0+3)
		broken(n0 + 3)
		exec("UPDATE audit_log SET user_id = $2 WHERE tenant_id = $1 AND seq = $3", e.Tenant.ID, e.Actor.UserID, n0+3)
		if _, err := e.DB.VerifyAudit(ctx, e.Tenant.ID); err != nil {
			t.Fatalf("restored: %v", err)
		}
		// A removed entry in the middle.
		exec("DELETE FROM audit_log WHERE tenant_id = $1 AND seq = $2", e.Tenant.ID, n0+2)
		broken(n0 + 2)
	})
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		n0 := entriesBefore(t, e)
		c := e.MustCreateCandidate(t, "Jansen")
		c.City = "Houten"
		if err := e.DB.UpdateCandidate(ctx, e.Actor, c, c.Version); err != nil {
			t.Fatal(err)
		}
		// The last entry cut off, the head left as it was.
		if _, err := storetest.Raw(t, e).ExecContext(ctx, "DELETE FROM audit_log WHERE tenant_id = $1 AND seq = $2", e.Tenant.ID, n0+2); err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.VerifyAudit(ctx, e.Tenant.ID); err == nil {
			t.Fatal("a cut-off chain verified")
		}
	})
}

// TestParallelChangesKeepOneChain: many writers at once on PostgreSQL (and
// SQLite) still append one unbroken chain.
func TestParallelChangesKeepOneChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		n0 := entriesBefore(t, e)
		var cs []*kluis.Candidate
		for i := 0; i < 8; i++ {
			cs = append(cs, e.MustCreateCandidate(t, "Kandidaat"+string(rune('A'+i))))
		}
		var wg sync.WaitGroup
		for _, c := range cs {
			wg.Add(1)
			go func(c *kluis.Candidate) {
				defer wg.Done()
				for j := 0; j < 5; j++ {
					cur, err := e.DB.Candidate(ctx, e.Actor, c.ID)
					if err != nil {
						t.Error(err)
						return
					}
					cur.City = "Plaats" + string(rune('a'+j))
					if err := e.DB.UpdateCandidate(ctx, e.Actor, cur, cur.Version); err != nil {
						t.Error(err)
						return
					}
				}
			}(c)
		}
		wg.Wait()
		if n, err := e.DB.VerifyAudit(ctx, e.Tenant.ID); err != nil || n != n0+8+8*5 {
			t.Fatalf("verify: %d entries, %v", n, err)
		}
	})
}

// TestLogInsAreInTheAuditLog: failures, the lock-out they cause and a
// successful log-in are entries of the chain, naming the user by id.
func TestLogInsAreInTheAuditLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		for i := 0; i < 5; i++ {
			if _, err := e.DB.LoginFailed(ctx, e.Tenant.ID, e.Actor.UserID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.DB.CompleteLogin(ctx, e.Tenant.ID, e.Actor.UserID); err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, x := range auditOf(t, e, store.AuditFilter{UserID: e.Actor.UserID}) {
			count[x.Action]++
			if x.EntityID != e.Actor.UserID || x.Role != kluis.RoleRecruiter {
				t.Errorf("entry %+v", x)
			}
		}
		if count["login-failed"] != 5 || count["locked"] != 1 || count["login"] != 1 {
			t.Fatalf("entries %v", count)
		}
		if _, err := e.DB.VerifyAudit(ctx, e.Tenant.ID); err != nil {
			t.Fatal(err)
		}
	})
}

// TestOldEntriesArePrunedAndTheRestStillVerifies: after R7 the oldest
// entries go; the chain that remains still proves itself, and new entries
// chain on.
func TestOldEntriesArePrunedAndTheRestStillVerifies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		n0 := entriesBefore(t, e)
		c := e.MustCreateCandidate(t, "Jansen")
		e.Clock.Advance(store.AuditTerm + 24*time.Hour)
		c.City = "Houten"
		if err := e.DB.UpdateCandidate(ctx, e.Actor, c, c.Version); err != nil {
			t.Fatal(err)
		}
		gone, err := e.DB.PruneAudit(ctx, e.Tenant.ID, e.Clock.Now().Add(-store.AuditTerm))
		if err != nil || int64(gone) != n0+1 {
			t.Fatalf("pruned %d (want %d), %v", gone, n0+1, err)
		}
		if n, err := e.DB.VerifyAudit(ctx, e.Tenant.ID); err != nil || n != 1 {
			t.Fatalf("after pruning: %d entries, %v", n, err)
		}
		c.City = "Zeist"
		if err := e.DB.UpdateCandidate(ctx, e.Actor, c, c.Version); err != nil {
			t.Fatal(err)
		}
		if n, err := e.DB.VerifyAudit(ctx, e.Tenant.ID); err != nil || n != 2 {
			t.Fatalf("after a new entry: %d entries, %v", n, err)
		}
		// Pruning keeps the newest entry, however old.
		e.Clock.Advance(10 * store.AuditTerm)
		if _, err := e.DB.PruneAudit(ctx, e.Tenant.ID, e.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		if n, err := e.DB.VerifyAudit(ctx, e.Tenant.ID); err != nil || n != 1 {
			t.Fatalf("after pruning everything old: %d entries, %v", n, err)
		}
	})
}

// TestALargeBatchOfViewsIsOneUnbrokenChain: more entries than fit in one
// INSERT are written in order, chained, in one transaction.
func TestALargeBatchOfViewsIsOneUnbrokenChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		n0 := entriesBefore(t, e)
		c := e.MustCreateCandidate(t, "Jansen")
		batch := make([]kluis.AuditEntry, 450)
		for i := range batch {
			batch[i] = kluis.AuditEntry{UserID: e.Actor.UserID, Role: e.Actor.Role, Action: "view", Entity: "candidates", EntityID: c.ID,
				CandidateID: c.ID, Fields: []string{"last_name"}}
		}
		if err := e.DB.LogAccess(ctx, e.Tenant.ID, batch); err != nil {
			t.Fatal(err)
		}
		if n, err := e.DB.VerifyAudit(ctx, e.Tenant.ID); err != nil || n != n0+1+450 {
			t.Fatalf("verify: %d entries, %v", n, err)
		}
	})
}
