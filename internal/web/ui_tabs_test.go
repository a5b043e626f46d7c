package web

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

// tabsEnv is a running server over a fresh SQLite database, a logged-in
// recruiter and one candidate.
type tabsEnv struct {
	*storetest.Env
	t      *testing.T
	srv    *httptest.Server
	client *http.Client
	secret string
	cand   *kluis.Candidate
}

func newTabsEnv(t *testing.T) *tabsEnv {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a server")
	}
	e := storetest.Open(t, store.SQLite)
	h, err := New(e.DB, slog.New(slog.NewTextHandler(io.Discard, nil)), e.Clock)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	secret, err := e.DB.CreateSession(context.Background(), e.Tenant.ID, e.Actor.UserID)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &tabsEnv{Env: e, t: t, srv: srv, client: client, secret: secret, cand: e.MustCreateCandidate(t, "Jansen")}
}

type tabsResponse struct {
	status int
	header http.Header
	body   string
}

// request sends a request as the logged-in user; htmx adds the headers
// htmx sends. Posts come from the server's own origin unless hdr says else.
func (te *tabsEnv) request(method, path string, body io.Reader, ctype string, htmx bool, hdr ...string) tabsResponse {
	te.t.Helper()
	req, err := http.NewRequest(method, te.srv.URL+path, body)
	if err != nil {
		te.t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: te.secret})
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if method == http.MethodPost {
		req.Header.Set("Origin", te.srv.URL)
	}
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := te.client.Do(req)
	if err != nil {
		te.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		te.t.Fatal(err)
	}
	return tabsResponse{res.StatusCode, res.Header, string(b)}
}

func (te *tabsEnv) get(path string, htmx bool, hdr ...string) tabsResponse {
	te.t.Helper()
	return te.request(http.MethodGet, path, nil, "", htmx, hdr...)
}

func (te *tabsEnv) post(path string, form url.Values, htmx bool, hdr ...string) tabsResponse {
	te.t.Helper()
	return te.request(http.MethodPost, path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded", htmx, hdr...)
}

// upload posts the document form: kind, then the file.
func (te *tabsEnv) upload(path, kind, name string, content []byte, htmx bool) tabsResponse {
	te.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("kind", kind)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		te.t.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = mw.Close()
	return te.request(http.MethodPost, path, &buf, mw.FormDataContentType(), htmx)
}

func (te *tabsEnv) base() string { return "/candidates/" + strconv.FormatInt(te.cand.ID, 10) }

// mustStoreDocument stores a document for candidate c directly.
func (te *tabsEnv) mustStoreDocument(c *kluis.Candidate, kind, name string, content []byte) *kluis.Document {
	te.t.Helper()
	d := &kluis.Document{CandidateID: c.ID, Kind: kind, FileName: name}
	if err := te.DB.CreateDocument(context.Background(), te.Actor, d, bytes.NewReader(content)); err != nil {
		te.t.Fatalf("store document: %v", err)
	}
	return d
}

var tabsPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

func wantStatus(t *testing.T, what string, r tabsResponse, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: status %d, want %d; body:\n%.3000s", what, r.status, want, r.body)
	}
}

func wantIn(t *testing.T, what string, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("%s: missing %q in:\n%.4000s", what, s, body)
		}
	}
}

