package demo

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"kluis/internal/auth"
	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

var ctx = context.Background()

func mustSeed(t testing.TB, db *store.DB, opt Options) *Result {
	t.Helper()
	res, err := Seed(ctx, db, opt)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return res
}

// all pages through a list method of the store.
func all[T any](t testing.TB, list func(kluis.Page) ([]T, int, error)) []T {
	t.Helper()
	var out []T
	for {
		page, total, err := list(kluis.Page{Limit: kluis.MaxPageSize, Offset: len(out)})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if len(out) >= total || len(page) == 0 {
			return out
		}
	}
}

func candidatesOf(t testing.TB, db *store.DB, a kluis.Actor) []kluis.Candidate {
	return all(t, func(p kluis.Page) ([]kluis.Candidate, int, error) {
		return db.ListCandidates(ctx, a, store.CandidateFilter{Page: p})
	})
}

func privacyOfficer(res *Result) kluis.Actor {
	for _, u := range res.Users {
		if u.Role == kluis.RolePrivacy {
			return kluis.Actor{TenantID: res.Tenant.ID, UserID: u.ID, Role: u.Role}
		}
	}
	return kluis.Actor{TenantID: res.Tenant.ID, Role: kluis.RolePrivacy}
}

func TestSeedMakesTheAgencyItsStaffAndTheirPasswords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		res := mustSeed(t, e.DB, Options{Seed: 1, Password: "geheim-voor-de-demo"})
		if !res.Created || res.Tenant.Slug != "demo" || res.Tenant.Name != "Demo Uitzendbureau" {
			t.Fatalf("result %+v", res)
		}
		if len(res.Branches) != 2 || res.Branches[0].Name != "Rotterdam" || res.Branches[1].Name != "Utrecht" {
			t.Fatalf("branches %+v", res.Branches)
		}
		if len(res.Users) != len(kluis.Roles) {
			t.Fatalf("%d users", len(res.Users))
		}
		// The agency's own details are filled in; the rest is kluis's
		// defaults, so the demo shows clean-up runs that verify a sample
		// and consent requests a month ahead.
		set, err := e.DB.Settings(context.Background(), res.Tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		if set.DPOName == "" || set.CleanupVerifySample != store.DefaultCleanupVerifySample || set.CleanupGraceDays != store.DefaultCleanupGraceDays ||
			set.ConsentNoticeDays != store.DefaultConsentNoticeDays {
			t.Errorf("settings %+v", set)
		}
		for i, u := range res.Users {
			if u.Role != kluis.Roles[i] || u.Email != string(u.Role)+"@demo.kluis.test" {
				t.Errorf("user %d: %s %s", i, u.Role, u.Email)
			}
			stored, err := e.DB.UserByEmail(ctx, res.Tenant.ID, u.Email)
			if err != nil {
				t.Fatal(err)
			}
			if u.Role == kluis.RoleIntegration {
				if stored.PasswordHash != "" {
					t.Errorf("the integration user can log in with a password")
				}
				continue
			}
			if ok, err := auth.VerifyPassword(stored.PasswordHash, "geheim-voor-de-demo"); !ok || err != nil {
				t.Errorf("%s cannot log in: %v %v", u.Email, ok, err)
			}
			if ok, _ := auth.VerifyPassword(stored.PasswordHash, DefaultPassword); ok {
				t.Errorf("%s logs in with the default password although another was given", u.Email)
			}
		}
		if demo, err := e.DB.DemoUsersExist(ctx); err != nil || !demo {
			t.Fatalf("serve would not notice the demo users: %v %v", demo, err)
		}
	})
}

