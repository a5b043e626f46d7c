package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// xss is a payload for free-text field n: a script element and an
// attribute break-out, each carrying the marker xN so that a test can see
// where the field was shown.
func xss(n string) string {
	return `<script>x` + n + `</script>"><img src=x onerror=x` + n + `>`
}

// rawMarkup finds a payload that reached a page as markup.
var rawMarkup = regexp.MustCompile(`<script>x[0-9]+|<img src=x onerror`)

// TestFreeTextIsEscapedOnEveryPage puts a script payload in every free-text
// field of a candidate, a client and its contact, a placement, a contact
// moment, a document name, a request, a legal hold, a consent, a
// disclosure, a breach, a restriction, a staff member and a branch, then
// opens every page of the staff UI as a manager, the privacy officer and
// the administrator: no payload comes through as markup, and every field is
// shown (escaped) on some page, so that the test looks where the text is.
// The record card, a request's letter and the breach's PDFs show the text
// as text.
func TestFreeTextIsEscapedOnEveryPage(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	officer := u.user(t, "Fenna", kluis.RolePrivacy)
	manager := u.user(t, "Mila", kluis.RoleManager)
	admin := u.user(t, "Aart", kluis.RoleAdmin)
	pa := kluis.Actor{TenantID: u.Tenant.ID, UserID: officer.ID, Role: kluis.RolePrivacy}
	fields := map[string]string{}
	x := func(n, what string) string {
		fields[n] = what
		return xss(n)
	}
	c := &kluis.Candidate{BranchID: u.Branch.ID, FirstName: x("1", "candidate's first name"), LastName: x("2", "candidate's last name"),
		City: x("3", "candidate's city"), Street: x("4", "candidate's street"),
		Email: "x@example.nl", Functions: []string{x("5", "candidate's function")}, Source: "walk-in"}
	must(u.DB.CreateCandidate(ctx, u.Actor, c))
	cl := &kluis.Client{BranchID: u.Branch.ID, Name: x("6", "client's name"), KvKNumber: "12345678", City: x("7", "client's city")}
	must(u.DB.CreateClient(ctx, u.Actor, cl))
	must(u.DB.CreateClientContact(ctx, u.Actor, &kluis.ClientContact{ClientID: cl.ID, Name: x("8", "contact's name"), JobTitle: x("9", "contact's job title")}))
	pl := &kluis.Placement{CandidateID: c.ID, ClientID: cl.ID, Function: x("10", "placement's function"), StartDate: "2026-11-02", HourlyWageCents: 1600}
	must(u.DB.CreatePlacement(ctx, u.Actor, pl))
	must(u.DB.CreateContactMoment(ctx, u.Actor, &kluis.ContactMoment{CandidateID: c.ID, Kind: "phone", Note: x("11", "contact moment's note")}))
	d := &kluis.Document{CandidateID: c.ID, Kind: "cv", FileName: x("12", "document's file name") + ".pdf"}
	must(u.DB.CreateDocument(ctx, u.Actor, d, strings.NewReader("%PDF-1.4\n%%EOF\n")))
	rq := &kluis.Request{CandidateID: c.ID, Kind: "access", Channel: "email", Description: x("13", "request's description")}
	must(u.DB.CreateRequest(ctx, pa, rq))
	must(u.DB.CreateLegalHold(ctx, pa, &kluis.LegalHold{CandidateID: c.ID, Kind: "dispute", Reason: x("14", "legal hold's reason")}))
	must(u.DB.CreateConsent(ctx, u.Actor, &kluis.Consent{CandidateID: c.ID, Channel: "email", Wording: x("15", "consent's wording"), ValidUntil: "2027-12-31"}))
	must(u.DB.CreateDisclosure(ctx, u.Actor, &kluis.Disclosure{CandidateID: c.ID, RecipientKind: "other", Recipient: x("16", "disclosure's recipient"),
		Categories: []string{"identity"}, Purpose: x("17", "disclosure's purpose")}))
	br := &kluis.Breach{Title: x("18", "breach's title"), DiscoveredAt: u.DB.Now().Add(-time.Hour), Facts: x("19", "breach's facts")}
	must(u.DB.ReportBreach(ctx, pa, br))
	_, err := u.DB.LinkBreachCandidates(ctx, pa, br.ID, []kluis.ID{c.ID})
	must(err)
	// The restriction is on a second candidate: a restricted candidate's
	// data are shown to no one, and the first one's must be.
	c2 := &kluis.Candidate{BranchID: u.Branch.ID, FirstName: "Beperkt", LastName: "Tweede", Email: "y@example.nl", Source: "walk-in"}
	must(u.DB.CreateCandidate(ctx, u.Actor, c2))
	rs := &kluis.Restriction{CandidateID: c2.ID, Ground: "accuracy", Note: x("20", "restriction's note")}
	must(u.DB.Restrict(ctx, pa, rs))
	must(u.DB.CreateUser(ctx, u.Tenant.ID, &kluis.User{Email: "x21@test.kluis.test", Name: x("21", "staff member's name"), Role: kluis.RoleRecruiter, BranchID: u.Branch.ID}))
	_, err = u.DB.CreateBranch(ctx, kluis.Actor{TenantID: u.Tenant.ID, UserID: admin.ID, Role: kluis.RoleAdmin}, x("22", "branch's name"), "Rotterdam")
	must(err)

	ids := matrixAgency{candidate: c.ID, client: cl.ID, document: d.ID, request: rq.ID, placement: pl.ID, breach: br.ID, restriction: rs.ID}
	shown := map[string]bool{}
	marker := regexp.MustCompile(`^x([0-9]+)`)
	pages := 0
	for _, usr := range []*kluis.User{manager, officer, admin} {
		cookie := u.session(t, usr.ID)
		for _, rt := range u.web.routes() {
			if rt.guard != session || rt.method != "GET" || strings.HasSuffix(rt.pattern, ".pdf") || strings.HasSuffix(rt.pattern, ".json") ||
				strings.HasSuffix(rt.pattern, ".csv") || strings.Contains(rt.pattern, "/content") || strings.Contains(rt.pattern, "/download") || strings.Contains(rt.pattern, "{letter}") {
				continue
			}
			path := ids.path(rt.pattern)
			p := u.get(t, cookie, path)
			pages++
			if p.status >= 500 {
				t.Errorf("%s as %s: %d", path, usr.Role, p.status)
			}
			if m := rawMarkup.FindString(p.body); m != "" {
				t.Errorf("%s as %s shows %q unescaped", path, usr.Role, m)
			}
			for _, esc := range []string{"&lt;script&gt;x", "onerror=x"} {
				for _, at := range allIndex(p.body, esc) {
					if m := marker.FindStringSubmatch(p.body[at:]); m != nil {
						shown[m[1]] = true
					}
				}
			}
		}
	}
	if pages < 20 {
		t.Fatalf("only %d pages opened: the route table was not walked", pages)
	}
	for _, n := range sortedKeys(fields) {
		if !shown[n] {
			t.Errorf("the %s (x%s) was shown on no page: its escaping is unproven", fields[n], n)
		}
	}

	// The PDFs show the text as text: the record card, a letter to the
	// candidate with the officer's reason, the breach and the register.
	po := u.session(t, officer.ID)
	u.post(t, po, "/requests/"+idText(rq.ID)+"/letters", url.Values{"kind": {"refusal"}, "lang": {"nl"}, "reason": {x("23", "letter's reason")}}).expect(t, http.StatusSeeOther)
	letters, err := u.DB.Letters(ctx, pa, rq.ID)
	must(err)
	if len(letters) != 1 {
		t.Fatalf("%d letters", len(letters))
	}
	pdfs := []struct {
		path  string
		shows []string
	}{
		{"/candidates/" + idText(c.ID) + "/stamkaart.pdf", []string{"1", "11"}},
		{"/requests/" + idText(rq.ID) + "/letters/" + idText(letters[0].ID), []string{"2", "23"}},
		{"/breaches/" + idText(br.ID) + "/breach.pdf", []string{"18", "19"}},
		{"/breaches/register.pdf", []string{"18"}},
	}
	needPDFText(t)
	for _, f := range pdfs {
		pdf := u.get(t, po, f.path).expect(t, http.StatusOK)
		file := filepath.Join(t.TempDir(), "out.pdf")
		must(os.WriteFile(file, []byte(pdf.body), 0o600))
		out, err := exec.Command("pdftotext", "-raw", file, "-").Output()
		must(err)
		text := strings.Join(strings.Fields(string(out)), "")
		for _, n := range f.shows {
			if !strings.Contains(text, strings.Join(strings.Fields(xss(n)), "")) {
				t.Errorf("%s does not show the %s (x%s) as text:\n%s", f.path, fields[n], n, out)
			}
		}
	}
}