func TestEachCandidateTabRendersTheCandidatesData(t *testing.T) {
	te := newTabsEnv(t)
	ctx := context.Background()
	client := te.MustCreateClient(t, "Logistiek Noord BV")
	if err := te.DB.CreateContactMoment(ctx, te.Actor, &kluis.ContactMoment{CandidateID: te.cand.ID, Kind: "phone",
		Note: "Gebeld over de vacature in Houten."}); err != nil {
		t.Fatal(err)
	}
	cv := te.mustStoreDocument(te.cand, "cv", "cv-jansen.pdf", tabsPDF)
	slip := te.mustStoreDocument(te.cand, "pay-slip", "loonstrook-47.pdf", tabsPDF)
	if err := te.DB.CreatePlacement(ctx, te.Actor, &kluis.Placement{CandidateID: te.cand.ID, ClientID: client.ID,
		Function: "Orderpicker", StartDate: "2026-11-02", HourlyWageCents: 1550}); err != nil {
		t.Fatal(err)
	}
	if err := te.DB.CreatePayrollRecord(ctx, te.Actor, &kluis.PayrollRecord{CandidateID: te.cand.ID, Year: 2026, Period: 47,
		GrossCents: 123456, NetCents: 98765, DocumentID: slip.ID}); err != nil {
		t.Fatal(err)
	}
	if err := te.DB.CreateDisclosure(ctx, te.Actor, &kluis.Disclosure{CandidateID: te.cand.ID, RecipientKind: "uwv",
		Recipient: "UWV Utrecht", Categories: []string{"identity", "employment"}, Purpose: "Aanvraag WW-uitkering"}); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		tab  string
		want []string
	}{
		{"/history", []string{"Telefoon", "Gebeld over de vacature in Houten.", "Test Recruiter", `name="note"`, `type="datetime-local"`}},
		{"/documents", []string{"cv-jansen.pdf", "PDF", "/documents/" + formatID(cv.ID) + "/download", "Naar opdrachtgever",
			`enctype="multipart/form-data"`, `hx-encoding="multipart/form-data"`}},
		{"/placements", []string{"Logistiek Noord BV", "/clients/" + formatID(client.ID), "Orderpicker", "02-11-2026", "€ 15,50", "Fase A"}},
		{"/payroll", []string{"Uw rol geeft geen toegang tot dit onderdeel."}},
		{"/privacy", []string{"UWV Utrecht", "Identiteit, Werk en plaatsingen", "Aanvraag WW-uitkering", "Bewaartermijnen", `type="checkbox"`}},
	} {
		r := te.get(te.base()+tc.tab, false)
		wantStatus(t, tc.tab, r, http.StatusOK)
		wantIn(t, tc.tab, r.body, tc.want...)
		wantIn(t, tc.tab, r.body, "<html", `aria-current="page"`)
		if strings.Contains(r.body, "style=") || strings.Contains(r.body, "<script>") {
			t.Errorf("%s: inline style or script (the CSP forbids them)", tc.tab)
		}
		// htmx switching tabs gets the panel only.
		p := te.get(te.base()+tc.tab, true)
		wantStatus(t, tc.tab+" (htmx)", p, http.StatusOK)
		if strings.Contains(p.body, "<html") || !strings.Contains(p.body, `id="tabpanel"`) {
			t.Errorf("%s (htmx): want the tab panel only:\n%.2000s", tc.tab, p.body)
		}
	}

	// Pay slips and payroll are payroll's: the recruiter does not see them,
	// payroll does.
	if r := te.get(te.base()+"/documents", false); strings.Contains(r.body, "loonstrook-47.pdf") {
		t.Error("the recruiter sees a pay slip")
	}
	if r := te.get(te.base()+"/documents/"+formatID(slip.ID)+"/download", false); r.status != http.StatusNotFound {
		t.Errorf("the recruiter downloads a pay slip: %d", r.status)
	}
	payroll := &kluis.User{Email: "payroll@test.kluis.test", Role: kluis.RolePayroll, Name: "Test Payroll"}
	if err := te.DB.CreateUser(ctx, te.Tenant.ID, payroll); err != nil {
		t.Fatal(err)
	}
	mustSetUpTOTP(t, te.DB, te.Tenant.ID, payroll.ID)
	recruiterSecret := te.secret
	payrollSecret, err := te.DB.CreateSession(ctx, te.Tenant.ID, payroll.ID)
	if err != nil {
		t.Fatal(err)
	}
	te.secret = payrollSecret
	wantIn(t, "/payroll as payroll", te.get(te.base()+"/payroll", false).body, "2026", "€ 1.234,56", "€ 987,65",
		"/documents/"+formatID(slip.ID)+"/download", "alleen in te zien")
	wantIn(t, "/documents as payroll", te.get(te.base()+"/documents", false).body, "loonstrook-47.pdf")
	if r := te.get(te.base()+"/history", false); !strings.Contains(r.body, "Uw rol geeft geen toegang") {
		t.Error("payroll sees the history")
	}
	te.secret = recruiterSecret

	// Forms work with and without JavaScript: both action= and hx-post=.
	for _, tab := range []string{"/history", "/documents", "/placements", "/privacy/disclosures"} {
		page := strings.TrimSuffix(tab, "/disclosures")
		r := te.get(te.base()+page, false)
		wantIn(t, tab+" form", r.body, `action="`+te.base()+tab+`"`, `hx-post="`+te.base()+tab+`"`)
	}

	// English users read English.
	if err := te.DB.SetLanguage(ctx, te.Tenant.ID, te.Actor.UserID, "en"); err != nil {
		t.Fatal(err)
	}
	r := te.get(te.base()+"/history", false)
	wantIn(t, "history (en)", r.body, "Contact moments", "Phone", "Record a contact moment")
	r = te.get(te.base()+"/payroll", false)
	wantIn(t, "payroll (en)", r.body, "Your role gives no access to this part.")
}

