package web

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

// The values the matrix looks for in every answer.
const (
	matrixBSN  = "249566758"
	matrixIBAN = "NL91ABNA0417164300"
	matrixDoc  = "NXC4R8K21"
)

// matrixAgency is one agency with one candidate who has data of every kind.
type matrixAgency struct {
	tenant, candidate, client, contact, placement, moment, document, payroll, disclosure, request, letter, breach, restriction kluis.ID
}

func seedMatrixAgency(t testing.TB, db *store.DB, a kluis.Actor, branch kluis.ID, bsn string) matrixAgency {
	t.Helper()
	ctx := context.Background()
	m := matrixAgency{tenant: a.TenantID}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	c := &kluis.Candidate{BranchID: branch, FirstName: "Sanne", LastName: "Matrix", City: "Utrecht", Email: "sanne@example.nl"}
	must(db.CreateCandidate(ctx, a, c))
	cl := &kluis.Client{BranchID: branch, Name: "Kwekerij Matrix", KvKNumber: "12345678", City: "Naaldwijk"}
	must(db.CreateClient(ctx, a, cl))
	cc := &kluis.ClientContact{ClientID: cl.ID, Name: "Piet Contact", Email: "piet@kwekerij.example"}
	must(db.CreateClientContact(ctx, a, cc))
	pl := &kluis.Placement{CandidateID: c.ID, ClientID: cl.ID, Function: "Teler", StartDate: "2026-11-02", HourlyWageCents: 1600}
	must(db.CreatePlacement(ctx, a, pl))
	c, err := db.Candidate(ctx, a, c.ID)
	must(err)
	c.BSN, c.IBAN, c.IDDocumentType, c.IDDocumentNumber = bsn, matrixIBAN, "passport", matrixDoc
	must(db.UpdateCandidate(ctx, a, c, c.Version))
	mo := &kluis.ContactMoment{CandidateID: c.ID, Kind: "phone", Note: "Gebeld over het rooster."}
	must(db.CreateContactMoment(ctx, a, mo))
	d := &kluis.Document{CandidateID: c.ID, Kind: "id-copy", FileName: "paspoort.pdf"}
	must(db.CreateDocument(ctx, a, d, bytes.NewReader([]byte("%PDF-1.4\n"+matrixBSN+"\n%%EOF\n"))))
	pr := &kluis.PayrollRecord{CandidateID: c.ID, PlacementID: pl.ID, Year: 2026, Period: 11, GrossCents: 250000, NetCents: 190000}
	must(db.CreatePayrollRecord(ctx, a, pr))
	ds := &kluis.Disclosure{CandidateID: c.ID, RecipientKind: "client", ClientID: cl.ID, Categories: []string{"identity"}, Purpose: "Voorstel"}
	must(db.CreateDisclosure(ctx, a, ds))
	rq := &kluis.Request{CandidateID: c.ID, Kind: "access", Channel: "email", Description: "Inzage voor Sanne Matrix"}
	must(db.CreateRequest(ctx, kluis.Actor{TenantID: a.TenantID, UserID: a.UserID, Role: kluis.RolePrivacy}, rq))
	m.request = rq.ID
	// A letter that names the candidate and quotes the BSN: only the
	// privacy officer of the agency may read it.
	lt := &kluis.RequestLetter{RequestID: rq.ID, Kind: "refusal", Lang: "nl", Sealed: true}
	must(db.SaveLetter(ctx, kluis.Actor{TenantID: a.TenantID, UserID: a.UserID, Role: kluis.RolePrivacy}, lt, []byte("%PDF-1.4 Sanne Matrix "+bsn)))
	m.letter = lt.ID
	po := kluis.Actor{TenantID: a.TenantID, UserID: a.UserID, Role: kluis.RolePrivacy}
	br := &kluis.Breach{Title: "Laptop kwijt", DiscoveredAt: db.Now().Add(-time.Hour), Facts: "Laptop met de gegevens van Sanne Matrix kwijt."}
	must(db.ReportBreach(ctx, po, br))
	_, err = db.LinkBreachCandidates(ctx, po, br.ID, []kluis.ID{c.ID})
	must(err)
	m.breach = br.ID
	m.candidate, m.client, m.contact, m.placement, m.moment, m.document, m.payroll, m.disclosure =
		c.ID, cl.ID, cc.ID, pl.ID, mo.ID, d.ID, pr.ID, ds.ID
	return m
}

