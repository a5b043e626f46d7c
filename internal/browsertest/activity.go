package browsertest

import (
	"context"
	"fmt"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// AddPrivacyActivity gives the demo agency what its privacy dashboard
// shows besides the retention plan, as the staff would have made it: a
// published privacy statement shown to some candidates, requests of
// candidates (one of them past its deadline), consent requests for the
// data about to expire, and a week of the access log with a payroll
// administrator who revealed far more BSNs than the others.
func AddPrivacyActivity(ctx context.Context, k *Kluis) error {
	po := k.Actor(kluis.RolePrivacy)
	cs, _, err := k.DB.ListCandidates(ctx, po, store.CandidateFilter{Page: kluis.Page{Limit: 200}})
	if err != nil {
		return err
	}
	if len(cs) < 20 {
		return fmt.Errorf("privacy activity: the demo set has %d candidates", len(cs))
	}
	if err := k.DB.PublishPrivacyStatement(ctx, po, &kluis.PrivacyStatement{TextNL: kluis.DefaultStatement("nl"), TextEN: kluis.DefaultStatement("en")}); err != nil {
		return err
	}
	for _, c := range cs[:len(cs)/2] {
		if c.Restricted != "" || (c.Status != "registered" && c.Status != "available" && c.Status != "working") {
			continue
		}
		if _, err := k.DB.RecordStatementShown(ctx, po, c.ID, "desk"); err != nil {
			return err
		}
	}
	today := kluis.DateOf(k.Clock.Now())
	for i, r := range []struct {
		kind     string
		received kluis.Date
		close    string
	}{
		{"access", kluis.DateOf(k.Clock.Now().AddDate(0, 0, -40)), ""}, // past its deadline
		{"access", kluis.DateOf(k.Clock.Now().AddDate(0, 0, -25)), ""},
		{"access", kluis.DateOf(k.Clock.Now().AddDate(0, -2, 0)), "done"},
		{"erasure", kluis.DateOf(k.Clock.Now().AddDate(0, 0, -10)), ""},
		{"rectification", today, ""},
		{"objection", kluis.DateOf(k.Clock.Now().AddDate(0, -1, -5)), "refused"},
	} {
		q := &kluis.Request{CandidateID: cs[i+2].ID, Kind: r.kind, Channel: "email", ReceivedOn: r.received}
		if err := k.DB.CreateRequest(ctx, po, q); err != nil {
			return err
		}
		if r.close == "" {
			continue
		}
		v, err := k.DB.VerifyRequest(ctx, po, q.ID, q.Version, "known-email", r.received)
		if err != nil {
			return err
		}
		if _, err := k.DB.CloseRequest(ctx, po, q.ID, v.Version, r.close, "Afgehandeld per e-mail"); err != nil {
			return err
		}
	}
	if _, err := k.DB.SendConsentRequests(ctx, k.Demo.Tenant.ID, k.URL); err != nil {
		return err
	}
	// The access log of the last week.
	var entries []kluis.AuditEntry
	add := func(u kluis.User, n, reveals int) {
		for i := 0; i < n && i < len(cs); i++ {
			entries = append(entries, kluis.AuditEntry{At: k.Clock.Now().AddDate(0, 0, -(i % 6)), TenantID: k.Demo.Tenant.ID, UserID: u.ID, Role: u.Role,
				Action: "view", Entity: "candidates", EntityID: cs[i].ID, CandidateID: cs[i].ID})
		}
		for i := 0; i < reveals; i++ {
			entries = append(entries, kluis.AuditEntry{At: k.Clock.Now().AddDate(0, 0, -1), TenantID: k.Demo.Tenant.ID, UserID: u.ID, Role: u.Role,
				Action: "reveal", Entity: "candidates", EntityID: cs[i].ID, CandidateID: cs[i].ID, Fields: []string{"bsn"}, Reason: "payroll"})
		}
	}
	add(k.User(kluis.RoleRecruiter), 35, 0)
	add(k.User(kluis.RoleManager), 14, 0)
	add(k.User(kluis.RolePayroll), 9, 24) // far more BSNs revealed than usual
	add(k.User(kluis.RolePrivacy), 11, 1)
	return k.DB.LogAccess(ctx, k.Demo.Tenant.ID, entries)
}
