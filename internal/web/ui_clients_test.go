package web

import (
	"context"
	"html"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

// clientUIEnv is a running server over a test database, with a browser that
// does not follow redirects, so that tests see them.
type clientUIEnv struct {
	*storetest.Env
	srv     *httptest.Server
	web     *Server
	browser *http.Client
}

func newClientUIEnv(t testing.TB) *clientUIEnv {
	t.Helper()
	e := storetest.Open(t, store.SQLite)
	h, err := New(e.DB, slog.New(slog.NewTextHandler(io.Discard, nil)), e.Clock)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &clientUIEnv{Env: e, srv: srv, web: h, browser: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// session logs a user in by starting a session directly; it returns the
// cookie value.
func (u *clientUIEnv) session(t testing.TB, user kluis.ID) string {
	t.Helper()
	secret, err := u.DB.CreateSession(context.Background(), u.Tenant.ID, user)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// user adds a staff member with a role.
func (u *clientUIEnv) user(t testing.TB, name string, role kluis.Role) *kluis.User {
	t.Helper()
	usr := &kluis.User{Email: strings.ToLower(name) + "@test.kluis.test", Name: name, Role: role, BranchID: u.Branch.ID}
	if err := u.DB.CreateUser(context.Background(), u.Tenant.ID, usr); err != nil {
		t.Fatal(err)
	}
	if u.web.catalog.RequiresTwoFactor(role) {
		mustSetUpTOTP(t, u.DB, u.Tenant.ID, usr.ID)
	}
	return usr
}

type clientUIPage struct {
	status   int
	body     string
	location string
}

func (u *clientUIEnv) do(t *testing.T, cookie, method, path string, form url.Values, hx bool) clientUIPage {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if hx {
		req.Header.Set("HX-Request", "true")
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	}
	res, err := u.browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return clientUIPage{status: res.StatusCode, body: string(b), location: res.Header.Get("Location")}
}

func (u *clientUIEnv) get(t *testing.T, cookie, path string) clientUIPage {
	t.Helper()
	return u.do(t, cookie, "GET", path, nil, false)
}

func (u *clientUIEnv) post(t *testing.T, cookie, path string, form url.Values) clientUIPage {
	t.Helper()
	return u.do(t, cookie, "POST", path, form, false)
}

// has reports whether the page shows a message of the catalogue in lang.
func (p clientUIPage) has(lang, key string) bool {
	return strings.Contains(p.body, html.EscapeString(text(lang, key)))
}

func (p clientUIPage) expect(t *testing.T, status int) clientUIPage {
	t.Helper()
	if p.status != status {
		t.Fatalf("status %d, want %d; body:\n%s", p.status, status, p.body)
	}
	return p
}

// clientFieldError finds the error shown under a form field.
func clientFieldError(body, name string) string {
	m := regexp.MustCompile(`<p class="error" id="e-` + regexp.QuoteMeta(name) + `">([^<]*)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func idText(i kluis.ID) string { return strconv.FormatInt(i, 10) }

func TestTheClientListFindsByName(t *testing.T) {
	u := newClientUIEnv(t)
	me := u.session(t, u.Actor.UserID)
	u.MustCreateClient(t, "Logistiek Noord BV")
	u.MustCreateClient(t, "Bakkerij Zuid")

	p := u.get(t, me, "/clients?q=noord").expect(t, http.StatusOK)
	if !strings.Contains(p.body, "Logistiek Noord BV") || strings.Contains(p.body, "Bakkerij Zuid") {
		t.Errorf("search for noord: want only Logistiek Noord BV:\n%s", p.body)
	}
	p = u.get(t, me, "/clients").expect(t, http.StatusOK)
	if !strings.Contains(p.body, "Logistiek Noord BV") || !strings.Contains(p.body, "Bakkerij Zuid") {
		t.Errorf("the whole list misses a client:\n%s", p.body)
	}
	// By KvK number, typed with a space, and as an htmx partial.
	p = u.do(t, me, "GET", "/clients?q="+url.QueryEscape("1234 5678"), nil, true).expect(t, http.StatusOK)
	if !strings.Contains(p.body, "Bakkerij Zuid") || strings.Contains(p.body, "<html") {
		t.Errorf("htmx search by KvK number: want the results only:\n%s", p.body)
	}
	if p := u.get(t, me, "/clients?q="+strings.Repeat("x", 101)); p.status != http.StatusUnprocessableEntity || clientFieldError(p.body, "q") == "" {
		t.Errorf("an over-long search: status %d, error %q", p.status, clientFieldError(p.body, "q"))
	}
}

func TestTheClientListPages(t *testing.T) {
	u := newClientUIEnv(t)
	me := u.session(t, u.Actor.UserID)
	for i := range 27 {
		u.MustCreateClient(t, "Klant "+strconv.Itoa(100+i))
	}
	p := u.get(t, me, "/clients?q=klant").expect(t, http.StatusOK)
	if !strings.Contains(p.body, "1–25") || !strings.Contains(p.body, `href="/clients?offset=25&amp;q=klant"`) {
		t.Errorf("first page: want rows 1–25 and a link to the next:\n%s", p.body)
	}
	p = u.get(t, me, "/clients?q=klant&offset=25").expect(t, http.StatusOK)
	if !strings.Contains(p.body, "26–27") || !strings.Contains(p.body, "Klant 126") || strings.Contains(p.body, "Klant 100") {
		t.Errorf("second page: want rows 26–27:\n%s", p.body)
	}
}

func TestCreatingAClientWithABadKvKNumberKeepsWhatWasTyped(t *testing.T) {
	u := newClientUIEnv(t)
	me := u.session(t, u.Actor.UserID)
	form := url.Values{"name": {"Bouwbedrijf De Vries"}, "kvk_number": {"1234"}, "branch_id": {idText(u.Branch.ID)}, "country": {"NL"}}
	p := u.post(t, me, "/clients/new", form).expect(t, http.StatusUnprocessableEntity)
	if got := clientFieldError(p.body, "kvk_number"); got != "Een KvK-nummer heeft 8 cijfers." {
		t.Errorf("the KvK field's error is %q", got)
	}
	if !strings.Contains(p.body, `name="name" type="text" value="Bouwbedrijf De Vries"`) {
		t.Errorf("the typed name is lost:\n%s", p.body)
	}
	if !regexp.MustCompile(`id="f-kvk_number"[^>]*aria-invalid="true" aria-describedby="[^"]*e-kvk_number"`).MatchString(p.body) {
		t.Errorf("the KvK field is not marked invalid")
	}

	form.Set("kvk_number", "8765 4321")
	p = u.post(t, me, "/clients/new", form).expect(t, http.StatusSeeOther)
	if !strings.HasPrefix(p.location, "/clients/") {
		t.Fatalf("after saving: redirect to %q", p.location)
	}
	p = u.get(t, me, p.location).expect(t, http.StatusOK)
	if !strings.Contains(p.body, "Bouwbedrijf De Vries") || !strings.Contains(p.body, "87654321") || !p.has("nl", "form.saved") {
		t.Errorf("the new client's page:\n%s", p.body)
	}
}

func TestEditingAClientChangedMeanwhileShowsTheStaleNotice(t *testing.T) {
	u := newClientUIEnv(t)
	me := u.session(t, u.Actor.UserID)
	c := u.MustCreateClient(t, "Logistiek Noord BV")
	p := u.get(t, me, "/clients/"+idText(c.ID)+"/edit").expect(t, http.StatusOK)
	if !strings.Contains(p.body, `name="version" value="1"`) {
		t.Fatalf("the form carries no version:\n%s", p.body)
	}
	// Someone else saves first.
	other := *c
	other.City = "Zwolle"
	if err := u.DB.UpdateClient(context.Background(), u.Actor, &other, 1); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"name": {"Logistiek Noord"}, "branch_id": {idText(u.Branch.ID)}, "city": {"Assen"}, "country": {"NL"}, "version": {"1"}}
	p = u.post(t, me, "/clients/"+idText(c.ID)+"/edit", form).expect(t, http.StatusUnprocessableEntity)
	if !p.has("nl", "form.stale") {
		t.Errorf("no stale notice:\n%s", p.body)
	}
	if !strings.Contains(p.body, `value="Zwolle"`) || !strings.Contains(p.body, `name="version" value="2"`) {
		t.Errorf("the form does not show what is stored now")
	}
	got, err := u.DB.Client(context.Background(), u.Actor, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.City != "Zwolle" || got.Name != "Logistiek Noord BV" {
		t.Errorf("the stale edit was saved: %+v", got)
	}
	// With the fresh version it saves.
	form.Set("version", "2")
	u.post(t, me, "/clients/"+idText(c.ID)+"/edit", form).expect(t, http.StatusSeeOther)
}

func TestContactPersons(t *testing.T) {
	u := newClientUIEnv(t)
	me := u.session(t, u.Actor.UserID)
	c := u.MustCreateClient(t, "Logistiek Noord BV")
	base := "/clients/" + idText(c.ID)

	// A bad e-mail address: the error under the field, as a page and as
	// the htmx section.
	bad := url.Values{"name": {"Marieke Bos"}, "email": {"marieke@"}}
	p := u.post(t, me, base+"/contacts", bad).expect(t, http.StatusUnprocessableEntity)
	if clientFieldError(p.body, "email") == "" || !strings.Contains(p.body, `value="Marieke Bos"`) {
		t.Errorf("a bad e-mail address: no error next to the field, or the name lost:\n%s", p.body)
	}
	p = u.do(t, me, "POST", base+"/contacts", bad, true).expect(t, http.StatusUnprocessableEntity)
	if clientFieldError(p.body, "email") == "" || !strings.HasPrefix(strings.TrimSpace(p.body), `<section id="contacts"`) {
		t.Errorf("htmx: want the contacts section with the error:\n%s", p.body)
	}

	// Added, with htmx: the fresh section lists the person.
	good := url.Values{"name": {"Marieke Bos"}, "email": {"marieke@noord.example"}, "job_title": {"Planner"}}
	p = u.do(t, me, "POST", base+"/contacts", good, true).expect(t, http.StatusOK)
	if !strings.Contains(p.body, "Marieke Bos") || !p.has("nl", "form.saved") {
		t.Errorf("after adding: %s", p.body)
	}
	cs, _, err := u.DB.ClientContacts(context.Background(), u.Actor, c.ID, kluis.Page{})
	if err != nil || len(cs) != 1 {
		t.Fatalf("contacts: %v %v", cs, err)
	}
	cc := cs[0]

	// Edited in place; a stale edit shows the notice.
	p = u.get(t, me, base+"/contacts/"+idText(cc.ID)+"/edit").expect(t, http.StatusOK)
	if !strings.Contains(p.body, `action="/clients/`+idText(c.ID)+`/contacts/`+idText(cc.ID)+`/edit"`) || strings.Contains(p.body, text("nl", "contact.add")) {
		t.Errorf("the edit form is not in place of the add form:\n%s", p.body)
	}
	edit := url.Values{"name": {"Marieke Bos"}, "email": {"m.bos@noord.example"}, "version": {"1"}}
	u.post(t, me, base+"/contacts/"+idText(cc.ID)+"/edit", edit).expect(t, http.StatusSeeOther)
	p = u.post(t, me, base+"/contacts/"+idText(cc.ID)+"/edit", edit).expect(t, http.StatusUnprocessableEntity)
	if !p.has("nl", "form.stale") {
		t.Errorf("a stale contact edit: no notice")
	}

	// A contact of another client is not found under this one.
	other := u.MustCreateClient(t, "Bakkerij Zuid")
	u.get(t, me, "/clients/"+idText(other.ID)+"/contacts/"+idText(cc.ID)+"/edit").expect(t, http.StatusNotFound)

	// Deleted.
	u.post(t, me, base+"/contacts/"+idText(cc.ID)+"/delete", url.Values{"version": {"2"}}).expect(t, http.StatusSeeOther)
	if _, err := u.DB.ClientContact(context.Background(), u.Actor, cc.ID); kluis.ErrorCode(err) != kluis.ENotFound {
		t.Errorf("the contact was not deleted: %v", err)
	}
}

func TestDeletingAClientWithAPlacementShowsTheConflict(t *testing.T) {
	u := newClientUIEnv(t)
	me := u.session(t, u.Actor.UserID)
	c := u.MustCreateClient(t, "Logistiek Noord BV")
	cand := u.MustCreateCandidate(t, "Jansen")
	u.MustCreatePlacement(t, cand.ID, c.ID, "2026-11-02")

	p := u.post(t, me, "/clients/"+idText(c.ID)+"/delete", url.Values{"version": {"1"}}).expect(t, http.StatusConflict)
	if !p.has("nl", "client.inuse") || !strings.Contains(p.body, `class="alert"`) {
		t.Errorf("no conflict alert:\n%s", p.body)
	}
	if !strings.Contains(p.body, "<h1>Logistiek Noord BV</h1>") || !strings.Contains(p.body, "Sanne Jansen") {
		t.Errorf("the alert is not on the client page with its placements")
	}
	if _, err := u.DB.Client(context.Background(), u.Actor, c.ID); err != nil {
		t.Errorf("the client is gone: %v", err)
	}

	// A client without placements goes, with its contact persons.
	free := u.MustCreateClient(t, "Bakkerij Zuid")
	if err := u.DB.CreateClientContact(context.Background(), u.Actor, &kluis.ClientContact{ClientID: free.ID, Name: "Piet Smit"}); err != nil {
		t.Fatal(err)
	}
	p = u.post(t, me, "/clients/"+idText(free.ID)+"/delete", url.Values{"version": {"1"}}).expect(t, http.StatusSeeOther)
	if p.location != "/clients?flash=form.deleted" {
		t.Errorf("after deleting: redirect to %q", p.location)
	}
	if _, err := u.DB.Client(context.Background(), u.Actor, free.ID); kluis.ErrorCode(err) != kluis.ENotFound {
		t.Errorf("the client is still there: %v", err)
	}
	// Without a version the form is refused, not taken as "any version".
	u.post(t, me, "/clients/"+idText(c.ID)+"/delete", url.Values{}).expect(t, http.StatusBadRequest)
}

func TestThePlacementsPageFilters(t *testing.T) {
	u := newClientUIEnv(t) // today is 2026-11-29
	me := u.session(t, u.Actor.UserID)
	ctx := context.Background()
	noord, zuid := u.MustCreateClient(t, "Logistiek Noord BV"), u.MustCreateClient(t, "Bakkerij Zuid")
	place := func(last string, client kluis.ID, start, end kluis.Date) {
		cand := u.MustCreateCandidate(t, last)
		p := &kluis.Placement{CandidateID: cand.ID, ClientID: client, Function: "Orderpicker", StartDate: start, EndDate: end, HourlyWageCents: 1450}
		if err := u.DB.CreatePlacement(ctx, u.Actor, p); err != nil {
			t.Fatal(err)
		}
	}
	place("Jansen", noord.ID, "2026-11-01", "")             // active, open-ended
	place("Pietersen", zuid.ID, "2026-10-01", "2026-12-10") // active, ending soon
	place("Bakker", noord.ID, "2027-01-11", "2027-03-31")   // starting later
	place("Visser", zuid.ID, "2026-01-05", "2026-06-30")    // over

	shows := func(path string, want ...string) {
		t.Helper()
		p := u.get(t, me, path).expect(t, http.StatusOK)
		for _, name := range []string{"Jansen", "Pietersen", "Bakker", "Visser"} {
			if got := strings.Contains(p.body, "Sanne "+name); got != slices.Contains(want, name) {
				t.Errorf("%s: shows %s = %v, want %v", path, name, got, !got)
			}
		}
	}
	shows("/placements", "Jansen", "Pietersen")
	shows("/placements?period=active", "Jansen", "Pietersen")
	shows("/placements?period=ending", "Pietersen") // the next 30 days
	shows("/placements?period=ending&from=01-06-2026&to=2026-12-31", "Pietersen", "Visser")
	shows("/placements?period=starting&from=2027-01-01&to=2027-01-31", "Bakker")
	shows("/placements?period=all", "Jansen", "Pietersen", "Bakker", "Visser")
	shows("/placements?period=all&client_id="+idText(noord.ID), "Jansen", "Bakker")

	p := u.get(t, me, "/placements?period=ending").expect(t, http.StatusOK)
	if !strings.Contains(p.body, `value="2026-11-29"`) || !strings.Contains(p.body, `value="2026-12-29"`) {
		t.Errorf("the default period is not shown in the form")
	}
	p = u.get(t, me, "/placements?period=someday").expect(t, http.StatusUnprocessableEntity)
	if clientFieldError(p.body, "period") == "" {
		t.Errorf("an unknown period: no error")
	}
	p = u.get(t, me, "/placements?period=ending&from=2026-12-31&to=2026-12-01").expect(t, http.StatusUnprocessableEntity)
	if clientFieldError(p.body, "to") == "" {
		t.Errorf("a period that ends before it starts: no error")
	}
	u.get(t, me, "/placements?period=ending&from=morgen").expect(t, http.StatusUnprocessableEntity)
}

func TestSwitchingToEnglishMakesTheNextPageEnglish(t *testing.T) {
	u := newClientUIEnv(t)
	me := u.session(t, u.Actor.UserID)
	p := u.get(t, me, "/settings").expect(t, http.StatusOK)
	if !strings.Contains(p.body, `<html lang="nl">`) || !strings.Contains(p.body, "<h1>Instellingen</h1>") {
		t.Fatalf("the settings page is not Dutch first")
	}
	p = u.post(t, me, "/settings/language", url.Values{"language": {"en"}}).expect(t, http.StatusSeeOther)
	p = u.get(t, me, p.location).expect(t, http.StatusOK)
	if !strings.Contains(p.body, `<html lang="en">`) || !strings.Contains(p.body, "<h1>Settings</h1>") || !p.has("en", "form.saved") {
		t.Errorf("after switching, the page is not English:\n%s", p.body)
	}
	p = u.get(t, me, "/clients").expect(t, http.StatusOK)
	if !strings.Contains(p.body, "<h1>Clients</h1>") || !p.has("en", "client.new") {
		t.Errorf("the client list is not English")
	}
	p = u.post(t, me, "/settings/language", url.Values{"language": {"fr"}}).expect(t, http.StatusUnprocessableEntity)
	if clientFieldError(p.body, "language") != "Choose nl or en." {
		t.Errorf("an unknown language: error %q", clientFieldError(p.body, "language"))
	}
}

func TestLoggingOutEverywhereEndsEverySession(t *testing.T) {
	u := newClientUIEnv(t)
	here, there := u.session(t, u.Actor.UserID), u.session(t, u.Actor.UserID)
	u.get(t, there, "/settings").expect(t, http.StatusOK)
	p := u.post(t, here, "/settings/logout-all", url.Values{}).expect(t, http.StatusSeeOther)
	if p.location != "/login" {
		t.Errorf("after logging out: redirect to %q", p.location)
	}
	for _, c := range []string{here, there} {
		if p := u.get(t, c, "/settings"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/login") {
			t.Errorf("a session lives on: status %d, location %q", p.status, p.location)
		}
	}
}

func TestOnlyManagersAndAdministratorsAddBranches(t *testing.T) {
	u := newClientUIEnv(t)
	recruiter := u.session(t, u.Actor.UserID)
	p := u.get(t, recruiter, "/settings").expect(t, http.StatusOK)
	if strings.Contains(p.body, `action="/settings/branches"`) || !p.has("nl", "settings.branch.only") {
		t.Errorf("a recruiter is offered the branch form")
	}
	u.post(t, recruiter, "/settings/branches", url.Values{"name": {"Amersfoort"}}).expect(t, http.StatusForbidden)

	manager := u.session(t, u.user(t, "Manager", kluis.RoleManager).ID)
	p = u.get(t, manager, "/settings").expect(t, http.StatusOK)
	if !strings.Contains(p.body, `action="/settings/branches"`) {
		t.Errorf("a manager is not offered the branch form")
	}
	p = u.post(t, manager, "/settings/branches", url.Values{"name": {""}, "city": {"Amersfoort"}}).expect(t, http.StatusUnprocessableEntity)
	if clientFieldError(p.body, "name") == "" || !strings.Contains(p.body, `value="Amersfoort"`) {
		t.Errorf("a branch without a name: no error, or the city lost")
	}
	u.post(t, manager, "/settings/branches", url.Values{"name": {"Amersfoort"}, "city": {"Amersfoort"}}).expect(t, http.StatusSeeOther)
	bs, err := u.DB.Branches(context.Background(), u.Actor)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 2 {
		t.Errorf("branches after adding: %+v", bs)
	}
	admin := u.session(t, u.user(t, "Beheer", kluis.RoleAdmin).ID)
	u.post(t, admin, "/settings/branches", url.Values{"name": {"Zwolle"}}).expect(t, http.StatusSeeOther)
}

// TestTheClientPagesAreWellFormed renders every page of this screen group
// in both languages: one h1, no inline style or script, every table
// header scoped, and no message key left untranslated.
func TestTheClientPagesAreWellFormed(t *testing.T) {
	u := newClientUIEnv(t)
	c := u.MustCreateClient(t, "Logistiek Noord BV")
	cand := u.MustCreateCandidate(t, "Jansen")
	u.MustCreatePlacement(t, cand.ID, c.ID, "2026-11-02")
	cc := &kluis.ClientContact{ClientID: c.ID, Name: "Marieke Bos"}
	if err := u.DB.CreateClientContact(context.Background(), u.Actor, cc); err != nil {
		t.Fatal(err)
	}
	keyLike := regexp.MustCompile(`>\s*(client|contact|placements|settings)\.[a-z_.]+\s*<`)
	for _, lang := range []string{"nl", "en"} {
		usr := u.user(t, "Gebruiker-"+lang, kluis.RoleManager)
		if err := u.DB.SetLanguage(context.Background(), u.Tenant.ID, usr.ID, lang); err != nil {
			t.Fatal(err)
		}
		me := u.session(t, usr.ID)
		for _, path := range []string{"/clients", "/clients/new", "/clients/" + idText(c.ID), "/clients/" + idText(c.ID) + "/edit",
			"/clients/" + idText(c.ID) + "/contacts/" + idText(cc.ID) + "/edit", "/placements", "/placements?period=all", "/settings"} {
			p := u.get(t, me, path).expect(t, http.StatusOK)
			if n := strings.Count(p.body, "<h1"); n != 1 {
				t.Errorf("%s %s: %d h1 elements", lang, path, n)
			}
			if strings.Contains(p.body, "style=") || regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]`).MatchString(p.body) {
				t.Errorf("%s %s: inline style or script", lang, path)
			}
			if strings.Count(p.body, "<th>")+strings.Count(p.body, "<th ") != strings.Count(p.body, `<th scope="col"`)+strings.Count(p.body, `<th scope="row"`) {
				t.Errorf("%s %s: a table header without scope", lang, path)
			}
			if m := keyLike.FindString(p.body); m != "" {
				t.Errorf("%s %s: untranslated key %s", lang, path, m)
			}
			for _, m := range regexp.MustCompile(`id="([^"]+)"`).FindAllStringSubmatch(p.body, -1) {
				if strings.Count(p.body, `id="`+m[1]+`"`) > 1 {
					t.Errorf("%s %s: id %q used twice", lang, path, m[1])
				}
			}
		}
	}
}

