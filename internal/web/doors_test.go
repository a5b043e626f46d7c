package web

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"kluis/internal/kluis"
)

// apiDoors says, for every route of the API, which roles it lets in: the
// others get 403 before anything is read or changed. A route added to the
// route table must be added here, and a change of who may do what shows
// as a change of this table.
var apiDoors = map[string]string{
	"POST /api/v1/candidates":                              "recruiter,manager",
	"PATCH /api/v1/candidates/{id}":                        "recruiter,manager",
	"DELETE /api/v1/breaches/{id}/candidates/{candidate}":  "privacy",
	"DELETE /api/v1/candidates/{id}":                       "recruiter,payroll,manager,privacy,integration",
	"DELETE /api/v1/client-contacts/{id}":                  "recruiter,payroll,manager,privacy",
	"DELETE /api/v1/clients/{id}":                          "recruiter,payroll,manager,privacy,admin,integration",
	"DELETE /api/v1/contact-moments/{id}":                  "recruiter,manager,privacy",
	"DELETE /api/v1/documents/{id}":                        "recruiter,payroll,manager,integration",
	"DELETE /api/v1/payroll-records/{id}":                  "payroll,privacy,integration",
	"DELETE /api/v1/placements/{id}":                       "recruiter,payroll,manager,privacy,integration",
	"GET /api/v1/audit-log":                                "privacy",
	"GET /api/v1/branches":                                 "recruiter,payroll,manager,privacy,admin,integration",
	"GET /api/v1/breaches":                                 "privacy",
	"GET /api/v1/breaches/{id}":                            "privacy",
	"GET /api/v1/breaches/{id}/candidates":                 "privacy",
	"GET /api/v1/breaches/export":                          "privacy",
	"GET /api/v1/breaches/{id}/export":                     "privacy",
	"GET /api/v1/breaches/{id}/letters":                    "privacy",
	"GET /api/v1/breaches/{id}/letters/{letter}":           "privacy",
	"GET /api/v1/outbox/failed":                            "privacy",
	"GET /api/v1/reports/{file}":                           "privacy",
	"GET /api/v1/candidates":                               "recruiter,payroll,manager,privacy,integration",
	"GET /api/v1/candidates/{id}":                          "recruiter,payroll,manager,privacy,integration",
	"GET /api/v1/candidates/{id}/consents":                 "recruiter,payroll,manager,privacy",
	"GET /api/v1/candidates/{id}/documents-archive":        "recruiter,payroll,manager,privacy,integration",
	"GET /api/v1/candidates/{id}/erasure-preview":          "privacy",
	"GET /api/v1/candidates/{id}/holds":                    "recruiter,payroll,manager,privacy",
	"GET /api/v1/candidates/{id}/portability":              "privacy",
	"GET /api/v1/candidates/{id}/record-card":              "privacy",
	"GET /api/v1/candidates/{id}/retention":                "recruiter,payroll,manager,privacy,integration",
	"GET /api/v1/candidates/{id}/supplementary-statements": "recruiter,payroll,manager,privacy",
	"GET /api/v1/cleanup/runs":                             "privacy",
	"GET /api/v1/cleanup/runs/{id}":                        "privacy",
	"GET /api/v1/client-contacts/{id}":                     "recruiter,payroll,manager,privacy",
	"GET /api/v1/clients":                                  "recruiter,payroll,manager,privacy,admin,integration",
	"GET /api/v1/clients/{id}":                             "recruiter,payroll,manager,privacy,admin,integration",
	"GET /api/v1/clients/{id}/contacts":                    "recruiter,payroll,manager,privacy",
	"GET /api/v1/contact-moments":                          "recruiter,manager,privacy",
	"GET /api/v1/contact-moments/{id}":                     "recruiter,manager,privacy",
	"GET /api/v1/disclosures":                              "recruiter,payroll,manager,privacy",
	"GET /api/v1/disclosures/{id}":                         "recruiter,payroll,manager,privacy",
	"GET /api/v1/documents":                                "recruiter,payroll,manager,privacy,integration",
	"GET /api/v1/documents/{id}":                           "recruiter,payroll,manager,privacy,integration",
	"GET /api/v1/documents/{id}/content":                   "recruiter,payroll,manager,privacy,admin,integration",
	"GET /api/v1/erasures":                                 "privacy",
	"GET /api/v1/erasures/{id}":                            "privacy",
	"GET /api/v1/field-access":                             "privacy,admin",
	"GET /api/v1/payroll-records":                          "payroll,privacy,integration",
	"GET /api/v1/payroll-records/{id}":                     "payroll,privacy,integration",
	"GET /api/v1/placements":                               "recruiter,payroll,manager,privacy,integration",
	"GET /api/v1/placements/{id}":                          "recruiter,payroll,manager,privacy,integration",
	"GET /api/v1/privacy-statement-sends/{id}":             "privacy",
	"GET /api/v1/privacy-statements":                       "privacy",
	"GET /api/v1/privacy-statements/not-informed":          "privacy",
	"GET /api/v1/privacy-statements/{version}":             "privacy",
	"GET /api/v1/requests":                                 "privacy",
	"GET /api/v1/requests/reminders":                       "privacy",
	"GET /api/v1/requests/{id}":                            "privacy",
	"GET /api/v1/requests/{id}/letters":                    "privacy",
	"GET /api/v1/requests/{id}/letters/{letter}":           "privacy",
	"GET /api/v1/requests/{id}/recipients":                 "privacy",
	"GET /api/v1/restrictions":                             "privacy",
	"GET /api/v1/restrictions/{id}":                        "privacy",
	"GET /api/v1/restrictions/{id}/overrides":              "privacy",
	"GET /api/v1/retention/due":                            "privacy",
	"GET /api/v1/settings":                                 "recruiter,payroll,manager,privacy,admin,integration",
	"GET /api/v1/sso":                                      "admin",
	"PATCH /api/v1/breaches/{id}":                          "privacy",
	"PATCH /api/v1/client-contacts/{id}":                   "recruiter,manager",
	"PATCH /api/v1/clients/{id}":                           "recruiter,payroll,manager,privacy,admin,integration",
	"PATCH /api/v1/contact-moments/{id}":                   "recruiter,manager",
	"PATCH /api/v1/payroll-records/{id}":                   "payroll,integration",
	"PATCH /api/v1/placements/{id}":                        "recruiter,manager",
	"POST /api/v1/breaches":                                "recruiter,payroll,manager,privacy,admin",
	"POST /api/v1/breaches/{id}/candidates":                "privacy",
	"POST /api/v1/breaches/{id}/close":                     "privacy",
	"POST /api/v1/breaches/{id}/decide":                    "privacy",
	"POST /api/v1/breaches/{id}/notices":                   "privacy",
	"POST /api/v1/candidates/search":                       "recruiter,payroll,manager,privacy,admin,integration",
	"POST /api/v1/candidates/{id}/consents":                "recruiter,manager,privacy",
	"POST /api/v1/candidates/{id}/holds":                   "manager,privacy",
	"POST /api/v1/candidates/{id}/privacy-statement/send":  "recruiter,manager,privacy",
	"POST /api/v1/candidates/{id}/privacy-statement/shown": "recruiter,manager,privacy",
	"POST /api/v1/candidates/{id}/reveal":                  "manager",
	"POST /api/v1/cleanup/runs":                            "privacy",
	"POST /api/v1/clients":                                 "recruiter,payroll,manager,privacy,admin,integration",
	"POST /api/v1/clients/{id}/contacts":                   "recruiter,manager",
	"POST /api/v1/consents/{id}/withdraw":                  "recruiter,manager,privacy",
	"POST /api/v1/contact-moments":                         "recruiter,manager",
	"POST /api/v1/disclosures":                             "recruiter,payroll,manager",
	"POST /api/v1/documents":                               "recruiter,payroll,manager,privacy,admin,integration",
	"POST /api/v1/documents/{id}/disclosures":              "recruiter,payroll,manager,privacy,admin,integration",
	"POST /api/v1/holds/{id}/end":                          "manager,privacy",
	"POST /api/v1/imports":                                 "recruiter,payroll,manager,privacy,admin,integration",
	"POST /api/v1/payroll-records":                         "payroll,integration",
	"POST /api/v1/placements":                              "recruiter,manager",
	"POST /api/v1/privacy-statement-sends":                 "privacy",
	"POST /api/v1/privacy-statements":                      "privacy",
	"POST /api/v1/requests":                                "privacy",
	"POST /api/v1/requests/{id}/answer":                    "privacy",
	"POST /api/v1/requests/{id}/close":                     "privacy",
	"POST /api/v1/requests/{id}/erase":                     "privacy",
	"POST /api/v1/requests/{id}/extend":                    "privacy",
	"POST /api/v1/requests/{id}/letters":                   "privacy",
	"POST /api/v1/requests/{id}/notify":                    "privacy",
	"POST /api/v1/requests/{id}/rectify":                   "privacy",
	"POST /api/v1/requests/{id}/restrict":                  "privacy",
	"POST /api/v1/requests/{id}/tell-candidate":            "privacy",
	"POST /api/v1/requests/{id}/verify":                    "privacy",
	"POST /api/v1/restrictions":                            "privacy",
	"POST /api/v1/restrictions/{id}/decide":                "privacy",
	"POST /api/v1/restrictions/{id}/inform":                "privacy",
	"POST /api/v1/restrictions/{id}/lift":                  "privacy",
	"PUT /api/v1/field-access":                             "admin",
	"PUT /api/v1/requests/reminders":                       "privacy",
	"PUT /api/v1/settings":                                 "privacy,admin",
	"PUT /api/v1/sso":                                      "admin",
}