func allIndex(s, sub string) []int {
	var out []int
	for i := 0; ; {
		j := strings.Index(s[i:], sub)
		if j < 0 {
			return out
		}
		out = append(out, i+j+len(sub)-1)
		i += j + len(sub)
	}
}

// TestAnEditThatIsNotOneJSONObjectChangesNothing: a body with a stray
// closing brace once passed as an edit without a version and without its
// fields being checked against the role's permissions.
func TestAnEditThatIsNotOneJSONObjectChangesNothing(t *testing.T) {
	u := newClientUIEnv(t)
	c := u.MustCreateCandidate(t, "Brace")
	secret, _, err := u.DB.CreateToken(context.Background(), u.Tenant.ID, u.Actor.UserID, "edit", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{`{"version":1,"bsn":"123456782"}}`, `{"last_name":"Anders"}}`, `{"version":1,"last_name":"Anders"} {"x":1}`,
		`{"version":1,"last_name":"Anders"}]`, `[{"version":1}]`} {
		code, resp := u.apiCall(t, secret, "PATCH", "/api/v1/candidates/"+idText(c.ID), body, nil)
		if code != http.StatusBadRequest {
			t.Errorf("%s: %d %s", body, code, resp)
		}
	}
	got, err := u.DB.Candidate(context.Background(), u.Actor, c.ID)
	if err != nil || got.Version != c.Version || got.LastName != "Brace" || got.BSN != "" {
		t.Fatalf("the candidate changed: %+v, %v", got, err)
	}
}

// TestBodiesAreBounded: a JSON body, a form and a form with a file beyond
// their limits are refused with 413, and nothing is saved.
func TestBodiesAreBounded(t *testing.T) {
	u := newClientUIEnv(t)
	secret, _, err := u.DB.CreateToken(context.Background(), u.Tenant.ID, u.Actor.UserID, "big", 0)
	if err != nil {
		t.Fatal(err)
	}
	big := `{"branch_id":1,"first_name":"` + strings.Repeat("a", maxJSONBody) + `"}`
	if code, body := u.apiCall(t, secret, "POST", "/api/v1/candidates", big, nil); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a JSON body over 1 MiB: %d %s", code, body)
	}
	cookie := u.session(t, u.Actor.UserID)
	form := strings.NewReader("last_name=" + strings.Repeat("a", maxFormBody+1))
	req, _ := http.NewRequest("POST", u.srv.URL+"/candidates/new", form)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	if res := mustDo(t, u.browser, req); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a form over 1 MiB: %d", res.StatusCode)
	}
	// A file sent to a form that takes none is bounded too, not spilled
	// to a temporary file without end.
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	fw, _ := mw.CreateFormFile("file", "groot.bin")
	_, _ = fw.Write(bytes.Repeat([]byte{'a'}, 2*maxFormBody))
	_ = mw.Close()
	req, _ = http.NewRequest("POST", u.srv.URL+"/candidates/new", &mp)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	if res := mustDo(t, u.browser, req); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a multipart form over 1 MiB: %d", res.StatusCode)
	}
	if _, total, err := u.DB.ListCandidates(context.Background(), u.Actor, store.CandidateFilter{Page: kluis.Page{Limit: 10}}); err != nil || total != 0 {
		t.Fatalf("%d candidates saved (%v)", total, err)
	}
}