func TestAddingAContactMoment(t *testing.T) {
	te := newTabsEnv(t)
	path := te.base() + "/history"

	// A bad kind: 422, the error by the field, the note kept.
	r := te.post(path, url.Values{"kind": {"telepathy"}, "note": {"Belde over zijn rijbewijs & VCA."}}, true)
	wantStatus(t, "bad kind", r, http.StatusUnprocessableEntity)
	wantIn(t, "bad kind", r.body, `id="tabpanel"`, `aria-invalid="true" aria-describedby="e-kind"`, `<p class="error" id="e-kind">Kies een van:`,
		"Belde over zijn rijbewijs &amp; VCA.</textarea>")
	if strings.Contains(r.body, "<html") {
		t.Error("bad kind: htmx should get the tab panel only")
	}
	if _, n, _ := te.DB.ListContactMoments(context.Background(), te.Actor, store.ContactMomentFilter{CandidateID: te.cand.ID}); n != 0 {
		t.Errorf("bad kind: %d moments stored", n)
	}

	// A malformed time is an error by its field, the kind's is shown too.
	r = te.post(path, url.Values{"kind": {""}, "at": {"gisteren"}, "note": {"x"}}, true)
	wantStatus(t, "bad time", r, http.StatusUnprocessableEntity)
	wantIn(t, "bad time", r.body, `id="e-at">Geen geldige datum en tijd.`, `id="e-kind">Dit veld is verplicht.`)

	// A good one appears on top of the timeline, at the time typed (Dutch time).
	r = te.post(path, url.Values{"kind": {"visit"}, "at": {"2026-11-28T14:30"}, "note": {"Langs geweest voor de intake."}}, true)
	wantStatus(t, "good", r, http.StatusOK)
	wantIn(t, "good", r.body, `class="flash"`, "Het contactmoment is vastgelegd.", "Bezoek", "28-11-2026 14:30", "Langs geweest voor de intake.", "Test Recruiter")
	if strings.Contains(r.body, "Langs geweest voor de intake.</textarea>") {
		t.Error("good: the form should be empty again")
	}
	ms, _, err := te.DB.ListContactMoments(context.Background(), te.Actor, store.ContactMomentFilter{CandidateID: te.cand.ID})
	if err != nil || len(ms) != 1 {
		t.Fatalf("stored moments: %v %v", ms, err)
	}
	if want := time.Date(2026, 11, 28, 13, 30, 0, 0, time.UTC); !ms[0].At.Equal(want) {
		t.Errorf("at = %v, want %v", ms[0].At, want)
	}

	// Without JavaScript: a redirect to the tab with the message.
	r = te.post(path, url.Values{"kind": {"phone"}, "note": {"Teruggebeld."}}, false)
	wantStatus(t, "no js", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != path+"?flash=history.added" {
		t.Errorf("no js: Location %q", loc)
	}
	page := te.get(path+"?flash=history.added", false)
	wantIn(t, "after redirect", page.body, "Het contactmoment is vastgelegd.", "Teruggebeld.")
	// The newest first.
	if strings.Index(page.body, "Teruggebeld.") > strings.Index(page.body, "Langs geweest") {
		t.Error("the timeline is not newest first")
	}
	// Without JavaScript an error is the whole page, with the error.
	r = te.post(path, url.Values{"kind": {"telepathy"}, "note": {"Blijft staan."}}, false)
	wantStatus(t, "no js, bad", r, http.StatusUnprocessableEntity)
	wantIn(t, "no js, bad", r.body, "<html", `id="e-kind"`, "Blijft staan.</textarea>")

	// Deleting.
	del := func(m kluis.ContactMoment, version int64) tabsResponse {
		return te.post(path+"/"+formatID(m.ID)+"/delete", url.Values{"version": {strconv.FormatInt(version, 10)}}, true)
	}
	ms, _, _ = te.DB.ListContactMoments(context.Background(), te.Actor, store.ContactMomentFilter{CandidateID: te.cand.ID})
	r = del(ms[0], ms[0].Version+1)
	wantStatus(t, "stale delete", r, http.StatusUnprocessableEntity)
	wantIn(t, "stale delete", r.body, "Iemand anders heeft dit intussen gewijzigd")
	r = del(ms[0], ms[0].Version)
	wantStatus(t, "delete", r, http.StatusOK)
	wantIn(t, "delete", r.body, "Het contactmoment is verwijderd.")
	if strings.Contains(r.body, "Teruggebeld.") {
		t.Error("the deleted moment is still shown")
	}
	r = del(ms[0], ms[0].Version)
	wantStatus(t, "delete again", r, http.StatusOK)

	// A moment of another candidate cannot be deleted through this one.
	other := te.MustCreateCandidate(t, "Bakker")
	m := &kluis.ContactMoment{CandidateID: other.ID, Kind: "phone"}
	if err := te.DB.CreateContactMoment(context.Background(), te.Actor, m); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "other's moment", del(*m, m.Version), http.StatusNotFound)
	if _, err := te.DB.ContactMoment(context.Background(), te.Actor, m.ID); err != nil {
		t.Errorf("the other candidate's moment is gone: %v", err)
	}
}

