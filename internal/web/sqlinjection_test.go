package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/store/storetest"
)

// sqlPayloads are classic SQL injection attempts, and the inputs that
// break a naive quoting or a driver: a NUL byte (PostgreSQL refuses it in
// text), a string longer than any field, quotes that are not ASCII.
var sqlPayloads = []string{
	`' OR '1'='1`,
	`1; DROP TABLE candidates; --`,
	`1 OR 1=1`,
	`") OR 1=1 --`,
	`%27`,
	"\x00",
	`1' UNION SELECT last_name, bsn FROM candidates --`,
	strings.Repeat("a'", 2000),
	"\u2019 OR \u20181\u2019=\u20181 \u201c\u02bc\uff07",
}

// The marks of the other agency's candidate: no answer may hold them.
const (
	injectionForeignName = "Quokkaberg"
	injectionForeignBSN  = "123456782"
)

// injectionTables are the main tables whose rows the walk must leave as
// they were, save what the answered writes made (and logged), each with
// the columns naming the records whose deletion takes its rows along.
var injectionTables = map[string][]string{"candidates": nil, "clients": nil, "client_contacts": {"client_id"},
	"placements": {"candidate_id", "client_id"}, "contact_moments": {"candidate_id"}, "documents": {"candidate_id"},
	"payroll_records": {"candidate_id"}, "disclosures": {"candidate_id"}, "requests": {"candidate_id"}, "legal_holds": {"candidate_id"},
	"consents": {"candidate_id"}, "restrictions": {"candidate_id"}, "breaches": nil, "users": nil}

// injectionCall is one attempt: the payload, in the parameter named by
// where, the others valid or absent.
type injectionCall struct {
	payload string
	where   string
	path    string
	query   url.Values
	form    url.Values // a form, or the fields of a multipart body
	json    map[string]any
	header  string
}

