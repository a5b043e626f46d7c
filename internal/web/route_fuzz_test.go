package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"kluis/internal/kluis"
)

// FuzzAPIRouteBodies sends any bytes as the JSON body of every route of the
// API that takes one — the list is the route table itself, so a route added
// later is fuzzed too — through the running server, as the agency's
// administrator (and, where the administrator may not, its privacy
// officer). Its seeds are, for every route, an example built from the
// route's request schema in openapi.json and a set of hostile bodies. No
// answer may be a 500, and every refusal is the API's JSON error with a
// message or field errors.
func FuzzAPIRouteBodies(f *testing.F) {
	u := newClientUIEnv(f)
	ctx := context.Background()
	admin := u.user(f, "fuzz-admin", kluis.RoleAdmin)
	own := seedMatrixAgency(f, u.DB, kluis.Actor{TenantID: u.Tenant.ID, UserID: admin.ID, Role: kluis.RoleAdmin}, u.Branch.ID, matrixBSN)
	var tokens []string
	for _, r := range []kluis.Role{kluis.RoleAdmin, kluis.RolePrivacy} {
		usr := u.user(f, "fuzz-token-"+string(r), r)
		secret, _, err := u.DB.CreateToken(ctx, u.Tenant.ID, usr.ID, "fuzz", 0)
		if err != nil {
			f.Fatal(err)
		}
		tokens = append(tokens, secret)
	}
	var writes []route
	for _, rt := range u.web.routes() {
		if rt.guard == token && slices.Contains([]string{"POST", "PUT", "PATCH"}, rt.method) {
			writes = append(writes, rt)
		}
	}
	if len(writes) < 40 {
		f.Fatalf("only %d API routes take a body: the route table was not read", len(writes))
	}
	examples := exampleBodies(f, own, u.Branch.ID)
	hostile := []string{`{}`, `null`, `[]`, `{"version":1}`, `{"version":"1"}`, `{"version":-1,"id":-1}`, `{"x":1}`, `{} {}`, `[`, ``, `"`, "\xff\xfe{",
		`{"candidate_ids":[1e400]}`, `{"categories":null,"recipient_kind":"client"}`, `{"lang":"<script>"}`, `{"until":"0000-01-01"}`,
		`{"note":"a\u0000b","reason":"` + strings.Repeat("x", 5000) + `"}`, `{"candidate_id":9223372036854775807}`, `{"kinds":{"a":1}}`}
	for i, rt := range writes {
		key := rt.method + " " + goPatternToOpenAPI(rt.pattern)
		// Actions without a body (a job started) get the hostile ones only.
		if body, ok := examples[key]; ok {
			f.Add(uint8(i), body)
		}
		for _, h := range hostile {
			f.Add(uint8(i), []byte(h))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		rt := writes[int(which)%len(writes)]
		key := rt.method + " " + rt.pattern
		for _, tok := range tokens {
			req, err := http.NewRequest(rt.method, u.srv.URL+own.path(rt.pattern), strings.NewReader(string(body)))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tok)
			res, err := u.browser.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode >= 500 {
				t.Fatalf("%s with %q: %d\n%s", key, body, res.StatusCode, b)
			}
			if res.StatusCode < 400 {
				return
			}
			var e errorBody
			if json.Unmarshal(b, &e) != nil || e.Error.Code == "" || e.Error.Message == "" && len(e.Error.Fields) == 0 {
				t.Fatalf("%s with %q: %d without a clear error: %s", key, body, res.StatusCode, b)
			}
			if res.StatusCode != http.StatusForbidden {
				return // the administrator got past the door: enough
			}
		}
	})
}

// exampleBodies builds, for every operation with a JSON request body in
// openapi.json, a body that follows its schema, with the ids of the
// agency's records where a field names one.
func exampleBodies(t testing.TB, m matrixAgency, branch kluis.ID) map[string][]byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	ids := map[string]kluis.ID{"candidate_id": m.candidate, "client_id": m.client, "placement_id": m.placement, "document_id": m.document,
		"request_id": m.request, "breach_id": m.breach, "branch_id": branch, "contact_id": m.contact, "version": 1}
	var example func(s map[string]any, name string, depth int) any
	example = func(s map[string]any, name string, depth int) any {
		s = deref(doc, s)
		if depth > 8 {
			return nil
		}
		for _, k := range []string{"allOf", "oneOf", "anyOf"} {
			if subs := list(s[k]); len(subs) > 0 {
				if k != "allOf" {
					return example(obj(subs[0]), name, depth+1)
				}
				merged := map[string]any{}
				for _, sub := range subs {
					if o, ok := example(obj(sub), name, depth+1).(map[string]any); ok {
						for k, v := range o {
							merged[k] = v
						}
					}
				}
				return merged
			}
		}
		if e := list(s["enum"]); len(e) > 0 {
			return e[0]
		}
		typ, _ := s["type"].(string)
		if ts := strs(s["type"]); typ == "" && len(ts) > 0 {
			typ = ts[0]
		}
		switch typ {
		case "object", "":
			out := map[string]any{}
			props := obj(s["properties"])
			for _, p := range sortedKeys(props) {
				out[p] = example(obj(props[p]), p, depth+1)
			}
			return out
		case "array":
			return []any{example(obj(s["items"]), strings.TrimSuffix(name, "s")+"_id", depth+1)}
		case "integer", "number":
			if id, ok := ids[name]; ok {
				return id
			}
			if min, ok := s["minimum"].(float64); ok {
				return min
			}
			return 1
		case "boolean":
			return true
		}
		switch s["format"] {
		case "date":
			return "2026-12-01"
		case "date-time":
			return "2026-11-29T09:00:00Z"
		case "email":
			return "sanne@example.nl"
		}
		return "Voorbeeld"
	}
	out := map[string][]byte{}
	for _, op := range operations(doc) {
		content := obj(obj(op.op["requestBody"])["content"])
		schema, ok := obj(content["application/json"])["schema"]
		if !ok {
			continue
		}
		b, err := json.Marshal(example(obj(schema), "", 0))
		if err != nil {
			t.Fatal(err)
		}
		out[op.String()] = b
	}
	return out
}