// TestTheClientTextsAreInTheCatalogue checks every message key that the
// templates and handlers of this screen group name.
func TestTheClientTextsAreInTheCatalogue(t *testing.T) {
	quoted := regexp.MustCompile(`"([a-z]+(?:\.[a-z0-9_]+)+)"`)
	check := func(where, src string) {
		for _, m := range quoted.FindAllStringSubmatch(src, -1) {
			k := m[1]
			if strings.HasSuffix(k, ".html") || strings.HasSuffix(k, ".go") || strings.Contains(k, "kluis.") {
				continue
			}
			msg, ok := messages[k]
			if !ok {
				t.Errorf("%s: key %q is not in the catalogue", where, k)
			} else if msg.NL == "" || msg.EN == "" {
				t.Errorf("%s: key %q lacks a language", where, k)
			}
		}
	}
	for _, n := range []string{"clients", "client", "client_form", "placements", "settings"} {
		b, err := fs.ReadFile(assets, "templates/"+n+".html")
		if err != nil {
			t.Fatal(err)
		}
		check(n+".html", string(b))
	}
	for _, n := range []string{"ui_clients.go", "ui_placements.go", "ui_settings.go"} {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`(?:\.T|text)\([^"]*("[^"]+")\)`).FindAllStringSubmatch(string(b), -1) {
			check(n, m[1])
		}
	}
	for _, p := range placementPeriods {
		check("placement periods", `"placements.period.`+p+`"`)
	}
	for _, r := range kluis.Roles {
		check("roles", `"role.`+string(r)+`"`)
	}
}

// srvSettingsChanged makes the server read the agency's settings anew after
// a test changed them in the database.
func (u *clientUIEnv) srvSettingsChanged() { u.web.settingsCache.forget(u.Tenant.ID) }