// newClientUIEnvOn is newClientUIEnv over e's database.
func newClientUIEnvOn(t *testing.T, e *storetest.Env, log io.Writer) *clientUIEnv {
	t.Helper()
	h, err := New(e.DB, slog.New(slog.NewTextHandler(log, nil)), e.Clock)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &clientUIEnv{Env: e, srv: srv, web: h, browser: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// TestSQLInjectionOnEveryParameterChangesNothingAndLeaksNothing walks every
// route of the route table, API and UI, as agency A's privacy officer and
// its administrator, and puts each of sqlPayloads into every path
// parameter, every query parameter and header the route reads and every
// string field of its body (form, multipart or JSON) — one at a time, and
// all at once. The parameters a route reads are taken from openapi.json
// and from the handler's own code (routeParams), so that a parameter added
// later is attacked too. For every call:
//   - never a 500;
//   - no answer holds agency B's candidate (a name and BSN seen nowhere
//     else);
//
// and afterwards the database is intact: the candidates table is there,
// agency B's rows are as they were, and agency A's main tables changed
// only by the writes the audit log records.
func TestSQLInjectionOnEveryParameterChangesNothingAndLeaksNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		var log lockedBuffer
		u := newClientUIEnvOn(t, e, &log)
		ctx := context.Background()
		reads, err := routeParams()
		if err != nil {
			t.Fatal(err)
		}
		api := openAPIParams(t)

		payrollA := u.user(t, "Pien", kluis.RolePayroll)
		own := seedMatrixAgency(t, u.DB, kluis.Actor{TenantID: u.Tenant.ID, UserID: payrollA.ID, Role: kluis.RolePayroll}, u.Branch.ID, "111222333")
		other, branchB, err := u.DB.CreateTenant(ctx, "ander-bureau", "Ander Bureau", "Zwolle", "Zwolle")
		if err != nil {
			t.Fatal(err)
		}
		payrollB := &kluis.User{Email: "salaris@ander.example", Role: kluis.RolePayroll, BranchID: branchB.ID}
		if err := u.DB.CreateUser(ctx, other.ID, payrollB); err != nil {
			t.Fatal(err)
		}
		pb := kluis.Actor{TenantID: other.ID, UserID: payrollB.ID, Role: kluis.RolePayroll}
		foreign := seedMatrixAgency(t, u.DB, pb, branchB.ID, injectionForeignBSN)
		fc, err := u.DB.Candidate(ctx, pb, foreign.candidate)
		if err != nil {
			t.Fatal(err)
		}
		fc.LastName = injectionForeignName
		if err := u.DB.UpdateCandidate(ctx, pb, fc, fc.Version); err != nil {
			t.Fatal(err)
		}
		if fc, err = u.DB.Candidate(ctx, pb, foreign.candidate); err != nil {
			t.Fatal(err)
		}
		type caller struct {
			user  *kluis.User
			token string
		}
		var callers []caller
		for _, r := range []kluis.Role{kluis.RolePrivacy, kluis.RoleAdmin} {
			usr := u.user(t, "injectie-"+string(r), r)
			secret, _, err := u.DB.CreateToken(ctx, u.Tenant.ID, usr.ID, "injectie", 0)
			if err != nil {
				t.Fatal(err)
			}
			callers = append(callers, caller{usr, secret})
		}
		raw := storetest.Raw(t, e)
		// rowsOf returns the ids of an agency's rows of each main table,
		// with the ids of their owners.
		rowsOf := func(tenant kluis.ID) map[string]map[kluis.ID][]kluis.ID {
			t.Helper()
			out := map[string]map[kluis.ID][]kluis.ID{}
			for tb, owners := range injectionTables {
				out[tb] = map[kluis.ID][]kluis.ID{}
				cols := "id"
				for _, o := range owners {
					cols += ", coalesce(" + o + ", 0)"
				}
				rows, err := raw.Query("SELECT "+cols+" FROM "+tb+" WHERE tenant_id = $1", tenant)
				if err != nil {
					t.Fatalf("rows of %s: %v", tb, err)
				}
				for rows.Next() {
					ids := make([]kluis.ID, 1+len(owners))
					dest := make([]any, len(ids))
					for i := range ids {
						dest[i] = &ids[i]
					}
					if err := rows.Scan(dest...); err != nil {
						t.Fatal(err)
					}
					out[tb][ids[0]] = ids[1:]
				}
				rows.Close()
			}
			return out
		}
		u.web.access.Flush()
		beforeA, beforeB := rowsOf(u.Tenant.ID), rowsOf(other.ID)
		var seqA int64
		if err := raw.QueryRow("SELECT coalesce(max(seq), 0) FROM audit_log WHERE tenant_id = $1", u.Tenant.ID).Scan(&seqA); err != nil {
			t.Fatal(err)
		}
		logB, err := u.DB.VerifyAudit(ctx, other.ID)
		if err != nil {
			t.Fatal(err)
		}

		// Valid values of the path parameters that are no record id.
		fill := strings.NewReplacer("{agency}", u.Tenant.Slug, "{token}", "verzonnen", "{version}", "1", "{file}", "verzonnen.csv",
			"{candidate}", idText(own.candidate), "{pid}", idText(own.placement), "{mid}", idText(own.moment), "{hold}", "1", "{consent}", "1")
		skip := map[string]bool{"POST /logout": true, "POST /settings/logout-all": true, "POST /portaal/uitloggen": true}
		pathParam := regexp.MustCompile(`\{([a-z]+)\}`)

		calls, routes := 0, 0
		covered := map[string]int{}
		cookie := ""
		send := func(c caller, rt route, multi bool, k injectionCall) int {
			t.Helper()
			target := u.srv.URL + k.path
			if len(k.query) > 0 {
				target += "?" + k.query.Encode()
			}
			var body io.Reader
			ctype := ""
			switch {
			case k.json != nil:
				b, _ := json.Marshal(k.json)
				body, ctype = bytes.NewReader(b), "application/json"
			case multi:
				var b bytes.Buffer
				mw := multipart.NewWriter(&b)
				for name, vs := range k.form {
					for _, v := range vs {
						_ = mw.WriteField(name, v)
					}
				}
				name := "cv.pdf"
				if k.header != "" {
					name = strings.NewReplacer(`"`, "'", "\r", "", "\n", "").Replace(k.header) + ".pdf"
				}
				fw, _ := mw.CreateFormFile("file", name)
				_, _ = fw.Write([]byte("%PDF-1.4\n%%EOF\n"))
				_ = mw.Close()
				body, ctype = &b, mw.FormDataContentType()
			case rt.method != "GET" && rt.guard == token:
				body, ctype = strings.NewReader("{}"), "application/json"
			case rt.method != "GET":
				body, ctype = strings.NewReader(k.form.Encode()), "application/x-www-form-urlencoded"
			}
			req, err := http.NewRequest(rt.method, target, body)
			if err != nil {
				t.Fatalf("%s %s: %v", rt.method, k.path, err)
			}
			if ctype != "" {
				req.Header.Set("Content-Type", ctype)
			}
			if k.header != "" && validHeader(k.header) {
				req.Header.Set("Accept-Language", k.header)
				req.Header.Set("If-Match", k.header)
			}
			if rt.guard == token {
				req.Header.Set("Authorization", "Bearer "+c.token)
			} else if cookie != "" {
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
			}
			res, err := u.browser.Do(req)
			if err != nil {
				t.Fatalf("%s %s (%s): %v", rt.method, rt.pattern, k.where, err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			calls++
			key := rt.method + " " + rt.pattern
			if res.StatusCode >= 500 {
				t.Errorf("%s as %s, %s = %.40q: %d\n%s", key, c.user.Role, k.where, k.payload, res.StatusCode, log.lines(res.Header.Get("X-Request-Id")))
			}
			for _, mark := range []string{injectionForeignName, injectionForeignBSN} {
				if bytes.Contains(b, []byte(mark)) {
					t.Errorf("%s as %s, %s = %.40q shows agency B's candidate (%s)", key, c.user.Role, k.where, k.payload, mark)
				}
			}
			return res.StatusCode
		}

		for _, rt := range u.web.routes() {
			key := rt.method + " " + rt.pattern
			if skip[key] {
				continue
			}
			routes++
			fn := handlerName(rt.handler)
			names, ok := reads[fn]
			if !ok {
				t.Errorf("%s: its handler %s is not in the package's code: the parameters it reads are unknown", key, fn)
				continue
			}
			query := slices.Clone(names.query)
			fields := slices.Clone(names.form)
			var strs []string
			multi := names.multipart
			op, ok := api[key]
			if !ok && strings.HasPrefix(rt.pattern, "/api/") {
				t.Errorf("%s is not in openapi.json: the parameters it reads are unknown", key)
			}
			if ok {
				query = union(query, op.query)
				strs = op.strings
				multi = multi || op.multipart
				if multi {
					fields, strs = union(fields, op.strings), nil
				}
			}
			if rt.guard == token && rt.method != "GET" && !multi && len(strs) == 0 {
				strs = union(strs, names.form) // a body the API decodes by hand
			}
			if rt.method == "GET" || rt.method == "DELETE" {
				query, fields = union(query, fields), nil
			}
			valid := fill.Replace(own.path(rt.pattern))
			params := pathParam.FindAllStringSubmatch(strings.ReplaceAll(rt.pattern, "{$}", ""), -1)
			// As the privacy officer, or the administrator where the
			// privacy officer may not come: one who gets past the door.
			c := callers[0]
			cookie = u.session(t, c.user.ID)
			probe := valid
			if rt.method != "GET" {
				// A write tried on no record: the door, not the deed.
				probe = pathParam.ReplaceAllString(rt.pattern, "0")
			}
			if status := send(c, rt, multi, injectionCall{where: "nothing", path: probe}); status == http.StatusForbidden || status == http.StatusNotFound {
				c = callers[1]
				cookie = u.session(t, c.user.ID)
			}
			{
				for _, p := range sqlPayloads {
					// Each path parameter, the others valid.
					for _, m := range params {
						attacked := strings.Replace(rt.pattern, m[0], url.PathEscape(p), 1)
						send(c, rt, multi, injectionCall{payload: p, where: "path " + m[1], path: fill.Replace(own.path(attacked))})
						covered["path"]++
					}
					// Each query parameter, form field and JSON string field
					// alone, then all of them and the headers at once.
					for _, q := range query {
						send(c, rt, multi, injectionCall{payload: p, where: "query " + q, path: valid, query: url.Values{q: {p}}})
						covered["query"]++
					}
					for _, f := range fields {
						send(c, rt, multi, injectionCall{payload: p, where: "field " + f, path: valid, form: url.Values{f: {p}}})
						covered["form"]++
					}
					for _, f := range strs {
						send(c, rt, multi, injectionCall{payload: p, where: "json " + f, path: valid, json: map[string]any{f: p, "version": 1}})
						covered["json"]++
					}
					all := injectionCall{payload: p, where: "every parameter", path: valid, query: url.Values{}, header: p}
					for _, q := range query {
						all.query.Set(q, p)
					}
					if len(fields) > 0 {
						all.form = url.Values{}
						for _, f := range fields {
							all.form.Set(f, p)
						}
					}
					if len(strs) > 0 {
						all.json = map[string]any{"version": 1}
						for _, f := range strs {
							all.json[f] = p
						}
					}
					send(c, rt, multi, all)
					covered["all"]++
				}
			}
		}
		if sessions, _ := u.DB.SessionUser(ctx, cookie); sessions == nil {
			t.Errorf("the walk ended the session")
		}
		if routes < 200 || covered["query"] == 0 || covered["form"] == 0 || covered["json"] == 0 {
			t.Fatalf("only %d routes walked (%v): the route table was not walked", routes, covered)
		}
		t.Logf("%d routes, %d payloads, %d calls: %v", routes, len(sqlPayloads), calls, covered)

		// The database is intact.
		u.web.access.Flush()
		var n int
		if err := raw.QueryRow("SELECT count(*) FROM candidates").Scan(&n); err != nil || n == 0 {
			t.Fatalf("the candidates table: %d rows, %v", n, err)
		}
		if after := rowsOf(other.ID); !reflect.DeepEqual(after, beforeB) {
			t.Errorf("agency B's rows changed: %v, were %v", after, beforeB)
		}
		if after, err := u.DB.VerifyAudit(ctx, other.ID); err != nil || after != logB {
			t.Errorf("agency B's log went from %d to %d entries (%v)", logB, after, err)
		}
		if got, err := u.DB.Candidate(ctx, pb, foreign.candidate); err != nil || got.LastName != injectionForeignName || got.BSN != injectionForeignBSN || got.Version != fc.Version {
			t.Errorf("agency B's candidate: %+v, %v", got, err)
		}
		if _, err := u.DB.VerifyAudit(ctx, u.Tenant.ID); err != nil {
			t.Errorf("agency A's log: %v", err)
		}
		// Agency A's tables changed only by the writes its log records: a
		// row that is new was logged as created; one that is gone was
		// logged as deleted, or went with its candidate or client.
		logged := map[string]map[kluis.ID]bool{}
		res, err := raw.Query("SELECT action, entity, coalesce(entity_id, 0) FROM audit_log WHERE tenant_id = $1 AND seq > $2 AND action IN ('create', 'delete')", u.Tenant.ID, seqA)
		if err != nil {
			t.Fatal(err)
		}
		for res.Next() {
			var action, entity string
			var id kluis.ID
			if err := res.Scan(&action, &entity, &id); err != nil {
				t.Fatal(err)
			}
			if logged[action+" "+entity] == nil {
				logged[action+" "+entity] = map[kluis.ID]bool{}
			}
			logged[action+" "+entity][id] = true
		}
		res.Close()
		afterA := rowsOf(u.Tenant.ID)
		for tb, owners := range injectionTables {
			for id := range afterA[tb] {
				if _, ok := beforeA[tb][id]; !ok && !logged["create "+tb][id] {
					t.Errorf("agency A's %s %d is new, but no creation of it was logged", tb, id)
				}
			}
			for id, by := range beforeA[tb] {
				if _, ok := afterA[tb][id]; ok || logged["delete "+tb][id] {
					continue
				}
				took := false
				for i, o := range owners {
					took = took || logged["delete "+strings.TrimSuffix(o, "_id")+"s"][by[i]]
				}
				if !took {
					t.Errorf("agency A's %s %d is gone, but neither its deletion nor its owner's %v was logged", tb, id, by)
				}
			}
		}
		var branches int
		if err := raw.QueryRow("SELECT count(*) FROM branches WHERE tenant_id = $1", u.Tenant.ID).Scan(&branches); err != nil || branches == 0 {
			t.Errorf("agency A's branches: %d, %v", branches, err)
		}
		if t.Failed() {
			rows, err := raw.Query("SELECT action, entity, count(*) FROM audit_log WHERE tenant_id = $1 AND seq > $2 GROUP BY action, entity", u.Tenant.ID, seqA)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var a, e string
				var n int
				_ = rows.Scan(&a, &e, &n)
				t.Logf("log: %s %s × %d", a, e, n)
			}
			rows.Close()
		}
	})
}

