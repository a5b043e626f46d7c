package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// portalEnv is the web test environment with a published privacy
// statement, the public URL set and the log kept.
type portalEnv struct {
	*clientUIEnv
	logs *bytes.Buffer
	po   kluis.Actor
}

func newPortalEnv(t *testing.T) *portalEnv {
	t.Helper()
	u := newClientUIEnv(t)
	var logs bytes.Buffer
	h, err := New(u.DB, slog.New(slog.NewTextHandler(&logs, nil)), u.Clock)
	if err != nil {
		t.Fatal(err)
	}
	h.PublicURL = u.srv.URL
	u.srv.Config.Handler, u.web = h, h
	po := kluis.Actor{TenantID: u.Tenant.ID, Role: kluis.RolePrivacy}
	s := &kluis.PrivacyStatement{TextNL: kluis.DefaultStatement("nl"), TextEN: kluis.DefaultStatement("en")}
	if err := u.DB.PublishPrivacyStatement(context.Background(), po, s); err != nil {
		t.Fatal(err)
	}
	return &portalEnv{clientUIEnv: u, logs: &logs, po: po}
}

// portal sends a request with the portal's cookie (or a staff cookie, as
// named) and returns the page and the portal cookie it set.
func (p *portalEnv) portal(t *testing.T, cookie *http.Cookie, method, path string, form url.Values) (clientUIPage, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, p.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	res, err := p.browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var set string
	for _, c := range res.Cookies() {
		if c.Name == portalCookie {
			set = c.Value
		}
	}
	return clientUIPage{status: res.StatusCode, body: string(b), location: res.Header.Get("Location")}, set
}

func checkInForm(last, email string) url.Values {
	return url.Values{"first_name": {"Noor"}, "last_name": {last}, "email": {email}, "city": {"Utrecht"}, "postcode": {"3511ab"},
		"date_of_birth": {"1995-04-01"}, "statement_version": {"1"}, "accept": {"yes"},
		// What a check-in never takes, however it is posted.
		"bsn": {"111222333"}, "iban": {"NL91ABNA0417164300"}, "id_document_number": {"X1234567"}}
}

// mailedLink returns the path of the link in the newest e-mail to a
// candidate.
func (p *portalEnv) mailedLink(t *testing.T, cand kluis.ID) (string, string) {
	t.Helper()
	msgs, _, err := p.DB.OutboxMessages(context.Background(), p.po, cand, kluis.Page{})
	if err != nil || len(msgs) == 0 {
		t.Fatalf("no mail: %v", err)
	}
	m := msgs[0]
	for _, x := range msgs {
		if x.ID > m.ID {
			m = x
		}
	}
	i := strings.Index(m.Text, store.PortalLinkPath)
	if i < 0 {
		t.Fatalf("no link in %q", m.Text)
	}
	return strings.Fields(m.Text[i:])[0], m.Kind
}