// TestTheDemoUsersWhoNeedTwoFactorLogInWithThePublishedSecret: the demo
// users whose role requires two-factor log-in have it set up with
// TOTPSecret, so that a person trying the demo can log in as them.
func TestTheDemoUsersWhoNeedTwoFactorLogInWithThePublishedSecret(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		res := mustSeed(t, e.DB, Options{Seed: 1})
		cat := catalog.New()
		with := 0
		for _, u := range res.Users {
			a, err := e.DB.Account(ctx, res.Tenant.ID, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if a.HasTOTP() != cat.RequiresTwoFactor(u.Role) {
				t.Errorf("%s: two-factor log-in %v, required %v", u.Email, a.HasTOTP(), cat.RequiresTwoFactor(u.Role))
			}
			if !a.HasTOTP() {
				continue
			}
			with++
			e.Clock.Advance(30 * time.Second)
			code, err := auth.TOTPCode(TOTPSecret, e.Clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := e.DB.CheckTOTP(ctx, res.Tenant.ID, u.ID, code); !ok || err != nil {
				t.Errorf("%s: the code of the published secret is refused: %v", u.Email, err)
			}
		}
		if with < 2 {
			t.Errorf("only %d demo users have two-factor log-in", with)
		}
		// Reset in the demo, it comes back with the next run of the demo.
		admin := kluis.Actor{TenantID: res.Tenant.ID, Role: kluis.RoleAdmin}
		payroll, err := e.DB.AccountByEmail(ctx, res.Tenant.ID, UserEmail(kluis.RolePayroll))
		if err != nil {
			t.Fatal(err)
		}
		if err := e.DB.ResetTOTP(ctx, admin, payroll.ID, payroll.Version); err != nil {
			t.Fatal(err)
		}
		if again := mustSeed(t, e.DB, Options{Seed: 1}); again.Created {
			t.Fatal("the second Seed made the agency anew")
		}
		e.Clock.Advance(30 * time.Second)
		code, _ := auth.TOTPCode(TOTPSecret, e.Clock.Now())
		if ok, err := e.DB.CheckTOTP(ctx, res.Tenant.ID, payroll.ID, code); !ok || err != nil {
			t.Errorf("after a reset and a new run, payroll's published key does not work: %v", err)
		}
	})
}

func TestTheHandMadeCandidatesCoverEveryRetentionState(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		res := mustSeed(t, e.DB, Options{Seed: 1})
		a := privacyOfficer(res)
		g := newGen(1, 0, storetest.Start, nil)
		today := kluis.DateOf(storetest.Start)

		// What the table says, and what the store holds.
		want := map[string]int{}
		for _, p := range handMade {
			want[stateName(p.state(g))]++
		}
		got := map[string]int{}
		cands := candidatesOf(t, e.DB, a)
		if len(cands) != len(handMade) {
			t.Fatalf("%d candidates, want %d", len(cands), len(handMade))
		}
		silentForYears := 0
		for _, c := range cands {
			pls, _, err := e.DB.ListPlacements(ctx, a, store.PlacementFilter{CandidateID: c.ID})
			if err != nil {
				t.Fatal(err)
			}
			working, lastEnd := false, kluis.Date("")
			for _, pl := range pls {
				if pl.ActiveOn(today) {
					working = true
				} else if pl.EndDate > lastEnd {
					lastEnd = pl.EndDate
				}
			}
			state := stateName(working, len(pls) == 0, yearsBetween(lastEnd.Time(), today.Time()))
			got[state]++
			switch {
			case len(pls) == 0 && c.BSN != "":
				t.Errorf("%s has a BSN without ever being placed", c.Name())
			case len(pls) > 0 && c.BSN == "":
				t.Errorf("%s worked but has no BSN", c.Name())
			case working && c.Status != "working":
				t.Errorf("%s works but has status %s", c.Name(), c.Status)
			}
			if len(pls) == 0 {
				moments, _, _ := e.DB.ListContactMoments(ctx, a, store.ContactMomentFilter{CandidateID: c.ID, Page: kluis.Page{Limit: 1}})
				if len(moments) == 0 {
					t.Errorf("%s has no history", c.Name())
				} else if moments[0].At.Before(storetest.Start.AddDate(-2, 0, 0)) {
					silentForYears++
				}
			}
			checkIdentifiers(t, c)
		}
		if !maps(got, want) {
			t.Fatalf("states in the store %v, in the table %v", got, want)
		}
		for _, s := range []string{"working", "never worked", "left 1 years ago", "left 3 years ago", "left 6 years ago", "left 8 years ago"} {
			if got[s] < 3 {
				t.Errorf("only %d candidates %s", got[s], s)
			}
		}
		if silentForYears < 4 {
			t.Errorf("%d never-placed candidates silent for over two years; want a few for the clean-up", silentForYears)
		}
	})
}

