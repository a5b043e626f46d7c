package main

// The stamkaart (record card): one candidate's card, everything kept about
// them, fetched through the API as JSON and as PDF at a low fixed rate,
// next to the bare server reading the same rows with plain SQL and writing
// them as JSON or into a plain fpdf document.
//
// The candidate — 1,000 contact moments, 50 documents, 7 years of monthly
// pay slips — is made with kluis's store on a copy of the data set, which
// is removed afterwards: the data set stays as generated, so the other
// scenarios (the plan and the erasure count and erase every candidate)
// measure the same data as before, and a run can be repeated.

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/pdf"
)

const (
	cardMoments   = 1000
	cardDocuments = 50
	cardPayYears  = 7
	// cardRate is the fixed rate of each step (requests per second): low,
	// as access requests come, so that the latency is that of one card.
	cardRate = 4.0
	// cardUser is the demo's privacy officer: only that role produces a
	// record card.
	cardUser = "privacy@demo.kluis.test"
)

// cardResult is the stamkaart scenario of one data set.
type cardResult struct {
	Moments   int     `json:"contact_moments"`
	Documents int     `json:"documents"`
	Payroll   int     `json:"payroll_records"`
	RatePerS  float64 `json:"rate_per_s"`
	// Bytes is the size of one answer of each target.
	Bytes map[string]int `json:"bytes"`
	// Steps: kluis-json, bare-json, kluis-pdf, bare-pdf; each the best
	// (lowest p99) of cfg.reps, the targets taking turns.
	Steps []step `json:"steps"`
	// Making the copy and the candidate (not measured).
	CopySeconds  float64 `json:"copy_seconds"`
	SetupSeconds float64 `json:"setup_seconds"`
}

func (c *cardResult) step(target string) step {
	for _, s := range c.Steps {
		if s.Target == target {
			return s
		}
	}
	return step{}
}

func measureStamkaart(r *runEnv) (any, error) {
	d := r.d
	logf("%s %d: stamkaart: copying the data set", d.db, d.size)
	began := time.Now()
	cp, err := r.copyDataset("stamkaart")
	if err != nil {
		return nil, err
	}
	defer cp.drop()
	res := &cardResult{RatePerS: cardRate, CopySeconds: round(time.Since(began).Seconds(), 2), Bytes: map[string]int{}}

	// The copy as a data set of its own: kluis, the bare server and the
	// store open it instead of the original.
	cd := *d
	cd.dir, cd.openDSN = cp.dir, cp.dsn
	if d.db == "postgres" {
		cd.dsn = cp.kluisDSN
	}
	began = time.Now()
	id, err := makeCardCandidate(r.ctx, &cd, cp, r.p.tenant)
	if err != nil {
		return nil, fmt.Errorf("make the candidate: %w", err)
	}
	res.SetupSeconds = round(time.Since(began).Seconds(), 2)
	res.Moments, res.Documents, res.Payroll = cardMoments, cardDocuments, cardPayYears*12
	logf("%s %d: stamkaart: candidate made in %.1f s", d.db, d.size, res.SetupSeconds)

	out, err := runCmd(r.ctx, 2*time.Minute, cd.dir, nil, r.kluisBin,
		append([]string{"token", "create", "--tenant", "demo", "--user", cardUser, "--name", "bench-stamkaart", "--ttl", "24h", "--scopes", "candidates:read"}, cd.kluisArgs()...)...)
	if err != nil {
		return nil, fmt.Errorf("token of the privacy officer: %w", err)
	}
	token := strings.TrimSpace(string(out))

	orig := r.d
	r.d = &cd
	defer func() { r.d = orig }()
	k, _, err := r.startKluis("stamkaart")
	if err != nil {
		return nil, err
	}
	defer k.stop()
	b, _, err := r.startBare("stamkaart")
	if err != nil {
		return nil, err
	}
	defer b.stop()

	card := strconv.FormatInt(int64(id), 10)
	get := func(name, url, auth string) *target {
		return &target{name: name, client: newClient(r.cfg.requestLimit), request: func(*rand.Rand) (*http.Request, error) {
			req, err := http.NewRequest(http.MethodGet, url, nil)
			if err == nil && auth != "" {
				req.Header.Set("Authorization", auth)
			}
			return req, err
		}}
	}
	kbase, bbase := "http://"+k.addr+"/api/v1/candidates/"+card+"/record-card", "http://"+b.addr+"/stamkaart/"+card
	targets := [][]*target{
		{get("kluis-json", kbase, "Bearer "+token), get("bare-json", bbase, "")},
		{get("kluis-pdf", kbase+"?format=pdf", "Bearer "+token), get("bare-pdf", bbase+"/pdf", "")},
	}
	// One answer of each, checked and sized; they warm the servers too.
	for _, pair := range targets {
		for _, t := range pair {
			n, err := answerSize(t)
			if err != nil {
				return nil, err
			}
			res.Bytes[t.name] = n
			for range 3 {
				if _, err := answerSize(t); err != nil {
					return nil, err
				}
			}
		}
	}
	seed := uint64(r.cfg.seed) + 500
	for i, ts := range targets {
		logf("%s %d: stamkaart %s at %g req/s (×%d)", d.db, d.size, strings.TrimPrefix(ts[0].name, "kluis-"), cardRate, r.cfg.reps)
		var reps [][]step
		for rep := range r.cfg.reps {
			reps = append(reps, pair(i+rep, ts, func(t *target) step {
				return openLoop(r.ctx, t, cardRate, r.cfg.searchDur, r.cfg.maxInflight, seed+uint64(i)+uint64(rep)<<8)
			}))
			if err := r.ctx.Err(); err != nil {
				return nil, err
			}
		}
		res.Steps = append(res.Steps, best(reps, func(a, b step) bool { return a.P99 < b.P99 })...)
	}
	for _, s := range res.Steps {
		logf("%s %d: stamkaart %s: p50 %s ms, p99 %s ms%s", d.db, d.size, s.Target, num(s.P50), num(s.P99), errNote(s))
	}
	return res, nil
}

