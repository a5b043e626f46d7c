package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kluis/internal/kluis"
)

// TestARestrictedCandidatesFilesAreNotExported: while a candidate's
// processing is restricted (art. 18) no CV, document archive or
// portability export of them leaves kluis, through the API or the UI —
// except processing anyway with a recorded reason and the answer to the
// candidate's own request.
func TestARestrictedCandidatesFilesAreNotExported(t *testing.T) {
	u := newClientUIEnv(t)
	f := newRightsFixture(t, u, "Stilgezet", false)
	po := kluis.Actor{TenantID: u.Tenant.ID, Role: kluis.RolePrivacy}
	cand := "/api/v1/candidates/" + idText(f.c.ID)
	if code, _ := u.fetch(t, f.rec, "GET", cand+"/documents-archive", ""); code != http.StatusOK {
		t.Fatalf("the archive before the restriction: %d", code)
	}
	x := &kluis.Restriction{CandidateID: f.c.ID, Ground: "accuracy"}
	if err := u.DB.Restrict(t.Context(), po, x); err != nil {
		t.Fatal(err)
	}

	// The API.
	for _, path := range []string{"/api/v1/documents/" + idText(f.cv) + "/content", cand + "/documents-archive", cand + "/documents-archive?portable=true"} {
		for _, who := range []string{f.rec, f.mgr, f.po} {
			if code, body := u.apiCall(t, who, "GET", path, "", nil); !restrictedRefusal(code, body) {
				t.Errorf("GET %s of a restricted candidate: %d %s", path, code, body)
			}
		}
	}
	if code, body := u.apiCall(t, f.po, "GET", cand+"/portability?format=csv", "", nil); !restrictedRefusal(code, body) {
		t.Errorf("the portability export: %d %s", code, body)
	}
	override := map[string]string{"Kluis-Override-Reason": "legal-claim", "Kluis-Override-Note": url.PathEscape("Dossier voor de advocaat")}
	if code, body := u.apiCallWith(t, f.rec, "GET", cand+"/documents-archive", "", override, nil); code != http.StatusForbidden {
		t.Errorf("a recruiter exported anyway: %d %s", code, body)
	}
	code, body := u.apiCallWith(t, f.mgr, "GET", cand+"/documents-archive", "", override, nil)
	if code != http.StatusOK || len(unzip(t, []byte(body))) < 2 {
		t.Fatalf("exporting anyway: %d %.200s", code, body)
	}
	os, err := u.DB.ProcessingOverrides(t.Context(), po, x.ID)
	if err != nil || len(os) != 1 || os[0].Entity != "export:documents" || os[0].Note != "Dossier voor de advocaat" {
		t.Fatalf("the override of the export: %+v %v", os, err)
	}
	// The answer to the candidate's own access request.
	path, q := registerVerified(t, u, f, "access")
	if code, body := u.apiCall(t, f.po, "GET", cand+"/documents-archive?request=abc", "", nil); code != http.StatusBadRequest || !strings.Contains(body, `"request"`) {
		t.Errorf("a malformed request id: %d %s", code, body)
	}
	if code, body := u.fetch(t, f.po, "GET", cand+"/documents-archive?request="+idText(q.ID), ""); code != http.StatusOK || unzip(t, body)["documents/manifest.json"] == "" {
		t.Errorf("the documents for the candidate's request: %d %.200s", code, body)
	}
	if code, body := u.fetch(t, f.po, "GET", cand+"/portability?request="+idText(q.ID), ""); code != http.StatusOK || !strings.Contains(string(body), "Stilgezet") {
		t.Errorf("the portability export for the candidate's request: %d %.200s", code, body)
	}
	if code, body := u.apiCall(t, f.rec, "GET", cand+"/documents-archive?request="+idText(q.ID), "", nil); !restrictedRefusal(code, body) {
		t.Errorf("a recruiter used the candidate's request: %d %s", code, body)
	}
	code, pkg := u.fetch(t, f.po, "POST", path+"/answer", `{"lang":"nl"}`)
	if code != http.StatusOK {
		t.Fatalf("the answer package: %d %s", code, pkg)
	}
	files := unzip(t, pkg)
	if files["documents/manifest.json"] == "" || !strings.Contains(strings.Join(keysOf(files), " "), "cv.pdf") {
		t.Errorf("the answer package lacks the documents: %v", keysOf(files))
	}

	// The UI: refused with the art. 18 message, also to the privacy
	// officer outside a request; the request's page links with it.
	rec, officer := u.session(t, u.Actor.UserID), u.session(t, u.user(t, "Olga", kluis.RolePrivacy).ID)
	base := "/candidates/" + idText(f.c.ID)
	for _, p := range []string{base + "/documents.zip", base + "/documents/" + idText(f.cv) + "/download"} {
		for _, who := range []string{rec, officer} {
			page := u.get(t, who, p)
			if page.status != http.StatusConflict || !strings.Contains(page.body, "art. 18") {
				t.Errorf("GET %s: %d", p, page.status)
			}
		}
	}
	if page := u.get(t, officer, base+"/portability.json"); page.status != http.StatusConflict {
		t.Errorf("the portability export in the UI: %d", page.status)
	}
	// The candidate page offers the record card (with the banner), not
	// the portability export, which would be refused.
	if page := u.get(t, officer, base).expect(t, http.StatusOK); !strings.Contains(page.body, base+"/stamkaart.pdf") || strings.Contains(page.body, base+"/portability.json") {
		t.Errorf("the candidate page's exports of a restricted candidate:\n%s", page.body)
	}
	reqPage := u.get(t, officer, "/requests/"+idText(q.ID)).expect(t, http.StatusOK)
	link := base + "/documents.zip?request=" + idText(q.ID)
	if !strings.Contains(reqPage.body, `href="`+link+`"`) {
		t.Fatalf("the request's page does not link the answer's documents:\n%s", reqPage.body)
	}
	if page := u.get(t, officer, link); page.status != http.StatusOK || unzip(t, []byte(page.body))["documents/manifest.json"] == "" {
		t.Errorf("the documents from the request's page: %d", page.status)
	}
	if page := u.get(t, rec, link); page.status != http.StatusConflict {
		t.Errorf("a recruiter with the request's link: %d", page.status)
	}

	// The documents tab: no plain ZIP link; the manager exports anyway
	// with a reason and a note, recorded; the recruiter cannot.
	if tab := u.get(t, rec, base+"/documents").expect(t, http.StatusOK); strings.Contains(tab.body, `id="documents-zip"`) ||
		strings.Contains(tab.body, "documents-zip-anyway") || !strings.Contains(tab.body, `id="documents-zip-restricted"`) {
		t.Errorf("the recruiter's documents tab:\n%s", tab.body)
	}
	boss := u.session(t, u.user(t, "Mila", kluis.RoleManager).ID)
	if tab := u.get(t, boss, base+"/documents").expect(t, http.StatusOK); !strings.Contains(tab.body, `id="documents-zip-anyway"`) {
		t.Fatalf("the manager's documents tab has no export anyway:\n%s", tab.body)
	}
	bad := u.post(t, boss, base+"/documents.zip", url.Values{"override_reason": {"gemak"}})
	if bad.status != http.StatusUnprocessableEntity || clientFieldError(bad.body, "override_reason") == "" || clientFieldError(bad.body, "override_note") == "" {
		t.Errorf("an export anyway without a reason: %d", bad.status)
	}
	if page := u.post(t, rec, base+"/documents.zip", url.Values{"override_reason": {"consent"}, "override_note": {"Kandidaat vroeg het"}}); page.status != http.StatusForbidden {
		t.Errorf("a recruiter exported anyway in the UI: %d", page.status)
	}
	zipped := u.post(t, boss, base+"/documents.zip", url.Values{"override_reason": {"consent"}, "override_note": {"Kandidaat vroeg het"}})
	if zipped.status != http.StatusOK || unzip(t, []byte(zipped.body))["documents/manifest.json"] == "" {
		t.Fatalf("the export anyway in the UI: %d", zipped.status)
	}
	if os, _ := u.DB.ProcessingOverrides(t.Context(), po, x.ID); len(os) != 2 || os[0].Reason != "consent" || os[0].Entity != "export:documents" {
		t.Errorf("the UI's export anyway is not recorded: %+v", os)
	}
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