func stateName(working, never bool, years int) string {
	switch {
	case working:
		return "working"
	case never:
		return "never worked"
	}
	return "left " + strconv.Itoa(years) + " years ago"
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

func checkIdentifiers(t *testing.T, c kluis.Candidate) {
	t.Helper()
	if c.BSN != "" {
		if _, ok := kluis.NormalizeBSN(c.BSN); !ok {
			t.Errorf("%s: BSN %s fails the elfproef", c.Name(), c.BSN)
		}
	}
	if c.IBAN != "" {
		if _, ok := kluis.NormalizeIBAN(c.IBAN); !ok || !slices.Contains(banks, c.IBAN[4:8]) {
			t.Errorf("%s: IBAN %s", c.Name(), c.IBAN)
		}
	}
	if _, ok := kluis.NormalizePostcode(c.Postcode); !ok {
		t.Errorf("%s: postcode %q", c.Name(), c.Postcode)
	}
	if !strings.HasSuffix(c.Email, "@example.nl") && !strings.HasSuffix(c.Email, "@example.com") {
		t.Errorf("%s: e-mail %s outside the example domains", c.Name(), c.Email)
	}
	if !strings.HasPrefix(c.Phone, "+316") {
		t.Errorf("%s: phone %s", c.Name(), c.Phone)
	}
}

func TestTheHandMadeCandidatesHaveDocumentsPayrollHistoryAndDisclosures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		res := mustSeed(t, e.DB, Options{Seed: 1})
		a := privacyOfficer(res)
		docs := all(t, func(p kluis.Page) ([]kluis.Document, int, error) {
			return e.DB.ListDocuments(ctx, a, store.DocumentFilter{Page: p})
		})
		kinds := map[string]int{}
		for _, d := range docs {
			kinds[d.Kind]++
			want := "application/pdf"
			if d.Kind == "photo" || d.Kind == "id-copy" {
				want = "image/png"
			}
			if d.ContentType != want || d.Size < 60 {
				t.Errorf("document %s: %s, %d bytes", d.FileName, d.ContentType, d.Size)
			}
		}
		for _, k := range []string{"cv", "id-copy", "photo", "contract", "pay-slip", "annual-statement", "payroll-tax-form", "work-permit"} {
			if kinds[k] == 0 {
				t.Errorf("no %s documents; have %v", k, kinds)
			}
		}
		records := all(t, func(p kluis.Page) ([]kluis.PayrollRecord, int, error) {
			return e.DB.ListPayrollRecords(ctx, a, store.PayrollFilter{Page: p})
		})
		years, withSlip := map[int]bool{}, 0
		for _, r := range records {
			years[r.Year] = true
			if r.DocumentID != 0 {
				withSlip++
			}
			if r.Period < 1 || r.Period > 12 || r.GrossCents < 100_000 || r.NetCents >= r.GrossCents {
				t.Errorf("implausible payroll record %+v", r)
			}
		}
		if len(years) < 8 || withSlip == 0 {
			t.Errorf("payroll over %d years, %d with a pay slip", len(years), withSlip)
		}
		moments := all(t, func(p kluis.Page) ([]kluis.ContactMoment, int, error) {
			return e.DB.ListContactMoments(ctx, a, store.ContactMomentFilter{Page: p})
		})
		momentKinds := map[string]int{}
		for _, m := range moments {
			momentKinds[m.Kind]++
			// The proof: the wording agreed to (and the channel).
			if m.Kind == "consent" && !strings.Contains(m.Note, "Tekst") {
				t.Errorf("consent without its proof: %q", m.Note)
			}
		}
		for _, k := range []string{"phone", "email", "visit", "check-in", "privacy-statement-shown", "consent", "cv-sent"} {
			if momentKinds[k] == 0 {
				t.Errorf("no %s contact moments; have %v", k, momentKinds)
			}
		}
		disclosures := all(t, func(p kluis.Page) ([]kluis.Disclosure, int, error) {
			return e.DB.ListDisclosures(ctx, a, store.DisclosureFilter{Page: p})
		})
		recipients := map[string]int{}
		sentToday := 0
		for _, d := range disclosures {
			recipients[d.RecipientKind]++
			if d.RecipientKind == "client" && d.DisclosedAt.Equal(storetest.Start) {
				sentToday++
			}
		}
		for _, k := range []string{"client", "payroll-provider", "pension-fund", "uwv"} {
			if recipients[k] == 0 {
				t.Errorf("no disclosures to a %s; have %v", k, recipients)
			}
		}
		if sentToday == 0 {
			t.Errorf("no CV sent to a client through DiscloseDocument")
		}
		clients := all(t, func(p kluis.Page) ([]kluis.Client, int, error) {
			return e.DB.ListClients(ctx, a, store.ClientFilter{Page: p})
		})
		if len(clients) != len(clientSpecs) {
			t.Fatalf("%d clients", len(clients))
		}
		for _, c := range clients {
			contacts, _, err := e.DB.ClientContacts(ctx, a, c.ID, kluis.Page{})
			if err != nil || len(contacts) == 0 || len(c.KvKNumber) != 8 {
				t.Errorf("client %s: KvK %q, %d contact persons (%v)", c.Name, c.KvKNumber, len(contacts), err)
			}
		}
	})
}

func TestSeedingTwiceChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		first := mustSeed(t, e.DB, Options{Seed: 1})
		again := mustSeed(t, e.DB, Options{Seed: 2, Candidates: 50})
		if again.Created || again.Tenant.ID != first.Tenant.ID {
			t.Fatalf("second seed: %+v", again)
		}
		if len(again.Users) != len(first.Users) || len(again.Branches) != 2 {
			t.Fatalf("second seed reports %d users, %d branches", len(again.Users), len(again.Branches))
		}
		for i := range first.Users {
			if again.Users[i].ID != first.Users[i].ID || again.Users[i].PasswordHash != first.Users[i].PasswordHash {
				t.Errorf("user %s changed", first.Users[i].Email)
			}
		}
		if n := len(candidatesOf(t, e.DB, privacyOfficer(first))); n != len(handMade) {
			t.Fatalf("%d candidates after seeding twice", n)
		}
		tenants, _ := e.DB.Tenants(ctx)
		if len(tenants) != 2 {
			t.Fatalf("%d tenants: the test agency and one demo agency expected", len(tenants))
		}
	})
}

// fingerprint lists what tells two data sets apart, in list order.
func fingerprint(t *testing.T, db *store.DB) []string {
	tenant, err := db.TenantBySlug(ctx, Slug)
	if err != nil {
		t.Fatal(err)
	}
	a := kluis.Actor{TenantID: tenant.ID, Role: kluis.RolePrivacy}
	var out []string
	for _, c := range candidatesOf(t, db, a) {
		out = append(out, strings.Join([]string{c.Name(), c.Email, c.Phone, c.BSN, c.IBAN, c.Postcode, c.City,
			string(c.DateOfBirth), string(c.RegisteredOn), c.Status}, "|"))
	}
	return out
}

func TestTheSameSeedGivesTheSameCandidates(t *testing.T) {
	opt := Options{Seed: 7, Candidates: 300}
	one, two, other := storetest.Open(t, store.SQLite), storetest.Open(t, store.SQLite), storetest.Open(t, store.SQLite)
	mustSeed(t, one.DB, opt)
	mustSeed(t, two.DB, opt)
	mustSeed(t, other.DB, Options{Seed: 8, Candidates: 300})
	a, b, c := fingerprint(t, one.DB), fingerprint(t, two.DB), fingerprint(t, other.DB)
	if len(a) != len(handMade)+300 || !slices.Equal(a, b) {
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("candidate %d differs:\n%s\n%s", i, a[i], b[i])
			}
		}
		t.Fatalf("%d and %d candidates", len(a), len(b))
	}
	if slices.Equal(a, c) {
		t.Fatal("another seed gave the same data")
	}
}

func TestAScaleRunReportsProgressAndAddsTheCandidates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		const n = 3000
		var calls [][2]int
		res := mustSeed(t, e.DB, Options{Seed: 3, Candidates: n, Progress: func(done, total int) {
			calls = append(calls, [2]int{done, total})
		}})
		if len(calls) < 2 || calls[0] != [2]int{0, n} || calls[len(calls)-1] != [2]int{n, n} {
			t.Fatalf("progress calls %v", calls)
		}
		for i := 1; i < len(calls); i++ {
			if calls[i][0] < calls[i-1][0] {
				t.Fatalf("progress went back: %v", calls)
			}
		}
		a := privacyOfficer(res)
		cands := candidatesOf(t, e.DB, a)
		if len(cands) != len(handMade)+n {
			t.Fatalf("%d candidates, want %d", len(cands), len(handMade)+n)
		}
		bsns := map[string]bool{}
		for _, c := range cands {
			checkIdentifiers(t, c)
			if c.BSN != "" {
				if bsns[c.BSN] {
					t.Errorf("BSN %s given twice", c.BSN)
				}
				bsns[c.BSN] = true
			}
		}
		_, placed, _ := e.DB.ListPlacements(ctx, a, store.PlacementFilter{})
		_, moments, _ := e.DB.ListContactMoments(ctx, a, store.ContactMomentFilter{})
		_, working, _ := e.DB.ListCandidates(ctx, a, store.CandidateFilter{Status: "working"})
		if placed < n*35/100 || placed > n*45/100+100 || moments < n*28/10 || moments > n*40/10 || working < n/20 {
			t.Fatalf("%d placements, %d contact moments, %d working for %d candidates", placed, moments, working, n)
		}
		if len(bsns) < n*35/100 {
			t.Fatalf("%d BSNs for %d placements", len(bsns), placed)
		}
	})
}