// lockedBuffer holds the server's log, for the lines of a failed request.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) lines(id string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range strings.Split(l.b.String(), "\n") {
		if id != "" && strings.Contains(line, id) {
			out = append(out, fmt.Sprintf("%.400s", line))
		}
	}
	l.b.Reset()
	return strings.Join(out, "\n")
}

func validHeader(v string) bool {
	for _, r := range v {
		if r < ' ' || r == 0x7f || r > 0x7e {
			return false
		}
	}
	return len(v) < 1000
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

// handlerName is the name of the function in this package that a route's
// handler is, or that made it (a closure, a method value).
func handlerName(h handlerFunc) string {
	name := runtime.FuncForPC(reflect.ValueOf(h).Pointer()).Name()
	name = strings.TrimSuffix(name, "-fm")
	if i := strings.LastIndex(name, ")."); i >= 0 {
		name = name[i+2:]
	} else if i := strings.LastIndex(name, "web."); i >= 0 {
		name = name[i+4:]
	}
	name, _, _ = strings.Cut(name, ".")
	return name
}

// paramReads are the names a handler reads from the query string and the
// posted form, and whether it reads a multipart body.
type paramReads struct {
	query, form []string
	multipart   bool
}

var paramName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// routeParams reads the package's code: for each function, the names it
// and the functions it calls (in this package) read from a request —
// through Query().Get, FormValue, PostForm.Get, formFrom and the lists of
// field names it passes on.
func routeParams() (map[string]paramReads, error) {
	fset := gotoken.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		return nil, err
	}
	type facts struct {
		query, form map[string]bool
		multipart   bool
		calls       map[string]bool
	}
	funcs := map[string]*facts{}
	vars := map[string][]string{} // package-level []string of names
	lit := func(e ast.Expr) (string, bool) {
		if b, ok := e.(*ast.BasicLit); ok && b.Kind == gotoken.STRING {
			s, err := strconv.Unquote(b.Value)
			return s, err == nil && paramName.MatchString(s)
		}
		return "", false
	}
	strs := func(n ast.Node) []string {
		var out []string
		ast.Inspect(n, func(n ast.Node) bool {
			if cl, ok := n.(*ast.CompositeLit); ok {
				if at, ok := cl.Type.(*ast.ArrayType); ok {
					if id, ok := at.Elt.(*ast.Ident); ok && id.Name == "string" {
						for _, el := range cl.Elts {
							if s, ok := lit(el); ok {
								out = append(out, s)
							}
						}
					}
				}
			}
			return true
		})
		return out
	}
	for _, de := range entries {
		if !strings.HasSuffix(de.Name(), ".go") || strings.HasSuffix(de.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, de.Name(), nil, 0)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, sp := range d.Specs {
					if vs, ok := sp.(*ast.ValueSpec); ok {
						for i, n := range vs.Names {
							if i < len(vs.Values) {
								vars[n.Name] = strs(vs.Values[i])
							}
						}
					}
				}
			case *ast.FuncDecl:
				if d.Body == nil {
					continue
				}
				fx := &facts{query: map[string]bool{}, form: map[string]bool{}, calls: map[string]bool{}}
				funcs[d.Name.Name] = fx
				for _, s := range strs(d.Body) {
					fx.form[s] = true
				}
				var cases []string
				ast.Inspect(d.Body, func(n ast.Node) bool {
					switch n := n.(type) {
					case *ast.CaseClause:
						for _, e := range n.List {
							if s, ok := lit(e); ok {
								cases = append(cases, s)
							}
						}
					case *ast.Ident:
						fx.calls[n.Name] = true
					case *ast.SelectorExpr:
						fx.calls[n.Sel.Name] = true
						if n.Sel.Name == "MultipartReader" || n.Sel.Name == "FormFile" {
							fx.multipart = true
						}
					case *ast.CallExpr:
						var name, recv string
						switch fn := n.Fun.(type) {
						case *ast.SelectorExpr:
							name = fn.Sel.Name
							recv = exprText(fn.X)
						case *ast.Ident:
							name = fn.Name
						}
						for _, a := range n.Args {
							s, ok := lit(a)
							if !ok {
								continue
							}
							switch {
							case name == "Get" && strings.Contains(recv, "Header"):
							case name == "Get" && (strings.Contains(recv, "Query") || recv == "v"), recv == "q": // q: newQuery's reader
								fx.query[s] = true
							case name == "Get" || name == "FormValue" || name == "PostFormValue" || name == "formFrom" || name == "Has":
								fx.form[s] = true
							}
						}
					}
					return true
				})
				if fx.multipart {
					// The parts of a multipart body, read by their names.
					for _, c := range cases {
						fx.form[c] = true
					}
				}
			}
		}
	}
	out := map[string]paramReads{}
	for name := range funcs {
		q, fm := map[string]bool{}, map[string]bool{}
		multi := false
		// Breadth first, so that each function is reached at its least
		// depth and the answer does not hang on the order of a map.
		seen := map[string]bool{name: true}
		level := []string{name}
		for depth := 0; depth <= 4 && len(level) > 0; depth++ {
			var next []string
			for _, n := range level {
				fx, ok := funcs[n]
				if !ok {
					for _, s := range vars[n] {
						fm[s] = true
					}
					continue
				}
				for k := range fx.query {
					q[k] = true
				}
				for k := range fx.form {
					fm[k] = true
				}
				multi = multi || fx.multipart
				for c := range fx.calls {
					if !seen[c] {
						seen[c] = true
						next = append(next, c)
					}
				}
			}
			level = next
		}
		r := paramReads{multipart: multi}
		for k := range q {
			r.query = append(r.query, k)
		}
		for k := range fm {
			if !q[k] {
				r.form = append(r.form, k)
			}
		}
		sort.Strings(r.query)
		sort.Strings(r.form)
		out[name] = r
	}
	return out, nil
}