// path fills a route pattern with the ids of the agency's records.
func (m matrixAgency) path(pattern string) string {
	id := m.candidate
	for prefix, x := range map[string]kluis.ID{
		"/api/v1/clients/": m.client, "/clients/": m.client, "/api/v1/client-contacts/": m.contact,
		"/api/v1/placements/": m.placement, "/api/v1/contact-moments/": m.moment, "/api/v1/documents/": m.document,
		"/api/v1/payroll-records/": m.payroll, "/api/v1/disclosures/": m.disclosure,
		"/api/v1/requests/": m.request, "/requests/": m.request,
		"/api/v1/breaches/": m.breach, "/breaches/": m.breach,
		"/api/v1/restrictions/": m.restriction, "/restrictions/": m.restriction,
	} {
		if strings.HasPrefix(pattern, prefix) && x != 0 {
			id = x
		}
	}
	return strings.NewReplacer("{id}", idText(id), "{did}", idText(m.document), "{letter}", idText(m.letter), "{contact}", idText(m.contact), "{$}", "").Replace(pattern)
}

// TestTheAuthorizationMatrix tries every route as every role, on records of
// the role's own agency and of another agency:
//   - no answer is a 500;
//   - no answer holds the full BSN, IBAN or document number unless the
//     catalogue lets the role read that field;
//   - nothing of the other agency is answered (never a 2xx), and the other
//     agency's log shows that nothing there was viewed or changed;
//   - a recruiter or branch manager gets nothing of a candidate of another
//     branch of their own agency.
func TestTheAuthorizationMatrix(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	payrollA := u.user(t, "Pien", kluis.RolePayroll)
	own := seedMatrixAgency(t, u.DB, kluis.Actor{TenantID: u.Tenant.ID, UserID: payrollA.ID, Role: kluis.RolePayroll}, u.Branch.ID, matrixBSN)
	other, branchB, err := u.DB.CreateTenant(ctx, "ander-bureau", "Ander Bureau", "Zwolle", "Zwolle")
	if err != nil {
		t.Fatal(err)
	}
	payrollB := &kluis.User{Email: "salaris@ander.example", Role: kluis.RolePayroll, BranchID: branchB.ID}
	if err := u.DB.CreateUser(ctx, other.ID, payrollB); err != nil {
		t.Fatal(err)
	}
	foreign := seedMatrixAgency(t, u.DB, kluis.Actor{TenantID: other.ID, UserID: payrollB.ID, Role: kluis.RolePayroll}, branchB.ID, matrixBSN)
	rotterdam, err := u.DB.CreateBranch(ctx, kluis.Actor{TenantID: u.Tenant.ID, Role: kluis.RoleAdmin}, "Rotterdam", "Rotterdam")
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := seedMatrixAgency(t, u.DB, kluis.Actor{TenantID: u.Tenant.ID, UserID: payrollA.ID, Role: kluis.RolePayroll}, rotterdam.ID, "111222333")
	u.web.access.Flush()
	before, err := u.DB.VerifyAudit(ctx, other.ID)
	if err != nil {
		t.Fatal(err)
	}

	proj := u.web.proj
	type caller struct {
		role   kluis.Role
		token  string
		cookie string
	}
	var callers []caller
	for _, r := range []kluis.Role{kluis.RoleRecruiter, kluis.RolePayroll, kluis.RoleManager, kluis.RolePrivacy, kluis.RoleAdmin, kluis.RoleIntegration} {
		usr := u.user(t, "matrix-"+string(r), r)
		secret, _, err := u.DB.CreateToken(ctx, u.Tenant.ID, usr.ID, "matrix", 0)
		if err != nil {
			t.Fatal(err)
		}
		c := caller{role: r, token: secret}
		if r != kluis.RoleIntegration { // integrations have no log-in
			c.cookie = u.session(t, usr.ID)
		}
		callers = append(callers, c)
	}
	secrets := map[string]string{"candidates.bsn": matrixBSN, "candidates.iban": matrixIBAN, "candidates.id_document_number": matrixDoc}

	do := func(c caller, rt route, path string) (int, string) {
		t.Helper()
		var body io.Reader
		ctype := ""
		if rt.method != "GET" {
			if rt.guard == token {
				body, ctype = strings.NewReader(`{"version": 1}`), "application/json"
			} else {
				body, ctype = strings.NewReader("version=1"), "application/x-www-form-urlencoded"
			}
		}
		req, _ := http.NewRequest(rt.method, u.srv.URL+path, body)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if rt.guard == token {
			req.Header.Set("Authorization", "Bearer "+c.token)
		} else {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: c.cookie})
		}
		res, err := u.browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	skip := map[string]bool{"POST /logout": true, "POST /settings/logout-all": true, "POST /login": true}
	tried := 0
	for _, rt := range u.web.routes() {
		if rt.guard != token && rt.guard != session {
			continue
		}
		key := rt.method + " " + rt.pattern
		if skip[key] {
			continue
		}
		for _, c := range callers {
			if rt.guard == session && c.cookie == "" {
				continue
			}
			// Own agency: reads only; the writes are tried on the other
			// agency, where each must fail.
			if rt.method == "GET" {
				status, body := do(c, rt, own.path(rt.pattern))
				tried++
				if status >= 500 {
					t.Errorf("%s as %s: %d", key, c.role, status)
				}
				for field, value := range secrets {
					table, col, _ := strings.Cut(field, ".")
					if strings.Contains(body, value) && proj.Access(c.role, table, col) < catalog.Read {
						t.Errorf("%s as %s shows the full %s", key, c.role, col)
					}
				}
			}
			if !strings.Contains(strings.ReplaceAll(rt.pattern, "{$}", ""), "{") {
				continue
			}
			// Another branch's candidate, and everything of theirs, to the
			// roles bound to their own branch. Clients are shared.
			if kluis.BranchBound(c.role) && !strings.Contains(rt.pattern, "client") {
				status, body := do(c, rt, elsewhere.path(rt.pattern))
				tried++
				if status < 300 || status >= 500 {
					t.Errorf("%s as %s on another branch's record: %d\n%.300s", key, c.role, status, body)
				}
			}
			status, body := do(c, rt, foreign.path(rt.pattern))
			tried++
			if status < 300 || status >= 500 {
				t.Errorf("%s as %s on the other agency's record: %d\n%.300s", key, c.role, status, body)
			}
			for _, value := range secrets {
				if strings.Contains(body, value) {
					t.Errorf("%s as %s on the other agency's record shows its data", key, c.role)
				}
			}
		}
	}
	if tried < 400 {
		t.Fatalf("only %d requests tried: the route table was not walked", tried)
	}

	// Writes inside the own agency, on records of their own (so that the
	// reads above had the first set whole): with the body openapi.json
	// describes for an API route, an edit's version for a form. Whatever a
	// role may not do is refused, never a 500, and no answer shows a
	// masked value in full.
	writable := seedMatrixAgency(t, u.DB, kluis.Actor{TenantID: u.Tenant.ID, UserID: payrollA.ID, Role: kluis.RolePayroll}, u.Branch.ID, "123456782")
	ownBodies := exampleBodies(t, writable, u.Branch.ID)
	foreignBodies := exampleBodies(t, foreign, branchB.ID)
	send := func(c caller, rt route, path string, body []byte) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(rt.method, u.srv.URL+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+c.token)
		res, err := u.browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	writes, withForeign := 0, 0
	for _, rt := range u.web.routes() {
		key := rt.method + " " + rt.pattern
		if rt.method == "GET" || skip[key] || rt.guard != token && rt.guard != session {
			continue
		}
		openKey := rt.method + " " + goPatternToOpenAPI(rt.pattern)
		for _, c := range callers {
			if rt.guard == session && c.cookie == "" {
				continue
			}
			var status int
			var body string
			if b, ok := ownBodies[openKey]; ok && rt.guard == token {
				status, body = send(c, rt, writable.path(rt.pattern), b)
			} else {
				status, body = do(c, rt, writable.path(rt.pattern))
			}
			writes++
			if status >= 500 {
				t.Errorf("%s as %s in the own agency: %d\n%.300s", key, c.role, status, body)
			}
			revealed := strings.HasSuffix(rt.pattern, "/reveal") && proj.CanReveal(c.role, "candidates", "bsn")
			if strings.Contains(body, "123456782") && proj.Access(c.role, "candidates", "bsn") < catalog.Read && !revealed {
				t.Errorf("%s as %s shows the full bsn", key, c.role)
			}
			// The same body with the other agency's ids in it (a
			// placement for their client, a breach linking their
			// candidate, a clean-up of their candidates): never a 500,
			// nothing of theirs shown; what it changed is checked below.
			if b, ok := foreignBodies[openKey]; ok && rt.guard == token {
				status, body := send(c, rt, writable.path(rt.pattern), b)
				withForeign++
				if status >= 500 {
					t.Errorf("%s as %s with the other agency's ids in the body: %d\n%.300s", key, c.role, status, body)
				}
				if strings.Contains(body, "Kwekerij Matrix") && strings.Contains(body, idText(foreign.client)) ||
					strings.Contains(body, idText(foreign.candidate)) && strings.Contains(body, "Sanne") {
					t.Errorf("%s as %s with the other agency's ids answers with their record\n%.300s", key, c.role, body)
				}
			}
		}
	}
	if writes < 300 || withForeign < 150 {
		t.Fatalf("only %d writes and %d with foreign ids tried: the route table was not walked", writes, withForeign)
	}
	// No row of this agency came to point at a record of the other one.
	theirs := []kluis.ID{foreign.candidate, foreign.client, foreign.contact, foreign.placement, foreign.moment, foreign.document,
		foreign.payroll, foreign.disclosure, foreign.request, foreign.letter, foreign.breach, branchB.ID, payrollB.ID}
	raw := storetest.Raw(t, u.Env)
	for table, cols := range idColumns(t, raw) {
		for _, c := range cols {
			var n int
			q := "SELECT count(*) FROM " + table + " WHERE tenant_id = ? AND " + c + " IN (" + strings.TrimSuffix(strings.Repeat("?,", len(theirs)), ",") + ")" // #nosec G202 -- names from the schema
			args := []any{u.Tenant.ID}
			for _, id := range theirs {
				args = append(args, id)
			}
			if err := raw.QueryRow(q, args...).Scan(&n); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if n > 0 {
				t.Errorf("%d rows of %s.%s point at the other agency's records", n, table, c)
			}
		}
	}

	// Nothing of the other agency was viewed, downloaded or changed.
	u.web.access.Flush()
	if after, err := u.DB.VerifyAudit(ctx, other.ID); err != nil || after != before {
		t.Fatalf("the other agency's log went from %d to %d entries (%v)", before, after, err)
	}
	pa := kluis.Actor{TenantID: other.ID, UserID: payrollB.ID, Role: kluis.RolePayroll}
	if c, err := u.DB.Candidate(ctx, pa, foreign.candidate); err != nil || c.BSN != matrixBSN || c.Version != 2 {
		t.Fatalf("the other agency's candidate: %+v, %v", c, err)
	}
}

// idColumns lists, per table of an agency's data in a SQLite database, the
// columns that hold the id of another record (named *_id, tenant_id aside).
func idColumns(t *testing.T, raw *sql.DB) map[string][]string {
	t.Helper()
	rows, err := raw.Query(`SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND p.name LIKE '%\_id' ESCAPE '\' AND p.name <> 'tenant_id'
		AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) q WHERE q.name = 'tenant_id')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		out[table] = append(out[table], col)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 10 {
		t.Fatalf("only %d tables with ids: the schema was not read", len(out))
	}
	return out
}