// BenchmarkSeed measures a large seed on SQLite, per generated candidate:
//
//	KLUIS_DEMO_SCALE=100000 go test ./internal/demo -run '^$' -bench Seed -benchtime 1x
func BenchmarkSeed(b *testing.B) {
	n := 10000
	if v := os.Getenv("KLUIS_DEMO_SCALE"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("KLUIS_DEMO_SCALE=%q is not a number of candidates", v)
		}
	}
	for b.Loop() {
		b.StopTimer()
		e := storetest.Open(b, store.SQLite)
		b.StartTimer()
		if _, err := Seed(ctx, e.DB, Options{Seed: 1, Candidates: n}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		a := kluis.Actor{TenantID: mustTenant(b, e.DB).ID, Role: kluis.RolePrivacy}
		_, moments, _ := e.DB.ListContactMoments(ctx, a, store.ContactMomentFilter{Page: kluis.Page{Limit: 1}})
		b.ReportMetric(float64(moments)/float64(n), "moments/candidate")
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/candidate")
}

func mustTenant(t testing.TB, db *store.DB) *kluis.Tenant {
	tenant, err := db.TenantBySlug(ctx, Slug)
	if err != nil {
		t.Fatal(err)
	}
	return tenant
}

// TestTheDemoHoldsThePrivacyOfficersDesk: what the dashboard charts is in
// the demo itself, made through the store: requests in every state (one
// past its deadline, one extended), consent requests agreed, declined and
// unanswered, a finished clean-up run that erased candidates altogether,
// and a week of the access log with one staff member who revealed far
// more BSNs than the others.
func TestTheDemoHoldsThePrivacyOfficersDesk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		res := mustSeed(t, e.DB, Options{Seed: 1})
		a := privacyOfficer(res)
		qs, _, err := e.DB.Requests(ctx, a, store.RequestFilter{Page: kluis.Page{Limit: 100}})
		if err != nil {
			t.Fatal(err)
		}
		statuses := map[string]int{}
		for _, q := range qs {
			statuses[q.Status]++
		}
		overdue, _, err := e.DB.Requests(ctx, a, store.RequestFilter{Overdue: true})
		if err != nil || len(overdue) != 1 {
			t.Errorf("%d overdue requests (%v)", len(overdue), err)
		}
		for _, s := range []string{"received", "extended", "done", "refused"} {
			if statuses[s] == 0 {
				t.Errorf("no %s request; have %v", s, statuses)
			}
		}
		crs, _, err := e.DB.ListConsentRequests(ctx, a, store.ConsentRequestFilter{})
		if err != nil {
			t.Fatal(err)
		}
		answers := map[string]int{}
		for _, r := range crs {
			answers[r.Answer]++
		}
		if answers["agreed"] != 1 || answers["declined"] != 1 || answers[""] < 2 {
			t.Errorf("consent requests by answer: %v", answers)
		}
		runs, _, err := e.DB.CleanupRuns(ctx, a, kluis.Page{})
		if err != nil || len(runs) != 1 {
			t.Fatalf("%d clean-up runs (%v)", len(runs), err)
		}
		if r := runs[0]; r.State != "done" || r.Complete != len(cleanedUp) || r.Failed != 0 {
			t.Errorf("the clean-up run: %+v", r)
		}
		counts, err := e.DB.AccessCounts(ctx, a, e.DB.Now().AddDate(0, 0, -7))
		if err != nil {
			t.Fatal(err)
		}
		var most store.AccessCount
		for _, c := range counts {
			if c.BSNReveals > most.BSNReveals {
				most = c
			}
		}
		if most.UserID != actorOf(res.Tenant, res.Users, kluis.RolePayroll).UserID || most.BSNReveals < 20 || most.Reveals <= most.BSNReveals {
			t.Errorf("BSN reveals: %+v", counts)
		}
	})
}