func (p *portalEnv) outboxCount(t *testing.T) int {
	t.Helper()
	_, n, err := p.DB.OutboxMessages(context.Background(), p.po, 0, kluis.Page{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (p *portalEnv) candidateByEmail(t *testing.T, email string) *kluis.Candidate {
	t.Helper()
	cs, _, err := p.DB.ListCandidates(context.Background(), p.po, store.CandidateFilter{Query: email})
	if err != nil || len(cs) != 1 {
		t.Fatalf("candidates with %s: %d, %v", email, len(cs), err)
	}
	return &cs[0]
}

// TestTheCheckInValidatesFieldByFieldAndAsksOnlyWhatTheAgencyCollects.
func TestTheCheckInValidatesFieldByFieldAndAsksOnlyWhatTheAgencyCollects(t *testing.T) {
	p := newPortalEnv(t)
	path := "/portaal/aanmelden/" + p.Tenant.Slug
	page, _ := p.portal(t, nil, "GET", path, nil)
	page.expect(t, http.StatusOK)
	for _, absent := range []string{`name="bsn"`, `name="iban"`, `name="id_document_number"`, `name="status"`, `name="source"`} {
		if strings.Contains(page.body, absent) {
			t.Errorf("the check-in asks %s", absent)
		}
	}
	if !strings.Contains(page.body, `name="phone"`) || !strings.Contains(page.body, `id="statement"`) || !page.has("nl", "portal.checkin.submit") {
		t.Fatalf("the check-in page:\n%s", page.body)
	}
	if en, _ := p.portal(t, nil, "GET", path+"?lang=en", nil); !en.has("en", "portal.checkin.submit") {
		t.Error("no English check-in")
	}
	// An agency that does not collect phone numbers does not ask them.
	set, err := p.DB.Settings(context.Background(), p.Tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	set.NotCollected = map[string]kluis.Date{"phone": "2026-11-29"}
	if err := p.DB.SaveSettings(context.Background(), kluis.Actor{TenantID: p.Tenant.ID, Role: kluis.RoleAdmin}, set, set.Version); err != nil {
		t.Fatal(err)
	}
	p.web.settingsCache.forget(p.Tenant.ID)
	if page, _ := p.portal(t, nil, "GET", path, nil); strings.Contains(page.body, `name="phone"`) {
		t.Error("the check-in asks a phone number the agency does not collect")
	}

	// Every wrong field at once, in the page's language; nothing saved.
	bad, _ := p.portal(t, nil, "POST", path+"?lang=en", url.Values{"email": {"geen-adres"}, "postcode": {"12"}, "date_of_birth": {"morgen"}, "statement_version": {"1"}})
	bad.expect(t, http.StatusUnprocessableEntity)
	for _, f := range []string{"last_name", "email", "accept", "date_of_birth"} {
		if clientFieldError(bad.body, f) == "" {
			t.Errorf("no error for %s", f)
		}
	}
	if !strings.Contains(clientFieldError(bad.body, "accept"), "privacy statement") {
		t.Errorf("the accept error is not English: %q", clientFieldError(bad.body, "accept"))
	}
	bad, _ = p.portal(t, nil, "POST", path, url.Values{"last_name": {"Vos"}, "email": {"vos@example.nl"}, "postcode": {"12"}, "statement_version": {"1"}, "accept": {"yes"}})
	bad.expect(t, http.StatusUnprocessableEntity)
	if clientFieldError(bad.body, "postcode") == "" || strings.Contains(bad.body, "e-last_name") {
		t.Errorf("the postcode error:\n%s", bad.body)
	}
	if cs, n, _ := p.DB.ListCandidates(context.Background(), p.po, store.CandidateFilter{}); n != 0 {
		t.Fatalf("a refused check-in saved %+v", cs)
	}
	// A bot that fills the honeypot is told what a person is told, and
	// nothing happens.
	bot := checkInForm("Robot", "robot@example.nl")
	bot.Set("website", "https://spam.example")
	if page, _ := p.portal(t, nil, "POST", path, bot); page.status != http.StatusOK || !page.has("nl", "portal.sent.checkin") {
		t.Errorf("the honeypot: %d", page.status)
	}
	if _, n, _ := p.DB.ListCandidates(context.Background(), p.po, store.CandidateFilter{}); n != 0 || p.outboxCount(t) != 0 {
		t.Error("the honeypot registered someone")
	}
}

// TestThePortalTellsNobodyWhichAddressesAreKnown: a check-in and a
// request for a link answer the same for a known, an unknown and an
// unconfirmed address.
func TestThePortalTellsNobodyWhichAddressesAreKnown(t *testing.T) {
	p := newPortalEnv(t)
	ctx := context.Background()
	path := "/portaal/aanmelden/" + p.Tenant.Slug
	first, _ := p.portal(t, nil, "POST", path, checkInForm("Vos", "vos@example.nl"))
	first.expect(t, http.StatusOK)
	again, _ := p.portal(t, nil, "POST", path, checkInForm("Anders", "VOS@example.nl"))
	again.expect(t, http.StatusOK)
	if !first.has("nl", "portal.sent.checkin") || !again.has("nl", "portal.sent.checkin") {
		t.Fatal("the answers differ")
	}
	if _, n, _ := p.DB.ListCandidates(ctx, p.po, store.CandidateFilter{}); n != 1 {
		t.Errorf("%d candidates after a known address checked in again", n)
	}
	// A candidate registered at the desk, whose address nobody confirmed.
	desk := p.MustCreateCandidate(t, "Balie")
	login := "/portaal/inloggen/" + p.Tenant.Slug
	before := p.outboxCount(t)
	var bodies []string
	for _, email := range []string{"onbekend@example.nl", desk.Email} {
		page, _ := p.portal(t, nil, "POST", login, url.Values{"email": {email}})
		page.expect(t, http.StatusOK)
		if !page.has("nl", "portal.sent.login") {
			t.Errorf("the answer for %s:\n%s", email, page.body)
		}
		bodies = append(bodies, page.body)
	}
	if bodies[0] != bodies[1] {
		t.Error("the answers for an unknown and a known address differ")
	}
	if p.outboxCount(t) != before {
		t.Error("mail to an unknown or unconfirmed address")
	}
	if page, _ := p.portal(t, nil, "POST", login, url.Values{"email": {"geen adres"}}); page.status != http.StatusUnprocessableEntity || clientFieldError(page.body, "email") == "" {
		t.Errorf("a malformed address: %d", page.status)
	}
	// The log names no address.
	if strings.Contains(p.logs.String(), "vos@example.nl") || strings.Contains(p.logs.String(), "onbekend@") || strings.Contains(p.logs.String(), "Vos") {
		t.Error("the log names an address or a name")
	}
}

// TestACandidateSessionReachesOnlyItsOwnData: the link logs the candidate
// in once; the portal shows their data and nobody else's, whatever id a
// request names; the staff pages do not know the portal's cookie, nor the
// portal the staff's.
func TestACandidateSessionReachesOnlyItsOwnData(t *testing.T) {
	p := newPortalEnv(t)
	ctx := context.Background()
	if page, _ := p.portal(t, nil, "POST", "/portaal/aanmelden/"+p.Tenant.Slug, checkInForm("Vos", "vos@example.nl")); page.status != http.StatusOK {
		t.Fatalf("check-in: %d\n%s", page.status, page.body)
	}
	me := p.candidateByEmail(t, "vos@example.nl")
	if me.BSN != "" || me.IBAN != "" || me.IDDocumentNumber != "" || me.Source != "portal" {
		t.Fatalf("the check-in took %+v", me)
	}
	other := p.MustCreateCandidate(t, "Anderman")
	if err := p.DB.CreateContactMoment(ctx, p.Actor, &kluis.ContactMoment{CandidateID: me.ID, Kind: "phone", Note: "Geheime notitie over de opdrachtgever"}); err != nil {
		t.Fatal(err)
	}
	link, kind := p.mailedLink(t, me.ID)
	if kind != "portal-verify" {
		t.Fatalf("mail kind %s", kind)
	}
	linkPath := strings.TrimPrefix(link, p.srv.URL)
	// Opening the link does not spend it; the button does.
	for range 2 {
		page, _ := p.portal(t, nil, "GET", linkPath, nil)
		page.expect(t, http.StatusOK)
	}
	page, secret := p.portal(t, nil, "POST", linkPath, url.Values{})
	if page.status != http.StatusSeeOther || page.location != "/portaal/gegevens" || secret == "" {
		t.Fatalf("using the link: %d %q %q", page.status, page.location, secret)
	}
	if again, _ := p.portal(t, nil, "POST", linkPath, url.Values{}); again.status != http.StatusNotFound {
		t.Errorf("a link used twice: %d", again.status)
	}
	token := strings.TrimPrefix(linkPath, store.PortalLinkPath)
	if strings.Contains(p.logs.String(), token) || strings.Contains(p.logs.String(), secret) {
		t.Error("the log holds a token")
	}
	mine := &http.Cookie{Name: portalCookie, Value: secret}
	home, _ := p.portal(t, mine, "GET", "/portaal/gegevens?id="+idText(other.ID), nil)
	home.expect(t, http.StatusOK)
	if !strings.Contains(home.body, "vos@example.nl") || !strings.Contains(home.body, "Vos") || strings.Contains(home.body, "Anderman") ||
		strings.Contains(home.body, other.Email) || strings.Contains(home.body, "Geheime notitie") {
		t.Fatalf("my data:\n%s", home.body)
	}
	if !home.has("nl", "portal.home.history") || !strings.Contains(home.body, "Privacyverklaring getoond") {
		t.Error("no history with the statement shown")
	}
	// The record card is the session's candidate's, whatever is asked.
	card, _ := p.portal(t, mine, "GET", "/portaal/stamkaart.json?id="+idText(other.ID), nil)
	card.expect(t, http.StatusOK)
	var rc struct {
		Candidate struct {
			ID    kluis.ID `json:"id"`
			Email string   `json:"email"`
		} `json:"candidate"`
		Moments []kluis.ContactMoment `json:"contact_moments"`
	}
	if err := json.Unmarshal([]byte(card.body), &rc); err != nil {
		t.Fatal(err)
	}
	if rc.Candidate.ID != me.ID || rc.Candidate.Email != me.Email || strings.Contains(card.body, "Geheime notitie") || len(rc.Moments) < 3 {
		t.Errorf("the record card: %s", card.body)
	}
	if pdf, _ := p.portal(t, mine, "GET", "/portaal/stamkaart.pdf?lang=en", nil); pdf.status != http.StatusOK || !strings.HasPrefix(pdf.body, "%PDF") {
		t.Errorf("the PDF: %d %.20q", pdf.status, pdf.body)
	}
	if ms, _, _ := p.DB.ListContactMoments(ctx, p.po, store.ContactMomentFilter{CandidateID: me.ID, Kind: "portal"}); len(ms) < 3 {
		t.Errorf("the download is not in the history: %+v", ms)
	}
	// The portal's cookie opens no staff page; a staff cookie no portal page.
	staff, _ := p.portal(t, mine, "GET", "/candidates/"+idText(other.ID), nil)
	if staff.status != http.StatusSeeOther || !strings.HasPrefix(staff.location, "/login") {
		t.Errorf("a staff page with the portal cookie: %d %s", staff.status, staff.location)
	}
	recruiter := p.user(t, "Rita", kluis.RoleRecruiter)
	if page, _ := p.portal(t, &http.Cookie{Name: sessionCookie, Value: p.session(t, recruiter.ID)}, "GET", "/portaal/gegevens", nil); page.status != http.StatusUnauthorized {
		t.Errorf("the portal with a staff cookie: %d", page.status)
	}
	if page, _ := p.portal(t, &http.Cookie{Name: portalCookie, Value: "verzonnen"}, "GET", "/portaal/gegevens", nil); page.status != http.StatusUnauthorized {
		t.Errorf("a made-up portal cookie: %d", page.status)
	}

	// Requests: validated, then in the register, verified by the log-in.
	bad, _ := p.portal(t, mine, "POST", "/portaal/verzoeken", url.Values{"kind": {"verzonnen"}})
	bad.expect(t, http.StatusUnprocessableEntity)
	if clientFieldError(bad.body, "kind") == "" {
		t.Error("no error for a wrong kind")
	}
	ok, _ := p.portal(t, mine, "POST", "/portaal/verzoeken", url.Values{"kind": {"erasure"}, "description": {"Wis alles."}})
	if ok.status != http.StatusSeeOther {
		t.Fatalf("a request: %d\n%s", ok.status, ok.body)
	}
	qs, _, err := p.DB.Requests(ctx, p.po, store.RequestFilter{CandidateID: me.ID})
	if err != nil || len(qs) != 1 || qs[0].Channel != "portal" || qs[0].VerifiedHow != "portal-login" || qs[0].Kind != "erasure" {
		t.Fatalf("the register: %+v, %v", qs, err)
	}
	if page, _ := p.portal(t, mine, "GET", "/portaal/gegevens", nil); !strings.Contains(page.body, "Vergetelheid") {
		t.Error("the portal does not list the request")
	}
	// Log-out ends the session; so does time.
	if page, _ := p.portal(t, mine, "POST", "/portaal/uitloggen", url.Values{}); page.status != http.StatusOK {
		t.Errorf("log-out: %d", page.status)
	}
	if page, _ := p.portal(t, mine, "GET", "/portaal/gegevens", nil); page.status != http.StatusUnauthorized {
		t.Errorf("after log-out: %d", page.status)
	}

	// A log-in link now that the address is confirmed; it expires.
	if page, _ := p.portal(t, nil, "POST", "/portaal/inloggen/"+p.Tenant.Slug, url.Values{"email": {"Vos@Example.nl"}}); page.status != http.StatusOK {
		t.Fatalf("ask a link: %d", page.status)
	}
	link, kind = p.mailedLink(t, me.ID)
	if kind != "portal-login" {
		t.Fatalf("mail kind %s", kind)
	}
	_, secret = p.portal(t, nil, "POST", strings.TrimPrefix(link, p.srv.URL), url.Values{})
	if secret == "" {
		t.Fatal("the log-in link did not log in")
	}
	p.Clock.Advance(store.PortalSessionTTL + time.Second)
	if page, _ := p.portal(t, &http.Cookie{Name: portalCookie, Value: secret}, "GET", "/portaal/gegevens", nil); page.status != http.StatusUnauthorized {
		t.Errorf("an expired session: %d", page.status)
	}
}

// TestTheCandidateRoleInTheAuthorizationMatrix walks every route with a
// candidate's portal cookie: no staff page or API route answers it, no
// answer is a 500, and the portal's own pages show the candidate's BSN,
// IBAN and document number masked, and nothing of the other candidates of
// the agency or of another agency.
func TestTheCandidateRoleInTheAuthorizationMatrix(t *testing.T) {
	p := newPortalEnv(t)
	ctx := context.Background()
	payroll := p.user(t, "Pien", kluis.RolePayroll)
	pa := kluis.Actor{TenantID: p.Tenant.ID, UserID: payroll.ID, Role: kluis.RolePayroll}
	other := seedMatrixAgency(t, p.DB, pa, p.Branch.ID, "111222333")
	if page, _ := p.portal(t, nil, "POST", "/portaal/aanmelden/"+p.Tenant.Slug, checkInForm("Vos", "vos@example.nl")); page.status != http.StatusOK {
		t.Fatalf("check-in: %d", page.status)
	}
	me := p.candidateByEmail(t, "vos@example.nl")
	// The BSN only once the candidate works for the agency.
	if err := p.DB.CreatePlacement(ctx, pa, &kluis.Placement{CandidateID: me.ID, ClientID: other.client, Function: "Teler", StartDate: "2026-11-02"}); err != nil {
		t.Fatal(err)
	}
	me, _ = p.DB.Candidate(ctx, pa, me.ID)
	me.BSN, me.IBAN, me.IDDocumentType, me.IDDocumentNumber = matrixBSN, matrixIBAN, "passport", matrixDoc
	if err := p.DB.UpdateCandidate(ctx, pa, me, me.Version); err != nil {
		t.Fatal(err)
	}
	link, _ := p.mailedLink(t, me.ID)
	_, secret := p.portal(t, nil, "POST", strings.TrimPrefix(link, p.srv.URL), url.Values{})
	if secret == "" {
		t.Fatal("no portal session")
	}
	mine := &http.Cookie{Name: portalCookie, Value: secret}
	tried := 0
	for _, rt := range p.web.routes() {
		key := rt.method + " " + rt.pattern
		if key == "POST /portaal/uitloggen" {
			continue
		}
		path := other.path(rt.pattern)
		path = strings.NewReplacer("{agency}", p.Tenant.Slug, "{token}", "verzonnen", "{version}", "1").Replace(path)
		var form url.Values
		if rt.method != "GET" {
			form = url.Values{"version": {"1"}}
		}
		page, _ := p.portal(t, mine, rt.method, path, form)
		tried++
		if page.status >= 500 {
			t.Errorf("%s with a portal cookie: %d", key, page.status)
		}
		if (rt.guard == token || rt.guard == session) && page.status < 300 {
			t.Errorf("%s answers a portal cookie: %d", key, page.status)
		}
		for _, v := range []string{matrixBSN, matrixIBAN, matrixDoc, "111222333", "sanne@example.nl", "Gebeld over het rooster"} {
			if strings.Contains(page.body, v) {
				t.Errorf("%s with a portal cookie shows %s", key, v)
			}
		}
	}
	if tried < 100 {
		t.Fatalf("only %d routes tried", tried)
	}
	// The masked values are there, masked.
	home, _ := p.portal(t, mine, "GET", "/portaal/gegevens", nil)
	if !strings.Contains(home.body, "******"+matrixBSN[6:]) || !home.has("nl", "portal.home.masked") {
		t.Errorf("the masked BSN:\n%s", home.body)
	}
}

// TestStaffInviteACandidateRegisteredAtTheDeskIntoThePortal: the
// invitation mails a confirmation link; following it confirms the address
// and logs in; after that the candidate may ask for log-in links.
func TestStaffInviteACandidateRegisteredAtTheDeskIntoThePortal(t *testing.T) {
	p := newPortalEnv(t)
	desk := p.MustCreateCandidate(t, "Balie")
	recruiter := p.user(t, "Rita", kluis.RoleRecruiter)
	staff := p.session(t, recruiter.ID)
	page := p.post(t, staff, "/candidates/"+idText(desk.ID)+"/portal-invite", url.Values{"lang": {"en"}})
	if page.status != http.StatusOK && page.status != http.StatusSeeOther {
		t.Fatalf("invite: %d\n%s", page.status, page.body)
	}
	link, kind := p.mailedLink(t, desk.ID)
	if kind != "portal-verify" {
		t.Fatalf("mail kind %s", kind)
	}
	if _, secret := p.portal(t, nil, "POST", strings.TrimPrefix(link, p.srv.URL), url.Values{}); secret == "" {
		t.Fatal("the invitation's link did not log in")
	}
	if page, _ := p.portal(t, nil, "POST", "/portaal/inloggen/"+p.Tenant.Slug, url.Values{"email": {desk.Email}}); page.status != http.StatusOK {
		t.Fatal(page.status)
	}
	if _, kind := p.mailedLink(t, desk.ID); kind != "portal-login" {
		t.Errorf("after confirming, a %s link", kind)
	}
	ms, _, _ := p.DB.ListContactMoments(context.Background(), p.po, store.ContactMomentFilter{CandidateID: desk.ID, Kind: "portal"})
	if len(ms) != 2 {
		t.Errorf("the history of the invitation: %+v", ms)
	}
	// The administrator sees no candidates and invites nobody.
	admin := p.user(t, "Ad", kluis.RoleAdmin)
	if page := p.post(t, p.session(t, admin.ID), "/candidates/"+idText(desk.ID)+"/portal-invite", url.Values{}); page.status < 400 {
		t.Errorf("an administrator invited: %d", page.status)
	}
}

// TestACandidateAnswersAConsentRequestInThePortal: the portal shows the
// open request for consent and takes the answer once, as the link would.
func TestACandidateAnswersAConsentRequestInThePortal(t *testing.T) {
	p := newPortalEnv(t)
	ctx := context.Background()
	if page, _ := p.portal(t, nil, "POST", "/portaal/aanmelden/"+p.Tenant.Slug, checkInForm("Vos", "vos@example.nl")); page.status != http.StatusOK {
		t.Fatalf("check-in: %d", page.status)
	}
	me := p.candidateByEmail(t, "vos@example.nl")
	link, _ := p.mailedLink(t, me.ID)
	if _, secret := p.portal(t, nil, "POST", strings.TrimPrefix(link, p.srv.URL), url.Values{}); secret == "" {
		t.Fatal("not confirmed")
	}
	// Two years on, less three weeks: R1 ends within the notice period.
	p.Clock.Advance(2*365*24*time.Hour - 21*24*time.Hour)
	if got, err := p.DB.SendConsentRequests(ctx, p.Tenant.ID, p.srv.URL); err != nil || got.Sent != 1 {
		t.Fatalf("consent requests: %+v, %v", got, err)
	}
	if page, _ := p.portal(t, nil, "POST", "/portaal/inloggen/"+p.Tenant.Slug, url.Values{"email": {me.Email}}); page.status != http.StatusOK {
		t.Fatal(page.status)
	}
	link, kind := p.mailedLink(t, me.ID)
	if kind != "portal-login" {
		t.Fatalf("a %s link", kind)
	}
	_, secret := p.portal(t, nil, "POST", strings.TrimPrefix(link, p.srv.URL), url.Values{})
	mine := &http.Cookie{Name: portalCookie, Value: secret}
	home, _ := p.portal(t, mine, "GET", "/portaal/gegevens", nil)
	if !home.has("nl", "portal.consents") {
		t.Fatalf("no open consent request:\n%s", home.body)
	}
	crs, err := p.DB.ConsentRequests(ctx, p.po, me.ID)
	if err != nil || len(crs) != 1 {
		t.Fatalf("consent requests: %+v, %v", crs, err)
	}
	id := idText(crs[0].ID)
	if page, _ := p.portal(t, mine, "POST", "/portaal/toestemming", url.Values{"id": {id}}); page.status != http.StatusUnprocessableEntity {
		t.Errorf("no answer: %d", page.status)
	}
	if page, _ := p.portal(t, mine, "POST", "/portaal/toestemming", url.Values{"id": {"12345"}, "answer": {"yes"}}); page.status != http.StatusNotFound {
		t.Errorf("someone else's request: %d", page.status)
	}
	page, _ := p.portal(t, mine, "POST", "/portaal/toestemming", url.Values{"id": {id}, "answer": {"yes"}})
	if page.status != http.StatusSeeOther || !strings.Contains(page.location, "portal.consent.thanks.yes") {
		t.Fatalf("yes: %d %s", page.status, page.location)
	}
	if again, _ := p.portal(t, mine, "POST", "/portaal/toestemming", url.Values{"id": {id}, "answer": {"no"}}); again.status != http.StatusConflict {
		t.Errorf("a second answer: %d", again.status)
	}
	cs, _, err := p.DB.ListConsents(ctx, p.po, me.ID, kluis.Page{})
	if err != nil || len(cs) != 1 || cs[0].Channel != "portal" {
		t.Errorf("the consent: %+v, %v", cs, err)
	}
}

// TestARestrictedCandidateKeepsThePortal: art. 18 restricts the agency's
// processing, never the candidate's rights. A restricted candidate asks
// for a log-in link (the answer the same as for any address), logs in,
// sees their data, downloads their card and files a request.
func TestARestrictedCandidateKeepsThePortal(t *testing.T) {
	p := newPortalEnv(t)
	ctx := context.Background()
	if page, _ := p.portal(t, nil, "POST", "/portaal/aanmelden/"+p.Tenant.Slug, checkInForm("Vos", "vos@example.nl")); page.status != http.StatusOK {
		t.Fatalf("check-in: %d\n%s", page.status, page.body)
	}
	me := p.candidateByEmail(t, "vos@example.nl")
	link, _ := p.mailedLink(t, me.ID)
	if page, secret := p.portal(t, nil, "POST", strings.TrimPrefix(link, p.srv.URL), url.Values{}); secret == "" {
		t.Fatalf("confirming the address: %d", page.status)
	}
	if err := p.DB.Restrict(ctx, p.po, &kluis.Restriction{CandidateID: me.ID, Ground: "accuracy", Note: "Betwist het adres"}); err != nil {
		t.Fatal(err)
	}
	login := "/portaal/inloggen/" + p.Tenant.Slug
	known, _ := p.portal(t, nil, "POST", login, url.Values{"email": {"vos@example.nl"}})
	unknown, _ := p.portal(t, nil, "POST", login, url.Values{"email": {"niemand@example.nl"}})
	if known.status != http.StatusOK || known.body != unknown.body {
		t.Fatalf("the answer for a restricted candidate differs: %d\n%s", known.status, known.body)
	}
	link, kind := p.mailedLink(t, me.ID)
	if kind != "portal-login" {
		t.Fatalf("mail kind %s", kind)
	}
	_, secret := p.portal(t, nil, "POST", strings.TrimPrefix(link, p.srv.URL), url.Values{})
	if secret == "" {
		t.Fatal("a restricted candidate cannot log in")
	}
	mine := &http.Cookie{Name: portalCookie, Value: secret}
	home, _ := p.portal(t, mine, "GET", "/portaal/gegevens", nil)
	home.expect(t, http.StatusOK)
	if !strings.Contains(home.body, "vos@example.nl") {
		t.Fatalf("their data:\n%s", home.body)
	}
	if pdf, _ := p.portal(t, mine, "GET", "/portaal/stamkaart.pdf", nil); pdf.status != http.StatusOK || !strings.HasPrefix(pdf.body, "%PDF") {
		t.Errorf("the card of a restricted candidate: %d %.200q", pdf.status, pdf.body)
	}
	for _, path := range []string{"/portaal/documenten.zip", "/portaal/overdraagbaar.json", "/portaal/stamkaart-csv.zip"} {
		if page, _ := p.portal(t, mine, "GET", path, nil); page.status != http.StatusOK {
			t.Errorf("%s of a restricted candidate: %d %.200s", path, page.status, page.body)
		}
	}
	if ok, _ := p.portal(t, mine, "POST", "/portaal/verzoeken", url.Values{"kind": {"access"}}); ok.status != http.StatusSeeOther {
		t.Fatalf("a request of a restricted candidate: %d\n%s", ok.status, ok.body)
	}
	if qs, _, err := p.DB.Requests(ctx, p.po, store.RequestFilter{CandidateID: me.ID}); err != nil || len(qs) != 1 || qs[0].Kind != "access" {
		t.Fatalf("the register: %+v, %v", qs, err)
	}
}

// TestTheCandidateDownloadsTheirDataInEveryForm: logged in (their address
// confirmed by the link), the candidate downloads their record card as
// CSV, the documents they handed in as a ZIP, and the portability export
// as JSON and CSV — each built as the staff's, through the candidate's
// projection (no staff note), each recorded in their history; the
// identity and payroll papers stay out of the portal's ZIP.
func TestTheCandidateDownloadsTheirDataInEveryForm(t *testing.T) {
	p := newPortalEnv(t)
	ctx := context.Background()
	if page, _ := p.portal(t, nil, "POST", "/portaal/aanmelden/"+p.Tenant.Slug, checkInForm("Vos", "vos@example.nl")); page.status != http.StatusOK {
		t.Fatalf("check-in: %d", page.status)
	}
	me := p.candidateByEmail(t, "vos@example.nl")
	p.MustCreatePlacement(t, me.ID, p.MustCreateClient(t, "Kwekerij Oost").ID, "2026-11-02")
	cv := "%PDF-1.4\nCV van Noor Vos\n%%EOF\n"
	for _, d := range []*kluis.Document{{CandidateID: me.ID, Kind: "cv", FileName: "cv.pdf"}, {CandidateID: me.ID, Kind: "contract", FileName: "contract.pdf"}} {
		if err := p.DB.CreateDocument(ctx, p.Actor, d, strings.NewReader(cv)); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.DB.CreateContactMoment(ctx, p.Actor, &kluis.ContactMoment{CandidateID: me.ID, Kind: "phone", Note: "Geheime notitie over de opdrachtgever"}); err != nil {
		t.Fatal(err)
	}
	link, _ := p.mailedLink(t, me.ID)
	_, secret := p.portal(t, nil, "POST", strings.TrimPrefix(link, p.srv.URL), url.Values{})
	if secret == "" {
		t.Fatal("no session")
	}
	mine := &http.Cookie{Name: portalCookie, Value: secret}
	home, _ := p.portal(t, mine, "GET", "/portaal/gegevens", nil)
	for _, id := range []string{"portal-csv", "portal-documents", "portal-portable-json", "portal-portable-csv"} {
		if !strings.Contains(home.body, `id="`+id+`"`) {
			t.Errorf("the page offers no %s", id)
		}
	}
	before, _, _ := p.DB.ListContactMoments(ctx, p.po, store.ContactMomentFilter{CandidateID: me.ID, Kind: "portal"})

	get := func(path string) string {
		t.Helper()
		page, _ := p.portal(t, mine, "GET", path, nil)
		if page.status != http.StatusOK {
			t.Fatalf("%s: %d %.300s", path, page.status, page.body)
		}
		return page.body
	}
	csvs := unzip(t, []byte(get("/portaal/stamkaart-csv.zip")))
	if !strings.Contains(csvs["candidate.csv"], "vos@example.nl") || csvs["contact_moments.csv"] == "" || strings.Contains(strings.Join(keysOf(csvs), ""), "..") {
		t.Fatalf("the record card as CSV: %v", keysOf(csvs))
	}
	for name, body := range csvs {
		if strings.Contains(body, "Geheime notitie") {
			t.Errorf("%s holds the staff's note", name)
		}
	}
	docs := unzip(t, []byte(get("/portaal/documenten.zip")))
	var man struct{ Files []struct{ Kind string } }
	if err := json.Unmarshal([]byte(docs["documents/manifest.json"]), &man); err != nil || len(man.Files) != 1 || man.Files[0].Kind != "cv" || len(docs) != 2 {
		t.Fatalf("the documents: %v %v", keysOf(docs), err)
	}
	for name, body := range docs {
		if strings.HasSuffix(name, ".pdf") && body != cv {
			t.Errorf("%s is not the file as kept", name)
		}
	}
	var port struct {
		Candidate map[string]any
		Documents []struct{ Kind string }
	}
	if err := json.Unmarshal([]byte(get("/portaal/overdraagbaar.json")), &port); err != nil || port.Candidate["last_name"] != "Vos" ||
		port.Candidate["status"] != nil || len(port.Documents) != 1 {
		t.Fatalf("the portability export: %+v %v", port, err)
	}
	if pc := unzip(t, []byte(get("/portaal/overdraagbaar-csv.zip"))); !strings.Contains(pc["candidate.csv"], "Vos") || strings.Contains(pc["candidate.csv"], "registered_on") {
		t.Fatalf("the portability CSV: %v", pc)
	}
	after, _, _ := p.DB.ListContactMoments(ctx, p.po, store.ContactMomentFilter{CandidateID: me.ID, Kind: "portal"})
	if len(after)-len(before) != 4 {
		t.Errorf("%d downloads in the history, want 4", len(after)-len(before))
	}
	// Without a session: nothing.
	for _, path := range []string{"/portaal/stamkaart-csv.zip", "/portaal/documenten.zip", "/portaal/overdraagbaar.json"} {
		if page, _ := p.portal(t, nil, "GET", path, nil); page.status != http.StatusUnauthorized {
			t.Errorf("%s without a session: %d", path, page.status)
		}
	}
}