func errNote(s step) string {
	if e := errs(s); e != "" {
		return "; " + e
	}
	return ""
}

// answerSize sends one request and returns the size of the answer, which
// must be a 200.
func answerSize(t *target) (int, error) {
	req, err := t.request(nil)
	if err != nil {
		return 0, err
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", t.name, err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	if _, err := body.ReadFrom(resp.Body); err != nil {
		return 0, fmt.Errorf("%s: %w", t.name, err)
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s does not answer GET %s: %d %.200s", t.name, req.URL.Path, resp.StatusCode, body.String())
	}
	return body.Len(), nil
}

// makeCardCandidate makes, with kluis's store on the copy, a candidate with
// a placement, cardMoments contact moments, cardDocuments documents and
// cardPayYears years of monthly pay slips, and returns their id.
func makeCardCandidate(ctx context.Context, cd *dataset, cp *dataCopy, tenant int64) (kluis.ID, error) {
	raw, err := openDB(cp.dsn)
	if err != nil {
		return 0, err
	}
	var user, branch int64
	err = raw.QueryRowContext(ctx, "SELECT id FROM users WHERE tenant_id = $1 AND email = $2", tenant, cardUser).Scan(&user)
	if err == nil {
		err = raw.QueryRowContext(ctx, "SELECT id FROM branches WHERE tenant_id = $1 ORDER BY id LIMIT 1", tenant).Scan(&branch)
	}
	raw.Close()
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("the data set has no user %s or no branch", cardUser)
	}
	if err != nil {
		return 0, err
	}
	db, closeDB, err := openStore(ctx, cd, cp.kluisDSN, cp.dir, true)
	if err != nil {
		return 0, err
	}
	defer closeDB()
	a := kluis.Actor{TenantID: tenant, UserID: user, Role: kluis.RolePrivacy}
	now := db.Now()
	c := &kluis.Candidate{BranchID: branch, Status: "working", Initials: "S.J.", FirstName: "Sanne", Prefix: "van", LastName: "Stamkaart",
		DateOfBirth: "1990-05-17", Nationality: "NL", Email: "s.vanstamkaart@example.nl", Phone: "06-12345678", Street: "Oudegracht",
		HouseNumber: "12", Postcode: "3511 AB", City: "Utrecht", Country: "NL", Functions: []string{"Orderpicker", "Heftruckchauffeur"},
		Availability: "fulltime", RegisteredOn: kluis.DateOf(now.AddDate(-cardPayYears-1, 0, 0)), Source: "walk-in"}
	if err := db.CreateCandidate(ctx, a, c); err != nil {
		return 0, fmt.Errorf("candidate: %w", err)
	}
	cl := &kluis.Client{BranchID: branch, Name: "Kwekerij Stamkaart", KvKNumber: "12345678", City: "Nieuwegein"}
	if err := db.CreateClient(ctx, a, cl); err != nil {
		return 0, fmt.Errorf("client: %w", err)
	}
	pl := &kluis.Placement{CandidateID: c.ID, ClientID: cl.ID, Function: "Orderpicker", StartDate: c.RegisteredOn, HourlyWageCents: 1450}
	if err := db.CreatePlacement(ctx, a, pl); err != nil {
		return 0, fmt.Errorf("placement: %w", err)
	}
	kinds := []string{"phone", "email", "visit", "check-in"}
	for i := range cardMoments {
		m := &kluis.ContactMoment{CandidateID: c.ID, Kind: kinds[i%len(kinds)], At: now.Add(-time.Duration(i)*26*time.Hour - time.Hour),
			Note: fmt.Sprintf("Gebeld over het rooster van week %d en de beschikbaarheid in de weken daarna; afspraak %d bevestigd.", i%52+1, i)}
		if err := db.CreateContactMoment(ctx, a, m); err != nil {
			return 0, fmt.Errorf("contact moment %d: %w", i, err)
		}
	}
	var file bytes.Buffer
	doc := pdf.New(pdf.Options{Title: "Document", Created: now})
	doc.Para(strings.Repeat("Een document van de kandidaat voor de stamkaart van de benchmark. ", 40))
	if err := doc.Write(&file); err != nil {
		return 0, err
	}
	docKinds := []string{"cv", "contract", "pay-slip", "certificate", "annual-statement"}
	for i := range cardDocuments {
		dc := &kluis.Document{CandidateID: c.ID, Kind: docKinds[i%len(docKinds)], FileName: fmt.Sprintf("document-%02d.pdf", i+1)}
		if err := db.CreateDocument(ctx, a, dc, bytes.NewReader(file.Bytes())); err != nil {
			return 0, fmt.Errorf("document %d: %w", i, err)
		}
	}
	for y := now.Year() - cardPayYears; y < now.Year(); y++ {
		for p := 1; p <= 12; p++ {
			pr := &kluis.PayrollRecord{CandidateID: c.ID, PlacementID: pl.ID, Year: y, Period: p, GrossCents: 245000, NetCents: 187512}
			if err := db.CreatePayrollRecord(ctx, a, pr); err != nil {
				return 0, fmt.Errorf("payroll record %d/%d: %w", y, p, err)
			}
		}
	}
	return c.ID, nil
}

