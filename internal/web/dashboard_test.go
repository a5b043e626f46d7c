package web

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/retention"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
	"kluis/internal/testdb"
)

// dashEnv is an agency with two branches, its staff and a raw connection
// to its database, for counting what the dashboard shows without kluis's
// own queries.
type dashEnv struct {
	*storetest.Env
	web      *Server
	raw      *sql.DB
	other    *kluis.Branch
	officer  *kluis.User
	manager  *kluis.User // of the other branch
	payroll  *kluis.User
	everyone []kluis.Candidate
}

func newDashEnv(t *testing.T, d store.Dialect) *dashEnv {
	t.Helper()
	e := storetest.Open(t, d)
	h, err := New(e.DB, slog.New(slog.NewTextHandler(io.Discard, nil)), e.Clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Wait)
	driver, dsn := "sqlite", e.DSN
	if d == store.Postgres {
		driver, dsn = "pgx", testdb.AcrossAgencies(e.DSN)
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	ctx := context.Background()
	other, err := e.DB.CreateBranch(ctx, kluis.Actor{TenantID: e.Tenant.ID, Role: kluis.RoleAdmin}, "Rotterdam", "Rotterdam")
	if err != nil {
		t.Fatal(err)
	}
	de := &dashEnv{Env: e, web: h, raw: raw, other: other}
	mk := func(name string, role kluis.Role, branch kluis.ID) *kluis.User {
		u := &kluis.User{Email: name + "@test.kluis.test", Name: name, Role: role, BranchID: branch}
		if err := e.DB.CreateUser(ctx, e.Tenant.ID, u); err != nil {
			t.Fatal(err)
		}
		if h.catalog.RequiresTwoFactor(role) {
			mustSetUpTOTP(t, e.DB, e.Tenant.ID, u.ID)
		}
		return u
	}
	de.officer = mk("Petra", kluis.RolePrivacy, 0)
	de.manager = mk("Karin", kluis.RoleManager, other.ID)
	de.payroll = mk("Marco", kluis.RolePayroll, 0)
	return de
}

// view renders the dashboard's view for a user, as their request would.
func (d *dashEnv) view(t *testing.T, u *kluis.User) *dashboardView {
	t.Helper()
	ctx := context.WithValue(context.WithValue(context.Background(), userKey{}, u), actorKey{}, kluis.ActorFor(u))
	r := httptest.NewRequest(http.MethodGet, "/dashboard", nil).WithContext(ctx)
	v, err := d.web.dashboard(r)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (v *dashboardView) chart(t *testing.T, id string) (labels []string, series map[string][]int) {
	t.Helper()
	for _, p := range v.Panels {
		for _, c := range p.Charts {
			if c.ID == id {
				series = map[string][]int{}
				for _, s := range c.Series {
					series[s.Name] = s.Values
				}
				return c.Labels, series
			}
		}
	}
	t.Fatalf("no chart %s", id)
	return nil, nil
}

func (d *dashEnv) mustExec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := d.raw.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// seed gives the agency a bit of everything the dashboard counts, in both
// branches.
func (d *dashEnv) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	po := kluis.ActorFor(d.officer)
	po.TenantID = d.Tenant.ID
	var cands []kluis.Candidate
	for i, name := range []string{"Aalders", "Bakker", "Claes", "Dekker", "Evers", "Feenstra", "Gerritsen", "Hoekstra"} {
		c := &kluis.Candidate{BranchID: d.Branch.ID, FirstName: "Sanne", LastName: name, Email: strings.ToLower(name) + "@example.nl", Source: "walk-in"}
		if i%2 == 1 {
			c.BranchID = d.other.ID
		}
		if i == 3 {
			c.RegisteredOn = "2024-12-10" // R1 runs out within the year
		}
		if err := d.DB.CreateCandidate(ctx, po, c); err != nil {
			t.Fatal(err)
		}
		cands = append(cands, *c)
	}
	d.everyone = cands
	if err := d.DB.PublishPrivacyStatement(ctx, po, &kluis.PrivacyStatement{TextNL: kluis.DefaultStatement("nl"), TextEN: kluis.DefaultStatement("en")}); err != nil {
		t.Fatal(err)
	}
	for _, c := range cands[:3] {
		if _, err := d.DB.RecordStatementShown(ctx, po, c.ID, "desk"); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range []struct {
		kind     string
		received kluis.Date
		close    string
	}{{"access", "2026-10-01", ""}, {"access", "2026-11-20", ""}, {"portability", "2026-11-01", "done"}, {"objection", "2026-10-20", "refused"}, {"access", "2026-10-25", ""}} {
		q := &kluis.Request{CandidateID: cands[i].ID, Kind: r.kind, Channel: "email", ReceivedOn: r.received}
		if err := d.DB.CreateRequest(ctx, po, q); err != nil {
			t.Fatal(err)
		}
		if r.close != "" {
			v, err := d.DB.VerifyRequest(ctx, po, q.ID, q.Version, "known-email", r.received)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := d.DB.CloseRequest(ctx, po, q.ID, v.Version, r.close, "Afgehandeld"); err != nil {
				t.Fatal(err)
			}
		}
	}
	now := d.Clock.Now()
	for i, cr := range []struct {
		cand   int
		sent   kluis.Date
		answer string
	}{{0, "2026-10-02", "agreed"}, {1, "2026-10-15", "declined"}, {2, "2026-11-03", ""}, {3, "2026-11-10", "agreed"}, {4, "2025-06-01", "agreed"}} {
		d.mustExec(t, `INSERT INTO consent_requests (tenant_id, id, candidate_id, token_hash, data_expires, sent_on, link_expires, answer, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, d.Tenant.ID, 9000+i, cands[cr.cand].ID, "hash-"+string(rune('a'+i)), kluis.Date("2027-01-01"), cr.sent, now, cr.answer, now)
	}
	// Clean-up runs and their erasure records, one per candidate a run
	// erased (altogether or in part), as a run writes them; and one
	// erasure of a request, outside any run.
	erasure := func(id int, groups []string, complete bool, run any, at time.Time) {
		var gs []kluis.ErasedGroup
		for _, g := range groups {
			gs = append(gs, kluis.ErasedGroup{Category: g, Rule: "R1", Fields: []string{"x"}})
		}
		js, _ := json.Marshal(gs)
		d.mustExec(t, `INSERT INTO erasures (tenant_id, id, candidate_id, complete, reason, run_id, erased, kept, rows_erased, files_erased, erased_at, files_pending)
			VALUES ($1, $2, $3, $4, 'retention', $5, $6, '[]', 1, 0, $7, 0)`, d.Tenant.ID, 7000+id, 990000+id, complete, run, string(js), at)
	}
	groupSets := [][]string{{"identity", "contact", "history"}, {"bsn", "payroll"}, {"notes"}, {"identity"}}
	k := 0
	for i, run := range []struct {
		date              kluis.Date
		complete, partial int
	}{{"2026-09-14", 3, 1}, {"2026-11-02", 2, 4}, {"2026-11-20", 1, 0}, {"2025-01-05", 2, 1}} {
		d.mustExec(t, `INSERT INTO cleanup_runs (tenant_id, id, state, nightly, run_date, complete, partial, started_at, heartbeat_at)
			VALUES ($1, $2, 'done', $3, $4, $5, $6, $7, $7)`, d.Tenant.ID, 8000+i, false, run.date, run.complete, run.partial, now)
		for j := 0; j < run.complete+run.partial; j++ {
			erasure(k, groupSets[k%len(groupSets)], j < run.complete, int64(8000+i), run.date.Time().Add(2*time.Hour))
			k++
		}
	}
	erasure(k, []string{"identity"}, true, nil, now)
	var entries []kluis.AuditEntry
	for i := 0; i < 3; i++ {
		for _, c := range cands {
			entries = append(entries, kluis.AuditEntry{At: now.Add(-time.Duration(i) * 24 * time.Hour), TenantID: d.Tenant.ID, UserID: d.Actor.UserID, Role: kluis.RoleRecruiter,
				Action: "view", Entity: "candidates", EntityID: c.ID, CandidateID: c.ID})
		}
	}
	for i := 0; i < 12; i++ {
		entries = append(entries, kluis.AuditEntry{At: now.Add(-time.Hour), TenantID: d.Tenant.ID, UserID: d.payroll.ID, Role: kluis.RolePayroll,
			Action: "reveal", Entity: "candidates", EntityID: cands[0].ID, CandidateID: cands[0].ID, Fields: []string{"bsn"}})
	}
	// The manager reveals IBANs and an ID number, and a BSN with an IBAN
	// at once: one reveal, and one BSN reveal.
	for _, fields := range [][]string{{"iban"}, {"iban"}, {"id_document_number"}, {"iban", "bsn"}} {
		entries = append(entries, kluis.AuditEntry{At: now.Add(-2 * time.Hour), TenantID: d.Tenant.ID, UserID: d.manager.ID, Role: kluis.RoleManager,
			Action: "reveal", Entity: "candidates", EntityID: cands[1].ID, CandidateID: cands[1].ID, Fields: fields})
	}
	for _, day := range []int{-9, -2} { // the first is older than a week
		entries = append(entries, kluis.AuditEntry{At: now.AddDate(0, 0, day), TenantID: d.Tenant.ID, UserID: d.manager.ID, Role: kluis.RoleManager,
			Action: "view", Entity: "candidates", EntityID: cands[1].ID, CandidateID: cands[1].ID})
	}
	entries = append(entries, kluis.AuditEntry{At: now.AddDate(0, 0, -1), TenantID: d.Tenant.ID, UserID: d.officer.ID, Role: kluis.RolePrivacy,
		Action: "download", Entity: "candidates", EntityID: cands[2].ID, CandidateID: cands[2].ID})
	if err := d.DB.LogAccess(ctx, d.Tenant.ID, entries); err != nil {
		t.Fatal(err)
	}
	// Two data breaches: one whose 72-hour clock runs, one decided.
	running := &kluis.Breach{Title: "=Adreslijst naar de verkeerde klant", DiscoveredAt: now.Add(-30 * time.Hour), Facts: "Per e-mail verstuurd.",
		Categories: []string{"contact"}, AffectedCount: 3}
	decided := &kluis.Breach{Title: "Laptop gestolen", DiscoveredAt: now.Add(-200 * time.Hour), Facts: "Uit de auto.", Categories: []string{"identity", "bsn"}, AffectedCount: 40}
	for _, b := range []*kluis.Breach{running, decided} {
		if err := d.DB.ReportBreach(ctx, po, b); err != nil {
			t.Fatal(err)
		}
	}
}

// TestEveryFigureOfTheDashboardAgreesWithTheDatabase counts what each chart
// shows with plain queries of the tables (the expiry forecast with the
// retention plan of each candidate read one by one), for the privacy
// officer and for a branch manager, who sees their branch only.
func TestEveryFigureOfTheDashboardAgreesWithTheDatabase(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(string(dialect), func(t *testing.T) {
			d := newDashEnv(t, dialect)
			d.seed(t)
			po := d.view(t, d.officer)
			mgr := d.view(t, d.manager)
			today := kluis.DateOf(d.Clock.Now())
			inBranch := func(branch, cand kluis.ID) bool {
				if branch == 0 {
					return true
				}
				for _, c := range d.everyone {
					if c.ID == cand {
						return c.BranchID == branch
					}
				}
				return false
			}
			for _, who := range []struct {
				name   string
				v      *dashboardView
				branch kluis.ID
			}{{"privacy officer", po, 0}, {"manager", mgr, d.other.ID}} {
				t.Run(who.name, func(t *testing.T) {
					// Requests: kind × status, the open ones past their deadline apart.
					want := map[string]int{}
					rows, err := d.raw.Query("SELECT candidate_id, kind, status, due_on, closed_on FROM requests WHERE tenant_id = $1", d.Tenant.ID)
					if err != nil {
						t.Fatal(err)
					}
					for rows.Next() {
						var cand kluis.ID
						var kind, status string
						var due kluis.Date
						var closed sql.NullString
						if err := rows.Scan(&cand, &kind, &status, &due, &closed); err != nil {
							t.Fatal(err)
						}
						if !inBranch(who.branch, cand) {
							continue
						}
						if !closed.Valid && due < today {
							status = "overdue"
						}
						want[kind+"/"+status]++
					}
					rows.Close()
					labels, series := who.v.chart(t, "chart-requests")
					got := map[string]int{}
					for name, vals := range series {
						for i, n := range vals {
							if n == 0 {
								continue
							}
							status := "overdue"
							if name != text("nl", "dash.overdue") {
								status = kluis.RequestStatuses[slices.IndexFunc(kluis.RequestStatuses, func(c kluis.Choice) bool { return c.Label.NL == name })].Value
							}
							kind := kluis.RequestKinds[slices.IndexFunc(kluis.RequestKinds, func(c kluis.Choice) bool { return c.Label.NL == labels[i] })].Value
							got[kind+"/"+status] += n
						}
					}
					if !maps(got, want) || len(want) == 0 {
						t.Errorf("requests: chart %v, database %v", got, want)
					}

					// Consent requests: month × answer, from twelve months back.
					want = map[string]int{}
					rows, err = d.raw.Query("SELECT candidate_id, sent_on, answer FROM consent_requests WHERE tenant_id = $1", d.Tenant.ID)
					if err != nil {
						t.Fatal(err)
					}
					for rows.Next() {
						var cand kluis.ID
						var sent kluis.Date
						var answer string
						if err := rows.Scan(&cand, &sent, &answer); err != nil {
							t.Fatal(err)
						}
						if inBranch(who.branch, cand) && sent >= "2025-12-01" {
							want[monthLabel("nl", string(sent)[:7])+"/"+orKey(answer)]++
						}
					}
					rows.Close()
					labels, series = who.v.chart(t, "chart-consent")
					got = map[string]int{}
					for _, ans := range []string{"agreed", "declined", "open"} {
						for i, n := range series[text("nl", "dash.consent."+ans)] {
							if n > 0 {
								got[labels[i]+"/"+ans] += n
							}
						}
					}
					if !maps(got, want) || len(want) == 0 {
						t.Errorf("consent requests: chart %v, database %v", got, want)
					}
					// The list behind each month holds as many as its bar.
					u := d.officer
					if who.branch != 0 {
						u = d.manager
					}
					actor := kluis.ActorFor(u)
					for i, m := range monthsFrom(kluis.DateOf(d.Clock.Now().AddDate(0, -(forecastMonths-1), 0)), forecastMonths) {
						bar := 0
						for _, vals := range series {
							bar += vals[i]
						}
						from := kluis.Date(m + "-01")
						_, n, err := d.DB.ListConsentRequests(context.Background(), actor, store.ConsentRequestFilter{SentFrom: from,
							SentBefore: kluis.DateOf(from.Time().AddDate(0, 1, 0))})
						if err != nil || n != bar {
							t.Errorf("consent requests of %s: the list has %d, the bar %d (%v)", m, n, bar, err)
						}
					}

					// The privacy statement: active, unrestricted candidates
					// without a record of the current version.
					want = map[string]int{}
					rows, err = d.raw.Query(`SELECT c.id, c.status, (SELECT count(*) FROM contact_moments m WHERE m.tenant_id = c.tenant_id AND m.candidate_id = c.id
						AND m.kind IN ('privacy-statement-shown', 'privacy-statement-sent') AND m.statement_version = 1)
						FROM candidates c WHERE c.tenant_id = $1 AND c.restricted = ''`, d.Tenant.ID)
					if err != nil {
						t.Fatal(err)
					}
					for rows.Next() {
						var cand kluis.ID
						var status string
						var records int
						if err := rows.Scan(&cand, &status, &records); err != nil {
							t.Fatal(err)
						}
						if !inBranch(who.branch, cand) || !slices.Contains([]string{"registered", "available", "working"}, status) {
							continue
						}
						key := "informed"
						if records == 0 {
							key = "notinformed"
						}
						want[kluis.CandidateStatuses.Label(status, "nl")+"/"+key]++
					}
					rows.Close()
					labels, series = who.v.chart(t, "chart-statement")
					got = map[string]int{}
					for _, key := range []string{"informed", "notinformed"} {
						for i, n := range series[text("nl", "dash.statement."+key)] {
							if n > 0 {
								got[labels[i]+"/"+key] += n
							}
						}
					}
					if !maps(got, want) || len(want) == 0 {
						t.Errorf("privacy statement: chart %v, database %v", got, want)
					}

					// Expiring data: each candidate's plan, read one at a time.
					set, err := d.DB.Settings(context.Background(), d.Tenant.ID)
					if err != nil {
						t.Fatal(err)
					}
					months := monthsFrom(today, forecastMonths)
					want = map[string]int{}
					for _, c := range d.everyone {
						if !inBranch(who.branch, c.ID) {
							continue
						}
						f, err := d.DB.RetentionFacts(context.Background(), kluis.Actor{TenantID: d.Tenant.ID, Role: kluis.RolePrivacy}, c.ID)
						if err != nil {
							t.Fatal(err)
						}
						seen := map[string]bool{}
						for _, it := range retention.Plan(d.web.catalog, f, retention.For(set), today) {
							if it.Erased || it.Expires == "" {
								continue
							}
							label := ""
							if it.Expires <= today {
								label = text("nl", "dash.expiry.now")
							} else if i := slices.Index(months, string(it.Expires)[:7]); i >= 0 {
								label = monthLabel("nl", months[i])
							} else {
								continue
							}
							key := label + "/" + kluis.DataCategories.Label(string(it.Category), "nl")
							if !seen[key] {
								seen[key] = true
								want[key]++
							}
						}
					}
					labels, series = who.v.chart(t, "chart-expiry")
					got = map[string]int{}
					for name, vals := range series {
						for i, n := range vals {
							if n > 0 {
								got[labels[i]+"/"+name] += n
							}
						}
					}
					if !maps(got, want) || len(want) == 0 {
						t.Errorf("expiring data: chart %v, plans %v", got, want)
					}
				})
			}

			// The clean-up and the access log are the privacy officer's only.
			for _, p := range mgr.Panels {
				if p.ID == "cleanup" || p.ID == "access" {
					t.Errorf("the manager has the %s panel", p.ID)
				}
			}
			want := map[string]int{}
			rows, err := d.raw.Query("SELECT run_date, complete, partial FROM cleanup_runs WHERE tenant_id = $1", d.Tenant.ID)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var day kluis.Date
				var complete, partial int
				if err := rows.Scan(&day, &complete, &partial); err != nil {
					t.Fatal(err)
				}
				if day >= "2025-12-01" {
					want[monthLabel("nl", string(day)[:7])+"/complete"] += complete
					want[monthLabel("nl", string(day)[:7])+"/partial"] += partial
				}
			}
			rows.Close()
			labels, series := po.chart(t, "chart-cleanup")
			got := map[string]int{}
			for _, key := range []string{"complete", "partial"} {
				for i, n := range series[text("nl", "dash.cleanup."+key)] {
					if n > 0 {
						got[labels[i]+"/"+key] += n
					}
				}
			}
			if !maps(got, want) {
				t.Errorf("clean-up runs: chart %v, database %v", got, want)
			}
			want = map[string]int{}
			rows, err = d.raw.Query("SELECT erased, erased_at FROM erasures WHERE tenant_id = $1 AND run_id IS NOT NULL", d.Tenant.ID)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var js string
				var at time.Time
				if err := rows.Scan(&js, &at); err != nil {
					t.Fatal(err)
				}
				var gs []kluis.ErasedGroup
				if err := json.Unmarshal([]byte(js), &gs); err != nil {
					t.Fatal(err)
				}
				if at.Before(time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)) {
					continue
				}
				for _, g := range gs {
					want[kluis.DataCategories.Label(g.Category, "nl")]++
				}
			}
			rows.Close()
			labels, series = po.chart(t, "chart-erased")
			got = map[string]int{}
			for i, n := range series[text("nl", "dash.erased.candidates")] {
				if n > 0 {
					got[labels[i]] = n
				}
			}
			if !maps(got, want) || len(want) == 0 {
				t.Errorf("erased categories: chart %v, database %v", got, want)
			}

			// Access: distinct candidates viewed, BSNs revealed and other
			// values revealed per user in the last seven days; the payroll
			// administrator's BSN reveals are unusual.
			want = map[string]int{}
			rows, err = d.raw.Query("SELECT user_id, action, candidate_id, at, fields FROM audit_log WHERE tenant_id = $1 AND user_id IS NOT NULL", d.Tenant.ID)
			if err != nil {
				t.Fatal(err)
			}
			// From the start of the day, in the Netherlands, a week ago.
			day := d.Clock.Now().In(amsterdam).AddDate(0, 0, -7)
			since := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, amsterdam)
			viewed := map[kluis.ID]map[kluis.ID]bool{}
			names := map[kluis.ID]string{d.Actor.UserID: "Test Recruiter", d.payroll.ID: "Marco", d.manager.ID: "Karin", d.officer.ID: "Petra"}
			for rows.Next() {
				var user kluis.ID
				var action string
				var cand sql.NullInt64
				var at time.Time
				var fields string
				if err := rows.Scan(&user, &action, &cand, &at, &fields); err != nil {
					t.Fatal(err)
				}
				if at.Before(since) {
					continue
				}
				switch action {
				case "view", "download":
					if viewed[user] == nil {
						viewed[user] = map[kluis.ID]bool{}
					}
					viewed[user][cand.Int64] = true
				case "reveal":
					want[names[user]+"/reveals"]++
					if slices.Contains(strings.Split(fields, ","), "bsn") {
						want[names[user]+"/bsn"]++
					}
				}
			}
			rows.Close()
			for u, cs := range viewed {
				want[names[u]+"/candidates"] = len(cs)
			}
			labels, series = po.chart(t, "chart-access")
			got = map[string]int{}
			for _, key := range []string{"candidates", "bsn", "reveals"} {
				for i, n := range series[text("nl", "dash.access."+key)] {
					if n > 0 {
						got[labels[i]+"/"+key] += n
					}
				}
			}
			if !maps(got, want) || len(want) == 0 {
				t.Errorf("access: chart %v, database %v", got, want)
			}
			for _, p := range po.Panels {
				for _, c := range p.Charts {
					if c.ID == "chart-access" && (len(c.Alerts) == 0 || !c.Alerts[0] || c.Labels[0] != "Marco") {
						t.Errorf("the unusual reveals are not flagged first: %v %v", c.Labels, c.Alerts)
					}
				}
			}
		})
	}
}

func maps(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestOnlyThePrivacyOfficerAndTheManagerHaveTheDashboard: the page, its
// link on the start page, and nothing for other roles.
func TestOnlyThePrivacyOfficerAndTheManagerHaveTheDashboard(t *testing.T) {
	u := newClientUIEnv(t)
	for _, c := range []struct {
		role kluis.Role
		want int
	}{{kluis.RolePrivacy, http.StatusOK}, {kluis.RoleManager, http.StatusOK}, {kluis.RoleRecruiter, http.StatusForbidden},
		{kluis.RolePayroll, http.StatusForbidden}, {kluis.RoleAdmin, http.StatusForbidden}} {
		usr := u.user(t, "dash-"+string(c.role), c.role)
		s := u.session(t, usr.ID)
		p := u.get(t, s, "/dashboard")
		if p.status != c.want {
			t.Errorf("%s: %d", c.role, p.status)
		}
		start := u.get(t, s, "/")
		if has := strings.Contains(start.body, `href="/dashboard"`); has != (c.want == http.StatusOK) {
			t.Errorf("%s: link on the start page %v", c.role, has)
		}
		if c.want == http.StatusOK && (!strings.Contains(p.body, `<svg class="chart"`) || !strings.Contains(p.body, `<table class="chartdata"`)) {
			t.Errorf("%s: no chart or table", c.role)
		}
		if l := u.get(t, s, "/consent-requests?answer=open"); l.status != c.want {
			t.Errorf("%s: the consent requests: %d", c.role, l.status)
		}
		if c.want != http.StatusOK {
			continue
		}
		for _, bad := range []string{"/consent-requests?month=2026-13", "/consent-requests?answer=maybe", "/consent-requests?month=%3Cscript%3E"} {
			if l := u.get(t, s, bad); l.status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %s gives %d", c.role, bad, l.status)
			}
		}
	}
}

// TestTheDashboardShowsTheBreachesStillToBeDecided: the privacy officer's
// dashboard lists the breaches whose decision is open with their 72-hour
// clocks, red once past; the manager's has no breach panel.
func TestTheDashboardShowsTheBreachesStillToBeDecided(t *testing.T) {
	u := newClientUIEnv(t)
	po := u.user(t, "dash-breach-po", kluis.RolePrivacy)
	a := kluis.Actor{TenantID: u.Tenant.ID, UserID: po.ID, Role: kluis.RolePrivacy}
	late := &kluis.Breach{Title: "Map met loonstroken kwijt", DiscoveredAt: u.Clock.Now().Add(-80 * time.Hour), Facts: "Op de trein laten liggen."}
	if err := u.DB.ReportBreach(t.Context(), a, late); err != nil {
		t.Fatal(err)
	}
	p := u.get(t, u.session(t, po.ID), "/dashboard")
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="panel-breaches"`) || !strings.Contains(p.body, fmt.Sprintf(`href="/breaches/%d"`, late.ID)) ||
		!strings.Contains(p.body, `data-clock="overdue"`) {
		t.Errorf("the privacy officer's dashboard: %d\n%s", p.status, p.body)
	}
	m := u.get(t, u.session(t, u.user(t, "dash-breach-mgr", kluis.RoleManager).ID), "/dashboard")
	if m.status != http.StatusOK || strings.Contains(m.body, `id="panel-breaches"`) || strings.Contains(m.body, "loonstroken") {
		t.Errorf("the manager's dashboard shows the breaches: %d", m.status)
	}
}