// TestEachRoleGetsThroughTheDoorsTheRulesGiveIt tries every API route as
// every role on records of the role's own agency and branch — reads on one
// set of records, each write on a set of its own, with the body
// openapi.json describes — and holds the answers against apiDoors: a role
// not listed gets 403, a listed one anything but 403, never a 500. Where a
// route reads a kind of record, its door is the catalogue's: the roles
// that may see the table.
func TestEachRoleGetsThroughTheDoorsTheRulesGiveIt(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	payrollA := u.user(t, "Pien", kluis.RolePayroll)
	roles := []kluis.Role{kluis.RoleRecruiter, kluis.RolePayroll, kluis.RoleManager, kluis.RolePrivacy, kluis.RoleAdmin, kluis.RoleIntegration}
	tokens := map[kluis.Role]string{}
	for _, r := range roles {
		usr := u.user(t, "door-"+string(r), r)
		secret, _, err := u.DB.CreateToken(ctx, u.Tenant.ID, usr.ID, "doors", 0)
		if err != nil {
			t.Fatal(err)
		}
		tokens[r] = secret
	}
	// The catalogue's doors for the routes that read one kind of record.
	for route, table := range map[string]string{
		"GET /api/v1/candidates/{id}": "candidates", "GET /api/v1/clients/{id}": "clients", "GET /api/v1/placements/{id}": "placements",
		"GET /api/v1/contact-moments/{id}": "contact_moments", "GET /api/v1/payroll-records/{id}": "payroll_records",
		"GET /api/v1/disclosures/{id}": "disclosures", "GET /api/v1/client-contacts/{id}": "client_contacts",
	} {
		var want []string
		for _, r := range roles {
			if u.web.proj.CanSee(r, table) {
				want = append(want, string(r))
			}
		}
		if got := apiDoors[route]; got != strings.Join(want, ",") {
			t.Errorf("%s lets in %s, the catalogue lets %s see %s", route, got, strings.Join(want, ","), table)
		}
	}
	bsn := 500
	nextBSN := func() string {
		for ; ; bsn++ {
			s := strconv.Itoa(100000000 + bsn)
			sum := 0
			for i, w := range []int{9, 8, 7, 6, 5, 4, 3, 2, -1} {
				sum += w * int(s[i]-'0')
			}
			if sum%11 == 0 {
				bsn++
				return s
			}
		}
	}
	seed := func() matrixAgency {
		return seedMatrixAgency(t, u.DB, kluis.Actor{TenantID: u.Tenant.ID, UserID: payrollA.ID, Role: kluis.RolePayroll}, u.Branch.ID, nextBSN())
	}
	reads := seed()
	seen := map[string]bool{}
	for _, rt := range u.web.routes() {
		if rt.guard != token {
			continue
		}
		key := rt.method + " " + rt.pattern
		seen[key] = true
		door, ok := apiDoors[key]
		if !ok {
			t.Errorf("%s is not in apiDoors: say which roles it lets in", key)
			continue
		}
		allowed := strings.Split(door, ",")
		m := reads
		var body []byte
		if rt.method != "GET" {
			m = seed()
			body = exampleBodies(t, m, u.Branch.ID)[rt.method+" "+goPatternToOpenAPI(rt.pattern)]
			// A candidate's fields each have their own door (the
			// catalogue's, tried by the matrix): here the names only.
			switch key {
			case "POST /api/v1/candidates":
				body = []byte(`{"branch_id":` + idText(u.Branch.ID) + `,"last_name":"Deur"}`)
			case "PATCH /api/v1/candidates/{id}":
				body = []byte(`{"version":2,"last_name":"Deur"}`)
			}
			if body == nil {
				body = []byte(`{"version":1}`)
			}
		}
		// Those kept out first, so that what a role let in changed (a
		// record deleted) cannot change their answer.
		order := slices.Clone(roles)
		slices.SortStableFunc(order, func(a, b kluis.Role) int {
			return boolInt(slices.Contains(allowed, string(a))) - boolInt(slices.Contains(allowed, string(b)))
		})
		for _, r := range order {
			req, _ := http.NewRequest(rt.method, u.srv.URL+m.path(rt.pattern), bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tokens[r])
			res, err := u.browser.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			in := slices.Contains(allowed, string(r))
			switch {
			case res.StatusCode >= 500:
				t.Errorf("%s as %s: %d %.200s", key, r, res.StatusCode, b)
			case in && res.StatusCode == http.StatusForbidden:
				t.Errorf("%s as %s: 403, but apiDoors lets %s in", key, r, r)
			case !in && res.StatusCode != http.StatusForbidden:
				t.Errorf("%s as %s: %d, but apiDoors keeps %s out\n%.200s", key, r, res.StatusCode, r, b)
			}
		}
	}
	for key := range apiDoors {
		if !seen[key] {
			t.Errorf("apiDoors names %s, which the route table does not have", key)
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
