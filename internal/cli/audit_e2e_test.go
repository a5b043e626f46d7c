package cli

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store/storetest"
)

// TestTheAPILogsViewsAndReveals: reading a candidate and revealing a BSN
// through the API leave entries in the access log, which the privacy
// officer reads through the API; the entries hold no BSN.
func TestTheAPILogsViewsAndReveals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		recruiter := startServer(t, e)
		manager := recruiter.as(e, kluis.RoleManager)
		payroll := recruiter.as(e, kluis.RolePayroll)
		privacy := recruiter.as(e, kluis.RolePrivacy)
		ctx := context.Background()
		c := e.MustCreateCandidate(t, "Jansen")
		e.MustCreatePlacement(t, c.ID, e.MustCreateClient(t, "Kwekerij Oost").ID, "2026-11-02")
		path := fmt.Sprintf("/api/v1/candidates/%d", c.ID)
		var cur kluis.Candidate
		payroll.want(200, "GET", path, nil).json(t, &cur)
		payroll.want(200, "PATCH", path, map[string]any{"bsn": "249566758", "version": cur.Version})

		manager.want(200, "GET", path, nil)
		manager.want(400, "POST", path+"/reveal", map[string]any{"fields": []string{"bsn"}, "reason": "curious"})
		recruiter.want(403, "POST", path+"/reveal", map[string]any{"fields": []string{"bsn"}, "reason": "payroll"})
		var shown map[string]string
		manager.want(200, "POST", path+"/reveal", map[string]any{"fields": []string{"bsn"}, "reason": "authority"}).json(t, &shown)
		if shown["bsn"] != "249566758" {
			t.Fatalf("revealed %v", shown)
		}
		// Views are written in batches; the reveal at once.
		deadline := time.Now().Add(5 * time.Second)
		var log struct {
			Items []kluis.AuditEntry
			Total int
		}
		for {
			privacy.want(200, "GET", fmt.Sprintf("/api/v1/audit-log?candidate_id=%d&limit=200", c.ID), nil).json(t, &log)
			views := 0
			for _, x := range log.Items {
				if x.Action == "view" {
					views++
				}
			}
			if views >= 2 || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		var got []string
		for _, x := range log.Items {
			got = append(got, x.Action+":"+string(x.Role)+":"+strings.Join(x.Fields, ","))
		}
		joined := strings.Join(got, " ")
		for _, want := range []string{"reveal:manager:bsn", "update:payroll:bsn,bsn_fingerprint", "view:payroll:", "view:manager:"} {
			if !strings.Contains(joined, want) {
				t.Errorf("the log lacks %s: %s", want, joined)
			}
		}
		if strings.Contains(joined, "view:manager:bsn") {
			t.Error("the manager's view of the masked BSN is logged as a view of the BSN")
		}
		recruiter.want(403, "GET", "/api/v1/audit-log", nil)
		if n, err := e.DB.VerifyAudit(ctx, e.Tenant.ID); err != nil || n < 5 {
			t.Fatalf("verify: %d, %v", n, err)
		}
	})
}

// TestReadingAPlacementIsAViewOfItsCandidate: the access log names the
// candidate a record belongs to, not only the candidate record itself.
func TestReadingAPlacementIsAViewOfItsCandidate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		c := startServer(t, e)
		privacy := c.as(e, kluis.RolePrivacy)
		cand := e.MustCreateCandidate(t, "Jansen")
		p := e.MustCreatePlacement(t, cand.ID, e.MustCreateClient(t, "Kwekerij Oost").ID, "2026-11-02")
		c.want(200, "GET", fmt.Sprintf("/api/v1/placements/%d", p.ID), nil)
		deadline := time.Now().Add(5 * time.Second)
		for {
			var log struct{ Items []kluis.AuditEntry }
			privacy.want(200, "GET", fmt.Sprintf("/api/v1/audit-log?candidate_id=%d&action=view", cand.ID), nil).json(t, &log)
			for _, x := range log.Items {
				if x.Entity == "placements" && x.EntityID == p.ID {
					return
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("no view of the placement in the log: %+v", log.Items)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}