func mustDo(t *testing.T, c *http.Client, req *http.Request) *http.Response {
	t.Helper()
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// upload sends one file through the API as the test's recruiter.
func (u *clientUIEnv) upload(t *testing.T, secret string, candidate kluis.ID, kind, name string, content []byte) (int, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("candidate_id", idText(candidate))
	_ = mw.WriteField("kind", kind)
	// CreateFormFile would escape the name; a hostile client does not.
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+name+`"`)
	h.Set("Content-Type", "application/pdf")
	fw, _ := mw.CreatePart(h)
	_, _ = fw.Write(content)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", u.srv.URL+"/api/v1/documents", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// TestUploadsAreCheckedByContentAndNamedSafely: the type is decided by the
// content, whatever the name and Content-Type say; hostile file names are
// stored and offered for download without path, control characters,
// quotes or bidi overrides, and the download header parses back to the
// same safe name.
func TestUploadsAreCheckedByContentAndNamedSafely(t *testing.T) {
	u := newClientUIEnv(t)
	c := u.MustCreateCandidate(t, "Upload")
	secret, _, err := u.DB.CreateToken(context.Background(), u.Tenant.ID, u.Actor.UserID, "upload", 0)
	if err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.4\n%%EOF\n")
	for _, tc := range []struct {
		name    string
		content []byte
		code    int
	}{
		{"cv.pdf", []byte("<!DOCTYPE html><script>alert(1)</script>"), http.StatusUnsupportedMediaType},
		{"cv.pdf", []byte("\xef\xbb\xbf<html><script>alert(1)</script>"), http.StatusUnsupportedMediaType},
		{"cv.pdf", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), http.StatusUnsupportedMediaType},
		{"cv.pdf", append(append([]byte{}, pdf...), make([]byte, kluis.MaxDocumentBytes)...), http.StatusRequestEntityTooLarge},
	} {
		if code, body := u.upload(t, secret, c.ID, "cv", tc.name, tc.content); code != tc.code {
			t.Errorf("%.20q: %d, want %d: %s", tc.content, code, tc.code, body)
		}
	}
	if _, total, _ := u.DB.ListDocuments(context.Background(), u.Actor, store.DocumentFilter{CandidateID: c.ID, Page: kluis.Page{Limit: 10}}); total != 0 {
		t.Fatalf("%d refused uploads were stored", total)
	}

	for _, name := range []string{
		"../../../etc/passwd.pdf", `..\..\windows\win.ini.pdf`, "cv\u202Efdp.exe.pdf", "a\x01b\x7fc.pdf", "\u200b.pdf",
		strings.Repeat("lang", 200) + ".pdf", "rapport%0d%0aX-Evil: 1.pdf", "a;b=c.pdf", "€ loon 2026 .pdf", "....pdf",
	} {
		code, body := u.upload(t, secret, c.ID, "cv", name, pdf)
		if code == http.StatusBadRequest && strings.ContainsAny(name, "\x01\x7f") {
			continue // the multipart reader refuses control characters in a header: a clear 400
		}
		if code != http.StatusCreated {
			t.Errorf("%q: %d %s", name, code, body)
			continue
		}
		var d kluis.Document
		if err := json.Unmarshal([]byte(body), &d); err != nil {
			t.Fatal(err)
		}
		stored := d.FileName
		if strings.ContainsAny(stored, "/\\\"'") || len([]rune(stored)) > 120 || stored == "" {
			t.Errorf("%q stored as %q", name, stored)
		}
		for _, r := range stored {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Errorf("%q stored as %q, with %U", name, stored, r)
			}
		}
		req, _ := http.NewRequest("GET", u.srv.URL+"/api/v1/documents/"+idText(d.ID)+"/content", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		res := mustDo(t, http.DefaultClient, req)
		cd := res.Header.Get("Content-Disposition")
		disp, params, err := mime.ParseMediaType(cd)
		if err != nil || disp != "attachment" || params["filename"] != stored {
			t.Errorf("%q: Content-Disposition %q reads back as %q %q (%v)", name, cd, disp, params["filename"], err)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("%q: the download may be sniffed or run: %v", name, res.Header)
		}
	}
}