func TestTheHistoryShowsFiftyMomentsAtATime(t *testing.T) {
	te := newTabsEnv(t)
	for i := range 60 {
		te.Clock.Advance(time.Second)
		if err := te.DB.CreateContactMoment(context.Background(), te.Actor, &kluis.ContactMoment{CandidateID: te.cand.ID,
			Kind: "email", Note: "Bericht " + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	path := te.base() + "/history"
	r := te.get(path, false)
	if n := strings.Count(r.body, `<p class="note">`); n != 50 {
		t.Errorf("first page: %d moments, want 50", n)
	}
	wantIn(t, "first page", r.body, "Bericht 59", `name="offset" value="50"`, "1–50 van 60")
	// htmx "more": the next moments and a new pager, out of band.
	more := te.get(path+"?offset=50", true, "HX-Target", "timeline")
	wantStatus(t, "more", more, http.StatusOK)
	if n := strings.Count(more.body, `<p class="note">`); n != 10 {
		t.Errorf("more: %d moments, want 10", n)
	}
	wantIn(t, "more", more.body, "Bericht 0", `id="history-more"`, `hx-swap-oob="true"`, "1–60 van 60")
	if strings.Contains(more.body, `id="tabpanel"`) || strings.Contains(more.body, `name="offset"`) {
		t.Errorf("more: want only the moments and a pager without a button:\n%s", more.body)
	}
	// Without JavaScript: the next page as a whole page.
	page := te.get(path+"?offset=50", false)
	wantIn(t, "second page", page.body, "<html", "Bericht 0", "51–60 van 60", "Naar de nieuwste")
}

func TestUploadingAndDownloadingDocuments(t *testing.T) {
	te := newTabsEnv(t)
	ctx := context.Background()
	path := te.base() + "/documents"

	r := te.upload(path, "cv", "CV Jansen.pdf", tabsPDF, true)
	wantStatus(t, "upload", r, http.StatusOK)
	wantIn(t, "upload", r.body, "Het document is toegevoegd.", "CV Jansen.pdf", "PDF", "Test Recruiter", strconv.Itoa(len(tabsPDF))+" B")
	ds, _, err := te.DB.ListDocuments(ctx, te.Actor, store.DocumentFilter{CandidateID: te.cand.ID})
	if err != nil || len(ds) != 1 {
		t.Fatalf("documents: %v %v", ds, err)
	}
	d := ds[0]

	dl := te.get(path+"/"+formatID(d.ID)+"/download", false)
	wantStatus(t, "download", dl, http.StatusOK)
	if dl.body != string(tabsPDF) {
		t.Errorf("download: got %q", dl.body)
	}
	if cd := dl.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, "CV Jansen.pdf") {
		t.Errorf("Content-Disposition %q", cd)
	}
	if ct := dl.header.Get("Content-Type"); ct != "application/pdf" {
		t.Errorf("Content-Type %q", ct)
	}
	if csp := dl.header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") {
		t.Errorf("Content-Security-Policy %q", csp)
	}

	// Without JavaScript the upload redirects back to the tab.
	r = te.upload(path, "certificate", "vca.pdf", tabsPDF, false)
	wantStatus(t, "upload, no js", r, http.StatusSeeOther)

	// No file chosen, an unknown kind: errors by the fields.
	r = te.upload(path, "cv", "", nil, true)
	wantStatus(t, "no file", r, http.StatusUnprocessableEntity)
	wantIn(t, "no file", r.body, `id="e-file">Kies een bestand.`)
	r = te.upload(path, "diary", "dagboek.pdf", tabsPDF, true)
	wantStatus(t, "bad kind", r, http.StatusUnprocessableEntity)
	wantIn(t, "bad kind", r.body, `id="e-kind">Kies een van:`)

	// Deleting.
	r = te.post(path+"/"+formatID(d.ID)+"/delete", nil, true)
	wantStatus(t, "delete", r, http.StatusOK)
	wantIn(t, "delete", r.body, "Het document is verwijderd.")
	if strings.Contains(r.body, "CV Jansen.pdf") {
		t.Error("the deleted document is still listed")
	}
	wantStatus(t, "download deleted", te.get(path+"/"+formatID(d.ID)+"/download", false), http.StatusNotFound)
}

func TestAnExecutableDisguisedAsPDFIsRefused(t *testing.T) {
	te := newTabsEnv(t)
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), make([]byte, 600)...)
	r := te.upload(te.base()+"/documents", "cv", "cv.pdf", exe, true)
	wantStatus(t, "exe", r, http.StatusUnprocessableEntity)
	wantIn(t, "exe", r.body, `id="e-file">Dit soort bestand wordt niet aangenomen`)
	if _, n, _ := te.DB.ListDocuments(context.Background(), te.Actor, store.DocumentFilter{}); n != 0 {
		t.Errorf("%d documents stored", n)
	}
	var keys []string
	if err := te.DB.Blobs().List(context.Background(), func(k string) error { keys = append(keys, k); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 0 {
		t.Errorf("blobs stored: %v", keys)
	}
}

func TestADocumentOfAnotherCandidateIsNotFoundThroughThisOne(t *testing.T) {
	te := newTabsEnv(t)
	other := te.MustCreateCandidate(t, "Bakker")
	d := te.mustStoreDocument(other, "cv", "cv-bakker.pdf", tabsPDF)
	te.MustCreateClient(t, "Logistiek Noord BV")
	p := te.base() + "/documents/" + formatID(d.ID)
	wantStatus(t, "download", te.get(p+"/download", false), http.StatusNotFound)
	wantStatus(t, "delete", te.post(p+"/delete", nil, false), http.StatusNotFound)
	wantStatus(t, "disclose", te.post(p+"/disclose", url.Values{"purpose": {"x"}}, false), http.StatusNotFound)
	wantStatus(t, "disclose form", te.get(te.base()+"/documents?disclose="+formatID(d.ID), false), http.StatusNotFound)
	if _, err := te.DB.Document(context.Background(), te.Actor, d.ID); err != nil {
		t.Errorf("the other candidate's document is gone: %v", err)
	}
	// Through its own candidate it is there.
	wantStatus(t, "own", te.get("/candidates/"+formatID(other.ID)+"/documents/"+formatID(d.ID)+"/download", false), http.StatusOK)
}

func TestSendingACVToAClient(t *testing.T) {
	te := newTabsEnv(t)
	ctx := context.Background()
	client := te.MustCreateClient(t, "Logistiek Noord BV")
	cv := te.mustStoreDocument(te.cand, "cv", "cv.pdf", tabsPDF)
	id := te.mustStoreDocument(te.cand, "id-copy", "paspoort.pdf", tabsPDF)
	path := te.base() + "/documents"

	form := te.get(path+"?disclose="+formatID(cv.ID), true)
	wantStatus(t, "form", form, http.StatusOK)
	wantIn(t, "form", form.body, "CV naar een opdrachtgever sturen", `action="`+path+"/"+formatID(cv.ID)+`/disclose"`, "Logistiek Noord BV")
	// Only CVs go to clients from here.
	wantStatus(t, "id copy", te.get(path+"?disclose="+formatID(id.ID), false), http.StatusNotFound)
	wantStatus(t, "id copy post", te.post(path+"/"+formatID(id.ID)+"/disclose",
		url.Values{"client_id": {formatID(client.ID)}, "purpose": {"x"}}, true), http.StatusNotFound)

	r := te.post(path+"/"+formatID(cv.ID)+"/disclose", url.Values{"client_id": {""}, "purpose": {"Voorstel orderpicker"}}, true)
	wantStatus(t, "no client", r, http.StatusUnprocessableEntity)
	wantIn(t, "no client", r.body, `id="e-client_id"`, `value="Voorstel orderpicker"`)

	r = te.post(path+"/"+formatID(cv.ID)+"/disclose", url.Values{"client_id": {formatID(client.ID)}, "purpose": {"Voorstel orderpicker"}}, true)
	wantStatus(t, "disclose", r, http.StatusOK)
	wantIn(t, "disclose", r.body, "Vastgelegd: het CV is aan de opdrachtgever verstrekt.")
	ds, _, err := te.DB.ListDisclosures(ctx, te.Actor, store.DisclosureFilter{CandidateID: te.cand.ID})
	if err != nil || len(ds) != 1 || ds[0].ClientID != client.ID || ds[0].Purpose != "Voorstel orderpicker" {
		t.Fatalf("disclosures: %+v %v", ds, err)
	}
	priv := te.get(te.base()+"/privacy", false)
	wantIn(t, "privacy", priv.body, "Logistiek Noord BV", "Voorstel orderpicker", "Documenten")
	hist := te.get(te.base()+"/history", false)
	wantIn(t, "history", hist.body, "CV verstuurd")
}

func TestPlacementsTab(t *testing.T) {
	te := newTabsEnv(t)
	ctx := context.Background()
	client := te.MustCreateClient(t, "Logistiek Noord BV")
	path := te.base() + "/placements"
	good := url.Values{"client_id": {formatID(client.ID)}, "function": {"Heftruckchauffeur"}, "start_date": {"2026-12-01"},
		"end_date": {"2026-11-15"}, "hourly_wage": {"15,50"}, "contract_kind": {"phase-a"}}

	r := te.post(path, good, true)
	wantStatus(t, "end before start", r, http.StatusUnprocessableEntity)
	wantIn(t, "end before start", r.body, `id="e-end_date">De einddatum ligt voor de begindatum.`, `value="Heftruckchauffeur"`, `value="15,50"`)

	bad := url.Values{"client_id": {formatID(client.ID)}, "function": {""}, "start_date": {"2026-12-01"}, "hourly_wage": {"vijftien"}}
	r = te.post(path, bad, true)
	wantStatus(t, "bad wage", r, http.StatusUnprocessableEntity)
	wantIn(t, "bad wage", r.body, `id="e-hourly_wage">Vul een bedrag in`, `id="e-function">Dit veld is verplicht.`)

	good.Set("end_date", "")
	r = te.post(path, good, true)
	wantStatus(t, "add", r, http.StatusOK)
	wantIn(t, "add", r.body, "De plaatsing is toegevoegd.", "Heftruckchauffeur", "01-12-2026", "€ 15,50", "/clients/"+formatID(client.ID))
	ps, _, err := te.DB.ListPlacements(ctx, te.Actor, store.PlacementFilter{CandidateID: te.cand.ID})
	if err != nil || len(ps) != 1 || ps[0].HourlyWageCents != 1550 {
		t.Fatalf("placements: %+v %v", ps, err)
	}
	p := ps[0]
	end := func(date string, version int64) tabsResponse {
		return te.post(path+"/"+formatID(p.ID)+"/end", url.Values{"end_date": {date}, "version": {strconv.FormatInt(version, 10)}}, true)
	}
	r = end("2026-11-01", p.Version)
	wantStatus(t, "end too early", r, http.StatusUnprocessableEntity)
	wantIn(t, "end too early", r.body, `id="e-end-`+formatID(p.ID)+`">De einddatum ligt voor de begindatum.`, `value="2026-11-01"`)
	r = end("2027-03-31", p.Version+1)
	wantStatus(t, "stale end", r, http.StatusUnprocessableEntity)
	wantIn(t, "stale end", r.body, "Iemand anders heeft dit intussen gewijzigd")
	r = end("2027-03-31", p.Version)
	wantStatus(t, "end", r, http.StatusOK)
	wantIn(t, "end", r.body, "De einddatum is opgeslagen.", "31-03-2027")
	if got, _ := te.DB.Placement(ctx, te.Actor, p.ID); got.EndDate != "2027-03-31" {
		t.Errorf("end date %q", got.EndDate)
	}
}

func TestRecordingADisclosureByHand(t *testing.T) {
	te := newTabsEnv(t)
	ctx := context.Background()
	te.MustCreateClient(t, "Logistiek Noord BV")
	path := te.base() + "/privacy/disclosures"

	r := te.post(path, url.Values{"recipient_kind": {"uwv"}, "recipient": {""}, "purpose": {"WW-aanvraag"}, "categories": {"identity"}}, true)
	wantStatus(t, "no recipient", r, http.StatusUnprocessableEntity)
	wantIn(t, "no recipient", r.body, `id="e-recipient"`, `value="identity" checked`, `value="WW-aanvraag"`)

	r = te.post(path, url.Values{"recipient_kind": {"uwv"}, "recipient": {"UWV Utrecht"}, "purpose": {"WW-aanvraag"}}, true)
	wantStatus(t, "no categories", r, http.StatusUnprocessableEntity)
	wantIn(t, "no categories", r.body, `id="e-categories">Kies welke soorten gegevens zijn verstrekt.`)

	r = te.post(path, url.Values{"recipient_kind": {"uwv"}, "recipient": {"UWV Utrecht"}, "purpose": {"WW-aanvraag"},
		"categories": {"identity", "payroll"}}, true)
	wantStatus(t, "record", r, http.StatusOK)
	wantIn(t, "record", r.body, "De verstrekking is vastgelegd.", "UWV Utrecht", "Identiteit, Salaris", "WW-aanvraag", "Test Recruiter")
	ds, _, err := te.DB.ListDisclosures(ctx, te.Actor, store.DisclosureFilter{CandidateID: te.cand.ID})
	if err != nil || len(ds) != 1 || ds[0].RecipientKind != "uwv" || strings.Join(ds[0].Categories, ",") != "identity,payroll" {
		t.Fatalf("disclosures: %+v %v", ds, err)
	}
}

func TestACrossSitePostIsRefused(t *testing.T) {
	te := newTabsEnv(t)
	for _, p := range []string{"/history", "/placements", "/privacy/disclosures", "/documents"} {
		r := te.post(te.base()+p, url.Values{"kind": {"phone"}, "note": {"via een andere site"}}, false, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
		wantStatus(t, p, r, http.StatusForbidden)
	}
	// Same origin by Sec-Fetch-Site alone passes.
	r := te.post(te.base()+"/history", url.Values{"kind": {"phone"}}, false, "Sec-Fetch-Site", "same-origin", "Origin", "")
	wantStatus(t, "same-origin", r, http.StatusSeeOther)
	if _, n, _ := te.DB.ListContactMoments(context.Background(), te.Actor, store.ContactMomentFilter{CandidateID: te.cand.ID}); n != 1 {
		t.Errorf("%d moments stored, want only the same-origin one", n)
	}
}

func TestTheTabsNeedASession(t *testing.T) {
	te := newTabsEnv(t)
	te.secret = "not-a-session"
	r := te.get(te.base()+"/documents", false)
	wantStatus(t, "no session", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, "/login") {
		t.Errorf("Location %q", loc)
	}
}

// TestTheTabTextsAreInTheCatalogue checks every key the tab templates use,
// and that each tab text has both languages.
func TestTheTabTextsAreInTheCatalogue(t *testing.T) {
	keyRe := regexp.MustCompile(`\.T "([^"]+)"`)
	for _, name := range []string{"tab_history", "tab_documents", "tab_placements", "tab_payroll", "tab_privacy"} {
		b, err := fs.ReadFile(assets, "templates/partials/"+name+".html")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRe.FindAllStringSubmatch(string(b), -1) {
			if _, ok := messages[m[1]]; !ok {
				t.Errorf("%s: no message %q", name, m[1])
			}
		}
		if strings.Contains(string(b), "style=") || strings.Contains(string(b), "<script") {
			t.Errorf("%s: inline style or script", name)
		}
	}
	for k, m := range tabMessages {
		if m.NL == "" || m.EN == "" {
			t.Errorf("%s: a language is missing", k)
		}
	}
}
