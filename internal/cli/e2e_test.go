package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store/storetest"
)

// client drives the API of a running server.
type client struct {
	t     *testing.T
	base  string
	token string
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (c *client) do(method, path string, body any, header ...string) response {
	c.t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ctype = strings.NewReader(b), "application/json"
	case *bytes.Buffer:
		rd = b
	default:
		buf, _ := json.Marshal(b)
		rd, ctype = bytes.NewReader(buf), "application/json"
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func (c *client) want(status int, method, path string, body any, header ...string) response {
	c.t.Helper()
	r := c.do(method, path, body, header...)
	if r.status != status {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, status, r.body)
	}
	return r
}

// startServer runs the real server of `kluis serve` on port 0 against a
// fresh database and returns a client with a token of a recruiter.
func startServer(t *testing.T, e *storetest.Env) *client {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	var logs bytes.Buffer
	env := &env{stdout: io.Discard, stderr: io.Discard, clock: e.Clock}
	go func() {
		done <- serve(ctx, env, e.DB, "127.0.0.1:0", "", newLogger(&logs, "info"), func(a net.Addr) { addrc <- a })
	}()
	var addr net.Addr
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("server did not start: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("shutdown: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("server did not shut down")
		}
	})
	secret, _, err := e.DB.CreateToken(ctx, e.Tenant.ID, e.Actor.UserID, "e2e", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Logs hold ids, never the personal data the test sent.
		for _, pii := range []string{"Jansen", "jansen@example.nl", "0612345678", "+31612345678", "NL91ABNA0417164300"} {
			if strings.Contains(logs.String(), pii) {
				t.Errorf("the log holds personal data %q", pii)
			}
		}
	})
	return &client{t: t, base: "http://" + addr.String(), token: secret}
}

// as returns a client for a new user of the tenant with role.
func (c *client) as(e *storetest.Env, role kluis.Role) *client {
	c.t.Helper()
	u := &kluis.User{Email: string(role) + "@test.kluis.test", Role: role}
	if err := e.DB.CreateUser(context.Background(), e.Tenant.ID, u); err != nil {
		c.t.Fatal(err)
	}
	secret, _, err := e.DB.CreateToken(context.Background(), e.Tenant.ID, u.ID, "e2e", 0)
	if err != nil {
		c.t.Fatal(err)
	}
	return &client{t: c.t, base: c.base, token: secret}
}