// TestEveryAnswerCarriesTheSecurityHeaders: pages, API answers, errors and
// static files alike forbid framing, sniffing, referrers, caching of
// personal data and any script or style from elsewhere.
func TestEveryAnswerCarriesTheSecurityHeaders(t *testing.T) {
	u := newClientUIEnv(t)
	for _, path := range []string{"/login", "/healthz", "/api/v1/candidates", "/candidates", "/geen-pagina", "/static/kluis.css"} {
		req, _ := http.NewRequest("GET", u.srv.URL+path, nil)
		res := mustDo(t, u.browser, req)
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: Content-Security-Policy %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: Content-Security-Policy %q allows inline script", path, csp)
		}
		for name, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
			if got := h.Get(name); got != want {
				t.Errorf("%s: %s = %q, want %q", path, name, got, want)
			}
		}
		if h.Get("X-Request-Id") == "" {
			t.Errorf("%s: no request id", path)
		}
		if !strings.HasPrefix(path, "/static/") && h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q", path, h.Get("Cache-Control"))
		}
	}
}

// TestALogInNeverAdoptsAPlantedSession: an attacker who plants their own
// valid session cookie in a victim's browser (session fixation) gains
// nothing — the victim's log-in starts a new session with a new secret,
// and the attacker's session stays the attacker's. A redirect target that
// a browser would read as another site is replaced by the start page.
func TestALogInNeverAdoptsAPlantedSession(t *testing.T) {
	u := newClientUIEnv(t)
	attacker := u.user(t, "Aart", kluis.RoleRecruiter)
	planted := u.session(t, attacker.ID)
	victim := u.user(t, "Vera", kluis.RoleRecruiter)
	u.withPassword(t, victim, testPW)
	a := u.send(t, "POST", "/login", url.Values{"email": {victim.Email}, "password": {testPW}, "next": {"/\t/evil.example"}},
		map[string]string{sessionCookie: planted}).expect(t, http.StatusSeeOther)
	got := a.cookies[sessionCookie]
	if got == nil || got.Value == "" || got.Value == planted {
		t.Fatalf("the log-in kept the planted session: %+v", got)
	}
	if a.location != "/" {
		t.Errorf("the log-in redirects to %q", a.location)
	}
	if usr, err := u.DB.SessionUser(context.Background(), planted); err != nil || usr.ID != attacker.ID {
		t.Fatalf("the planted session now belongs to %+v (%v)", usr, err)
	}
	if usr, err := u.DB.SessionUser(context.Background(), got.Value); err != nil || usr.ID != victim.ID {
		t.Fatalf("the new session belongs to %+v (%v)", usr, err)
	}
}