func exprText(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return exprText(e.X) + "." + e.Sel.Name
	case *ast.CallExpr:
		return exprText(e.Fun) + "()"
	}
	return ""
}

// apiOp is what openapi.json says an operation reads: its query
// parameters and the string fields of its body.
type apiOp struct {
	query, strings []string
	multipart      bool
}

func openAPIParams(t *testing.T) map[string]apiOp {
	t.Helper()
	var doc struct {
		Paths      map[string]map[string]json.RawMessage
		Components struct {
			Parameters map[string]json.RawMessage
			Schemas    map[string]json.RawMessage
		}
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	type param struct {
		Ref  string `json:"$ref"`
		Name string
		In   string
	}
	type schema struct {
		Ref        string `json:"$ref"`
		Type       any
		Properties map[string]json.RawMessage
		AllOf      []json.RawMessage `json:"allOf"`
		OneOf      []json.RawMessage `json:"oneOf"`
		AnyOf      []json.RawMessage `json:"anyOf"`
		Items      json.RawMessage
	}
	var fieldsOf func(raw json.RawMessage, prefix string, depth int) []string
	fieldsOf = func(raw json.RawMessage, prefix string, depth int) []string {
		var s schema
		if depth > 6 || json.Unmarshal(raw, &s) != nil {
			return nil
		}
		if s.Ref != "" {
			return fieldsOf(doc.Components.Schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")], prefix, depth+1)
		}
		var out []string
		for _, sub := range append(append(s.AllOf, s.OneOf...), s.AnyOf...) {
			out = union(out, fieldsOf(sub, prefix, depth+1))
		}
		for name, p := range s.Properties {
			var ps schema
			_ = json.Unmarshal(p, &ps)
			if ps.Ref != "" || len(ps.AllOf)+len(ps.OneOf)+len(ps.AnyOf) > 0 {
				// An object within: its strings go in at the top, where a
				// decoder that is too lenient would take them.
				out = union(out, fieldsOf(p, prefix, depth+1))
			}
			if ps.Type == "string" || fmt.Sprint(ps.Type) == "[string null]" {
				out = union(out, []string{name})
			}
		}
		return out
	}
	out := map[string]apiOp{}
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			var op struct {
				Parameters  []param
				RequestBody struct {
					Content map[string]struct{ Schema json.RawMessage }
				} `json:"requestBody"`
			}
			if json.Unmarshal(raw, &op) != nil {
				continue
			}
			var a apiOp
			for _, p := range op.Parameters {
				if p.Ref != "" {
					_ = json.Unmarshal(doc.Components.Parameters[strings.TrimPrefix(p.Ref, "#/components/parameters/")], &p)
				}
				if p.In == "query" {
					a.query = union(a.query, []string{p.Name})
				}
			}
			for ctype, c := range op.RequestBody.Content {
				a.multipart = a.multipart || strings.HasPrefix(ctype, "multipart/")
				a.strings = union(a.strings, fieldsOf(c.Schema, "", 0))
			}
			out[strings.ToUpper(method)+" "+path] = a
		}
	}
	return out
}