func TestTheAPIServesTheWholeLifeOfACandidate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		c := startServer(t, e)
		anon := &client{t: t, base: c.base}
		anon.want(200, "GET", "/healthz", nil)
		anon.want(200, "GET", "/readyz", nil)
		anon.want(200, "GET", "/api/v1/openapi.json", nil)
		anon.want(401, "GET", "/api/v1/candidates", nil)
		bad := &client{t: t, base: c.base, token: "kluis_wrong"}
		bad.want(401, "GET", "/api/v1/candidates", nil)

		// Create.
		in := map[string]any{"branch_id": e.Branch.ID, "first_name": "Jan", "last_name": "Jansen", "email": "jansen@example.nl",
			"phone": "06-12345678", "postcode": "3511ab", "date_of_birth": "17-05-1990", "functions": []string{"Heftruckchauffeur"}}
		r := c.want(201, "POST", "/api/v1/candidates", in)
		var cand kluis.Candidate
		r.json(t, &cand)
		if cand.ID == 0 || cand.Version != 1 || cand.Postcode != "3511 AB" || cand.Phone != "+31612345678" || r.header.Get("ETag") != `"1"` {
			t.Fatalf("created %+v (ETag %s)", cand, r.header.Get("ETag"))
		}
		path := fmt.Sprintf("/api/v1/candidates/%d", cand.ID)

		// Read.
		var got kluis.Candidate
		c.want(200, "GET", path, nil).json(t, &got)
		if got.LastName != "Jansen" || got.DateOfBirth != "1990-05-17" {
			t.Fatalf("read %+v", got)
		}
		var list struct {
			Items []kluis.Candidate
			Total int
		}
		c.want(200, "POST", "/api/v1/candidates/search", map[string]any{"query": "jans"}).json(t, &list)
		if list.Total != 1 || list.Items[0].ID != cand.ID {
			t.Fatalf("search: %+v", list)
		}

		// Update, then a stale update.
		c.want(200, "PATCH", path, map[string]any{"version": 1, "city": "Utrecht"}).json(t, &got)
		if got.City != "Utrecht" || got.Version != 2 || got.LastName != "Jansen" {
			t.Fatalf("patched %+v", got)
		}
		var apiErr struct {
			Error struct {
				Code      string
				Message   string
				Fields    map[string]string
				RequestID string `json:"request_id"`
			}
		}
		c.want(409, "PATCH", path, map[string]any{"version": 1, "city": "Zeist"}).json(t, &apiErr)
		if apiErr.Error.Code != "conflict" || apiErr.Error.Message == "" || apiErr.Error.RequestID == "" {
			t.Fatalf("stale edit: %+v", apiErr)
		}
		c.want(400, "PATCH", path, map[string]any{"city": "Zeist"})
		c.want(200, "PATCH", path, map[string]any{"city": "Zeist"}, "If-Match", `"2"`)

		// Bad input: every field named, in the language asked for, and nothing saved.
		apiErr.Error.Fields = nil
		c.want(400, "PATCH", path, map[string]any{"version": 3, "postcode": "99", "email": "nope", "date_of_birth": "2999-01-01"},
			"Accept-Language", "en").json(t, &apiErr)
		for _, f := range []string{"postcode", "email", "date_of_birth"} {
			if apiErr.Error.Fields[f] == "" {
				t.Errorf("no error for %s: %+v", f, apiErr.Error.Fields)
			}
		}
		if !strings.Contains(apiErr.Error.Fields["email"], "e-mail") {
			t.Errorf("English message: %q", apiErr.Error.Fields["email"])
		}
		c.want(200, "GET", path, nil).json(t, &got)
		if got.Version != 3 || got.Postcode != "3511 AB" {
			t.Fatalf("a rejected edit changed the candidate: %+v", got)
		}
		c.want(400, "POST", "/api/v1/candidates", `{"last_name": "X", "branch_id": "one"}`).json(t, &apiErr)
		if apiErr.Error.Fields["branch_id"] == "" {
			t.Fatalf("wrong type: %+v", apiErr)
		}
		c.want(400, "POST", "/api/v1/candidates", `{"last_name": "X", "shoe_size": 44}`)
		c.want(400, "POST", "/api/v1/candidates", `{"last_name": `)
		c.want(415, "POST", "/api/v1/candidates", &bytes.Buffer{}, "Content-Type", "text/plain")
		c.want(413, "POST", "/api/v1/candidates", `{"last_name": "`+strings.Repeat("x", 2<<20)+`"}`)
		c.want(404, "GET", "/api/v1/candidates/12345", nil)
		c.want(404, "GET", "/api/v1/candidates/not-a-number", nil)
		c.want(400, "GET", "/api/v1/candidates?limit=5000", nil)

		// The rest of the staffing core hangs off the candidate.
		var client kluis.Client
		c.want(201, "POST", "/api/v1/clients", map[string]any{"branch_id": e.Branch.ID, "name": "Logistiek Noord BV", "kvk_number": "87654321"}).json(t, &client)
		var contact kluis.ClientContact
		c.want(201, "POST", fmt.Sprintf("/api/v1/clients/%d/contacts", client.ID), map[string]any{"name": "Petra Smit", "email": "petra@example.com"}).json(t, &contact)
		var pl kluis.Placement
		c.want(201, "POST", "/api/v1/placements", map[string]any{"candidate_id": cand.ID, "client_id": client.ID, "function": "Heftruckchauffeur",
			"start_date": "2026-11-30", "hourly_wage_cents": 1525}).json(t, &pl)
		c.want(400, "POST", "/api/v1/placements", map[string]any{"candidate_id": cand.ID, "client_id": client.ID, "function": "X",
			"start_date": "2026-11-30", "end_date": "2026-01-01"})
		// The BSN and IBAN are payroll's: a recruiter may not set them and
		// sees them masked; the administrator sees no candidate at all.
		c.want(403, "PATCH", path, map[string]any{"version": 3, "bsn": "111222333"})
		payroll := c.as(e, kluis.RolePayroll)
		payroll.want(400, "PATCH", path, map[string]any{"version": 3, "iban": "NL00"})
		payroll.want(200, "PATCH", path, map[string]any{"version": 3, "bsn": "111222333", "iban": "NL91ABNA0417164300"})
		var seen map[string]any
		payroll.want(200, "GET", path, nil).json(t, &seen)
		if seen["bsn"] != "111222333" || seen["iban"] != "NL91ABNA0417164300" {
			t.Fatalf("payroll sees %v %v", seen["bsn"], seen["iban"])
		}
		c.want(200, "GET", path, nil).json(t, &seen)
		if seen["bsn"] != "******333" || seen["iban"] != "NL** **** **** **43 00" || seen["last_name"] != "Jansen" {
			t.Fatalf("the recruiter sees %v %v", seen["bsn"], seen["iban"])
		}
		admin := c.as(e, kluis.RoleAdmin)
		admin.want(403, "GET", path, nil)
		admin.want(403, "GET", "/api/v1/candidates", nil)
		var cm kluis.ContactMoment
		c.want(201, "POST", "/api/v1/contact-moments", map[string]any{"candidate_id": cand.ID, "kind": "phone", "note": "Gebeld over de start."}).json(t, &cm)
		if cm.UserID != e.Actor.UserID {
			t.Fatalf("contact moment by %d, want %d", cm.UserID, e.Actor.UserID)
		}

		var form bytes.Buffer
		mw := multipart.NewWriter(&form)
		_ = mw.WriteField("candidate_id", fmt.Sprint(cand.ID))
		_ = mw.WriteField("kind", "cv")
		fw, _ := mw.CreateFormFile("file", "cv.pdf")
		_, _ = fw.Write([]byte("%PDF-1.4\n%%EOF\n"))
		mw.Close()
		var doc kluis.Document
		c.want(201, "POST", "/api/v1/documents", &form, "Content-Type", mw.FormDataContentType()).json(t, &doc)
		r = c.want(200, "GET", fmt.Sprintf("/api/v1/documents/%d/content", doc.ID), nil)
		if string(r.body) != "%PDF-1.4\n%%EOF\n" || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("download: %q %v", r.body, r.header)
		}
		c.want(201, "POST", fmt.Sprintf("/api/v1/documents/%d/disclosures", doc.ID), map[string]any{"client_id": client.ID, "purpose": "Voorgesteld"})
		c.want(403, "GET", "/api/v1/payroll-records", nil)
		payroll.want(201, "POST", "/api/v1/payroll-records", map[string]any{"candidate_id": cand.ID, "placement_id": pl.ID, "year": 2026, "period": 11,
			"gross_cents": 210000, "net_cents": 170000})
		c.want(201, "POST", "/api/v1/disclosures", map[string]any{"candidate_id": cand.ID, "recipient_kind": "pension-fund", "recipient": "Stichting Pensioenfonds",
			"categories": []string{"identity", "bsn", "payroll"}, "purpose": "Pensioenopbouw"})
		c.want(200, "GET", fmt.Sprintf("/api/v1/disclosures?candidate_id=%d", cand.ID), nil).json(t, &list)
		if list.Total != 2 {
			t.Fatalf("%d disclosures, want 2", list.Total)
		}

		// Delete: a stale version is refused, then the candidate and all
		// that hangs off it go.
		c.want(409, "DELETE", path+"?version=1", nil)
		c.want(204, "DELETE", path, nil)
		c.want(404, "GET", path, nil)
		officer := c.as(e, kluis.RolePrivacy)
		for _, p := range []string{"placements", "contact-moments", "documents", "payroll-records", "disclosures"} {
			var l struct{ Total int }
			officer.want(200, "GET", fmt.Sprintf("/api/v1/%s?candidate_id=%d", p, cand.ID), nil).json(t, &l)
			if l.Total != 0 {
				t.Errorf("%d %s left after deleting the candidate", l.Total, p)
			}
		}
		// An import is all or nothing, and says where each problem is.
		upload := func(csv string) (*bytes.Buffer, string) {
			var form bytes.Buffer
			mw := multipart.NewWriter(&form)
			fw, _ := mw.CreateFormFile("candidates", "kandidaten.csv")
			_, _ = fw.Write([]byte(csv))
			mw.Close()
			return &form, mw.FormDataContentType()
		}
		var rep struct {
			Written bool
			Files   []struct {
				Rows     int
				Problems []struct {
					Line  int
					Field string
				}
			}
		}
		body, ct := upload("external_id;achternaam;postcode\nK1;Dekker;1234AB\nK2;Vos;12\n")
		c.want(400, "POST", "/api/v1/imports", body, "Content-Type", ct).json(t, &rep)
		if rep.Written || len(rep.Files) != 1 || len(rep.Files[0].Problems) != 1 || rep.Files[0].Problems[0].Line != 3 || rep.Files[0].Problems[0].Field != "postcode" {
			t.Fatalf("import report: %+v", rep)
		}
		body, ct = upload("external_id;achternaam;postcode\nK1;Dekker;1234AB\nK2;Vos;1234 CD\n")
		c.want(200, "POST", "/api/v1/imports?dry_run=true", body, "Content-Type", ct).json(t, &rep)
		c.want(200, "POST", "/api/v1/candidates/search", map[string]any{"query": "dekker"}).json(t, &list)
		if rep.Written || list.Total != 0 {
			t.Fatalf("a dry run wrote: %+v, %d found", rep, list.Total)
		}
		body, ct = upload("external_id;achternaam;postcode\nK1;Dekker;1234AB\nK2;Vos;1234 CD\n")
		c.want(200, "POST", "/api/v1/imports", body, "Content-Type", ct).json(t, &rep)
		c.want(200, "POST", "/api/v1/candidates/search", map[string]any{"query": "dekker"}).json(t, &list)
		if !rep.Written || list.Total != 1 || list.Items[0].Postcode != "1234 AB" || list.Items[0].Source != "import" {
			t.Fatalf("import: %+v, %+v", rep, list)
		}

		c.want(204, "DELETE", fmt.Sprintf("/api/v1/client-contacts/%d", contact.ID), nil)
		c.want(204, "DELETE", fmt.Sprintf("/api/v1/clients/%d", client.ID), nil)
	})
}