// cardMarkdown writes the table of the stamkaart.
func (res *results) cardMarkdown(w func(format string, args ...any)) {
	found := false
	for _, r := range res.Runs {
		_, ok := laterOf[cardResult](r, "stamkaart")
		found = found || ok
	}
	if !found {
		return
	}
	w("### Stamkaart: one candidate's record card through the API vs. the bare server's plain SQL, JSON and fpdf\n\n")
	w("A candidate with %s contact moments, %d documents and %d years of monthly pay slips, made on a copy of the data set. kluis: `GET /api/v1/candidates/{id}/record-card` (JSON; `?format=pdf` the PDF) with a privacy officer's token. Bare: `SELECT *` of the candidate's rows of each table the card holds, written as JSON, or line by line into a plain fpdf document with the same font. %g req/s each, the targets taking turns; the repetition with the lowest p99 is shown. Goals: PDF ≤ 100 ms, JSON ≤ 20 ms (p50: the time one card takes).\n\n",
		num(cardMoments), cardDocuments, cardPayYears, cardRate)
	w("| data set | JSON p50 / p99 ms kluis | bare | kluis ÷ bare (p50) | PDF p50 / p99 ms kluis | bare | kluis ÷ bare (p50) | answer kluis / bare, JSON · PDF | goals |\n")
	w("|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range res.Runs {
		c, ok := laterOf[cardResult](r, "stamkaart")
		if !ok {
			continue
		}
		kj, bj, kp, bp := c.step("kluis-json"), c.step("bare-json"), c.step("kluis-pdf"), c.step("bare-pdf")
		ratio := func(k, b step) string {
			if b.P50 <= 0 {
				return "–"
			}
			return "×" + num(round(k.P50/b.P50, 1))
		}
		kb := func(n int) string { return num(round(float64(n)/1024, 0)) + " kB" }
		w("| %s | %s | %s | %s | %s | %s | %s | %s / %s · %s / %s | %s |\n", runLabel(r), lat2(kj), lat2(bj), ratio(kj, bj), lat2(kp), lat2(bp), ratio(kp, bp),
			kb(c.Bytes["kluis-json"]), kb(c.Bytes["bare-json"]), kb(c.Bytes["kluis-pdf"]), kb(c.Bytes["bare-pdf"]), cardGoals(c))
	}
	w("\n")
}

// cardGoals is the verdict on the two goals of the stamkaart.
func cardGoals(c *cardResult) string {
	mark := func(met bool) string {
		if met {
			return "✅"
		}
		return "❌"
	}
	kp, kj := c.step("kluis-pdf"), c.step("kluis-json")
	return fmt.Sprintf("PDF %s JSON %s", mark(kp.OK > 0 && kp.Errors == 0 && kp.P50 <= 100), mark(kj.OK > 0 && kj.Errors == 0 && kj.P50 <= 20))
}