// TestThePortalShowsWhatPeopleTypedAsText: a candidate who checks in with
// script payloads in their name, city and street sees them on their portal
// page as text, never as markup, and so does the confirmation e-mail's
// HTML; their record card PDF from the portal shows them as typed.
func TestThePortalShowsWhatPeopleTypedAsText(t *testing.T) {
	p := newPortalEnv(t)
	form := checkInForm(xss("2"), "xss@example.nl")
	form.Set("first_name", xss("1"))
	form.Set("city", xss("3"))
	if page, _ := p.portal(t, nil, "POST", "/portaal/aanmelden/"+p.Tenant.Slug, form); page.status != http.StatusOK {
		t.Fatalf("check-in: %d\n%s", page.status, page.body)
	}
	me := p.candidateByEmail(t, "xss@example.nl")
	if me.FirstName != xss("1") || me.City != xss("3") {
		t.Fatalf("the check-in kept %q, %q", me.FirstName, me.City)
	}
	msgs, _, err := p.DB.OutboxMessages(context.Background(), p.po, me.ID, kluis.Page{})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("%d mails, %v", len(msgs), err)
	}
	if m := rawMarkup.FindString(msgs[0].HTML); m != "" {
		t.Errorf("the confirmation e-mail shows %q as markup", m)
	}
	link, _ := p.mailedLink(t, me.ID)
	linkPath := strings.TrimPrefix(link, p.srv.URL)
	_, secret := p.portal(t, nil, "POST", linkPath, url.Values{})
	if secret == "" {
		t.Fatal("the link did not log in")
	}
	cookie := &http.Cookie{Name: portalCookie, Value: secret}
	page, _ := p.portal(t, cookie, "GET", "/portaal/gegevens", nil)
	page.expect(t, http.StatusOK)
	if m := rawMarkup.FindString(page.body); m != "" {
		t.Errorf("the portal page shows %q unescaped", m)
	}
	for _, n := range []string{"1", "2", "3"} {
		if !strings.Contains(page.body, "&lt;script&gt;x"+n+"&lt;/script&gt;") {
			t.Errorf("the portal page does not show field x%s as text", n)
		}
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed; CI installs it")
	}
	pdf, _ := p.portal(t, cookie, "GET", "/portaal/stamkaart.pdf", nil)
	pdf.expect(t, http.StatusOK)
	file := filepath.Join(t.TempDir(), "stamkaart.pdf")
	if err := os.WriteFile(file, []byte(pdf.body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-raw", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(strings.Fields(string(out)), ""); !strings.Contains(text, strings.Join(strings.Fields(xss("1")), "")) {
		t.Errorf("the portal's record card does not show the first name as text:\n%s", out)
	}
}
