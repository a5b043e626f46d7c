package web

import (
	"context"
	"html/template"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/markdown"
	"kluis/internal/store"
)

// The candidate portal (/portaal): check-in, log-in by a link mailed to a
// confirmed address, and (portal_data.go) the candidate's own data and
// requests. Its pages speak Dutch, or English with ?lang=en, carried from
// page to page. Its session is a cookie of its own, apart from the staff
// session, short-lived and limited to /portaal/. The tokens of links are
// in their paths only, never in a log line (loggedPath). Forms are
// protected against other sites by the server's cross-origin protection
// (and a SameSite=Strict cookie), against bots by a honeypot field, and
// against floods by a throttle per address and, in the store, per
// candidate.

const portalCookie = "kluis_portal"

func (s *Server) candidatePortalRoutes() []route {
	return []route{
		{"GET", "/portaal/aanmelden/{agency}", page, s.portalCheckInPage},
		{"POST", "/portaal/aanmelden/{agency}", page, s.portalCheckIn},
		{"GET", "/portaal/inloggen/{agency}", page, s.portalLoginPage},
		{"POST", "/portaal/inloggen/{agency}", page, s.portalLogin},
		{"GET", store.PortalLinkPath + "{token}", page, s.portalLinkPage},
		{"POST", store.PortalLinkPath + "{token}", page, s.portalLinkUse},
		{"POST", "/portaal/uitloggen", page, s.portalLogout},
		{"GET", "/portaal/gegevens", page, s.inPortal(s.portalHome)},
		{"GET", "/portaal/stamkaart.pdf", page, s.inPortal(s.portalRecordCard("pdf"))},
		{"GET", "/portaal/stamkaart.json", page, s.inPortal(s.portalRecordCard("json"))},
		{"GET", "/portaal/stamkaart-csv.zip", page, s.inPortal(s.portalRecordCard("csv"))},
		{"GET", "/portaal/documenten.zip", page, s.inPortal(s.portalDocuments)},
		{"GET", "/portaal/overdraagbaar.json", page, s.inPortal(s.portalPortability("json"))},
		{"GET", "/portaal/overdraagbaar-csv.zip", page, s.inPortal(s.portalPortability("csv"))},
		{"POST", "/portaal/verzoeken", page, s.inPortal(s.portalRequest)},
		{"POST", "/portaal/toestemming", page, s.inPortal(s.portalConsentAnswer)},
		{"GET", "/portaal/verklaring/{version}", page, s.inPortal(s.portalStatementPage)},
		{"POST", "/portaal/verklaring", page, s.inPortal(s.portalStatementAccept)},
		{"POST", "/candidates/{id}/portal-invite", session, s.portalInvite},
	}
}

// portalInvite mails a candidate a link into the portal, from the
// Historie tab: for candidates registered at the desk, whose address the
// portal does not know as theirs yet.
func (s *Server) portalInvite(w http.ResponseWriter, r *http.Request) error {
	v, err := s.candidatePage(r, "history")
	if err != nil {
		return err
	}
	ctx, a := r.Context(), actorFrom(r.Context())
	if !mayInform(a.Role) {
		return errNoAccess
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	lang := r.PostForm.Get("lang")
	if lang != "en" {
		lang = "nl"
	}
	err = s.db.InvitePortal(ctx, a, v.C.ID, lang, s.PublicURL)
	if err == nil {
		return s.tabChanged(w, r, v, "portal.invite.done", func() error { return s.fillHistory(r, v, newForm(v.Lang), 0, false) })
	}
	msg, ok := statementProblem(err, v.Lang)
	if !ok {
		return err
	}
	if err := s.fillHistory(r, v, newForm(v.Lang), 0, false); err != nil {
		return err
	}
	v.TabData.(*historyTab).StatementError = msg
	return s.renderTab(w, r, http.StatusUnprocessableEntity, v)
}

// portalBase is the Base of a portal page, with the agency's name.
type portalBase struct {
	Base
	Agency     string
	AgencySlug string
	LoggedIn   bool
	Path       string // this page, for the language switch
}

// Q is the query that keeps the page's language on a link or form.
func (b portalBase) Q() string {
	if b.Lang == "en" {
		return "?lang=en"
	}
	return ""
}

func (s *Server) portalBaseFor(r *http.Request, titleKey string) portalBase {
	return portalBase{Base: s.baseFor(r, "", titleKey), Path: r.URL.Path}
}

// portalAgency finds the agency a public portal page names, and acts for
// it: the settings and the projection are the agency's.
func (s *Server) portalAgency(r *http.Request, b *portalBase) (*http.Request, kluis.ID, error) {
	t, err := s.db.TenantBySlug(r.Context(), r.PathValue("agency"))
	if err != nil {
		return r, 0, kluis.NotFound("agency")
	}
	b.Agency, b.AgencySlug = t.Name, t.Slug
	ctx := context.WithValue(r.Context(), actorKey{}, kluis.Actor{TenantID: t.ID, Role: kluis.RoleCandidate})
	return r.WithContext(ctx), t.ID, nil
}

// The check-in.

type checkInView struct {
	portalBase
	Form      *Form
	Statement *store.RenderedStatement
	HTML      template.HTML
	Branches  []kluis.Branch
	Message   string // an error that concerns no field
}

// BranchOptions are the branches to choose from.
func (v *checkInView) BranchOptions() []Option { return branchOptions(v.Branches) }

// checkInFields are what a candidate may fill in; the optional ones only
// when the agency collects them.
var checkInFields = []string{"first_name", "prefix", "last_name", "date_of_birth", "email", "phone", "street", "house_number",
	"house_number_addition", "postcode", "city", "nationality", "functions", "availability", "branch_id"}

func (s *Server) checkInView(r *http.Request, b portalBase, tenant kluis.ID) (*checkInView, error) {
	v := &checkInView{portalBase: b, Form: newForm(b.Lang)}
	v.off = map[string]bool{}
	for _, k := range s.collecting(r.Context()).Off() {
		v.off[k] = true
	}
	v.Form.Off = v.off
	rs, err := s.db.RenderPrivacyStatement(r.Context(), tenant, 0, b.Lang)
	if kluis.ErrorCode(err) == kluis.ENotFound {
		v.Message = text(b.Lang, "portal.checkin.nostatement")
		return v, nil
	}
	if err != nil {
		return nil, err
	}
	// Under the page's own h1: the statement's headings go down a level.
	v.Statement, v.HTML = rs, template.HTML(markdown.Nested(rs.Markdown, 1)) // #nosec G203 -- made by internal/markdown, which escapes all input (FuzzHTML)
	if v.Branches, err = s.db.Branches(r.Context(), actorFrom(r.Context())); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Server) portalCheckInPage(w http.ResponseWriter, r *http.Request) error {
	b := s.portalBaseFor(r, "portal.checkin.title")
	r, tenant, err := s.portalAgency(r, &b)
	if err != nil {
		return err
	}
	v, err := s.checkInView(r, b, tenant)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "portal_checkin", "", v)
}

func (s *Server) portalCheckIn(w http.ResponseWriter, r *http.Request) error {
	b := s.portalBaseFor(r, "portal.checkin.title")
	r, tenant, err := s.portalAgency(r, &b)
	if err != nil {
		return err
	}
	if !s.portalThrottle.allow(clientIP(r), s.clock.Now()) {
		return s.portalTooMany(w, r, b)
	}
	v, err := s.checkInView(r, b, tenant)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return kluis.Errorf(kluis.EInvalid, "Het formulier kon niet worden gelezen.", "The form could not be read.")
	}
	if r.PostForm.Get("website") != "" {
		// The honeypot, which people do not see: a bot. It is told what
		// a person is told, and nothing happens.
		s.log.InfoContext(r.Context(), "portal check-in refused: honeypot", "tenant", tenant)
		return s.portalSent(w, r, b, "portal.sent.checkin")
	}
	v.Form = formFrom(r, b.Lang, checkInFields...)
	v.Form.Off = v.off
	v.Form.Values["statement_version"] = r.PostForm.Get("statement_version")
	if r.PostForm.Get("accept") == "yes" {
		v.Form.Values["accept"] = "yes"
	}
	in := &store.CheckIn{Accepted: v.Form.Values["accept"] == "yes", Lang: b.Lang}
	in.StatementVersion, _ = strconv.Atoi(v.Form.Values["statement_version"])
	c := &in.Candidate
	f := v.Form.Values
	c.FirstName, c.Prefix, c.LastName, c.Email, c.Street = f["first_name"], f["prefix"], f["last_name"], f["email"], f["street"]
	c.HouseNumber, c.HouseNumberAddition, c.Postcode, c.City = f["house_number"], f["house_number_addition"], f["postcode"], f["city"]
	set := s.collecting(r.Context())
	if set.Collects("phone") {
		c.Phone = f["phone"]
	}
	if set.Collects("nationality") {
		c.Nationality = f["nationality"]
	}
	if set.Collects("availability") {
		c.Availability = f["availability"]
	}
	if set.Collects("functions") {
		for _, fn := range strings.Split(f["functions"], ",") {
			if fn = strings.TrimSpace(fn); fn != "" {
				c.Functions = append(c.Functions, fn)
			}
		}
	}
	// The store validates every field at once, the date and the branch
	// as typed too.
	c.DateOfBirth = kluis.Date(f["date_of_birth"])
	if len(v.Branches) > 1 && f["branch_id"] != "" {
		if c.BranchID, err = strconv.ParseInt(f["branch_id"], 10, 64); err != nil {
			c.BranchID = -1
		}
	}
	id, err := s.db.PortalCheckIn(r.Context(), tenant, in, s.PublicURL)
	if err != nil {
		if ferr := v.Form.Fail(err); ferr != nil {
			return ferr
		}
		if v.Form.Stale {
			// A conflict without fields: the portal cannot mail now, or
			// the agency has no statement.
			v.Form.Stale, v.Message = false, err.(*kluis.Error).Message.In(b.Lang)
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "portal_checkin", "", v)
	}
	// The log names the new candidate by id; an address already known
	// creates nobody and is logged as such, without the address.
	s.log.InfoContext(r.Context(), "portal check-in", "tenant", tenant, "candidate", id)
	return s.portalSent(w, r, b, "portal.sent.checkin")
}

// The log-in by link.

type portalLoginView struct {
	portalBase
	Form *Form
}

func (s *Server) portalLoginPage(w http.ResponseWriter, r *http.Request) error {
	b := s.portalBaseFor(r, "portal.login.title")
	r, _, err := s.portalAgency(r, &b)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "portal_login", "", portalLoginView{portalBase: b, Form: newForm(b.Lang)})
}

func (s *Server) portalLogin(w http.ResponseWriter, r *http.Request) error {
	b := s.portalBaseFor(r, "portal.login.title")
	r, tenant, err := s.portalAgency(r, &b)
	if err != nil {
		return err
	}
	if !s.portalThrottle.allow(clientIP(r), s.clock.Now()) {
		return s.portalTooMany(w, r, b)
	}
	if err := r.ParseForm(); err != nil {
		return kluis.Errorf(kluis.EInvalid, "Het formulier kon niet worden gelezen.", "The form could not be read.")
	}
	v := portalLoginView{portalBase: b, Form: formFrom(r, b.Lang, "email")}
	if r.PostForm.Get("website") != "" {
		return s.portalSent(w, r, b, "portal.sent.login")
	}
	if err := s.db.RequestPortalLink(r.Context(), tenant, v.Form.Values["email"], b.Lang, s.PublicURL); err != nil {
		if ferr := v.Form.Fail(err); ferr != nil {
			return ferr
		}
		status := http.StatusUnprocessableEntity
		if v.Form.Stale {
			v.Form.Stale = false
			v.Form.Errors["email"] = err.(*kluis.Error).Message.In(b.Lang)
			status = http.StatusServiceUnavailable
		}
		return s.render(w, r, status, "portal_login", "", v)
	}
	return s.portalSent(w, r, b, "portal.sent.login")
}

type portalSentView struct {
	portalBase
	Key string
}

// portalSent is the answer to a check-in or a request for a link, the
// same whether the address was known or not.
func (s *Server) portalSent(w http.ResponseWriter, r *http.Request, b portalBase, key string) error {
	return s.render(w, r, http.StatusOK, "portal_sent", "", portalSentView{portalBase: b, Key: key})
}

func (s *Server) portalTooMany(w http.ResponseWriter, r *http.Request, b portalBase) error {
	w.Header().Set("Retry-After", strconv.Itoa(int(portalThrottleWindow.Seconds())))
	return s.render(w, r, http.StatusTooManyRequests, "portal_sent", "", portalSentView{portalBase: b, Key: "portal.toomany"})
}

type portalLinkView struct {
	portalBase
	Token   string
	Link    *store.PortalLinkInfo
	Message string
}

// portalLinkPage shows the page behind a link with a button: a GET does
// not spend the link, so that a mail program that opens links to check
// them does not use it up.
func (s *Server) portalLinkPage(w http.ResponseWriter, r *http.Request) error {
	v := portalLinkView{portalBase: s.portalBaseFor(r, "portal.link.title"), Token: r.PathValue("token")}
	link, err := s.db.PortalLink(r.Context(), v.Token)
	if err != nil {
		return s.portalLinkError(w, r, v, err)
	}
	v.Link, v.Agency, v.AgencySlug = link, link.Agency, link.AgencySlug
	return s.render(w, r, http.StatusOK, "portal_link", "", v)
}

func (s *Server) portalLinkUse(w http.ResponseWriter, r *http.Request) error {
	v := portalLinkView{portalBase: s.portalBaseFor(r, "portal.link.title"), Token: r.PathValue("token")}
	if !s.portalThrottle.allow(clientIP(r), s.clock.Now()) {
		return s.portalTooMany(w, r, v.portalBase)
	}
	ps, err := s.db.UsePortalLink(r.Context(), v.Token)
	if err != nil {
		return s.portalLinkError(w, r, v, err)
	}
	http.SetCookie(w, &http.Cookie{Name: portalCookie, Value: ps.Secret, Path: store.PortalPath, HttpOnly: true, // #nosec G124 -- Secure is set behind TLS by secureCookies; HttpOnly and SameSite are set
		SameSite: http.SameSiteStrictMode, Secure: s.secureCookies(r), MaxAge: int(store.PortalSessionTTL.Seconds())})
	s.log.InfoContext(r.Context(), "portal log-in", "tenant", ps.TenantID, "candidate", ps.CandidateID)
	http.Redirect(w, r, "/portaal/gegevens"+v.Q(), http.StatusSeeOther)
	return nil
}

func (s *Server) portalLinkError(w http.ResponseWriter, r *http.Request, v portalLinkView, err error) error {
	if kluis.ErrorCode(err) != kluis.ENotFound {
		return err
	}
	v.Message = err.(*kluis.Error).Message.In(v.Lang)
	return s.render(w, r, http.StatusNotFound, "portal_link", "", v)
}

func (s *Server) portalLogout(w http.ResponseWriter, r *http.Request) error {
	slug := ""
	if c, err := r.Cookie(portalCookie); err == nil {
		if ps, err := s.db.PortalSessionOf(r.Context(), c.Value); err == nil {
			if t, err := s.db.TenantByID(r.Context(), ps.TenantID); err == nil {
				slug = t.Slug
			}
		}
		if err := s.db.EndPortalSession(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.clearPortalCookie(w, r)
	b := s.portalBaseFor(r, "portal.logout.title")
	b.AgencySlug, b.Path = slug, ""
	if slug != "" {
		b.Path = "/portaal/inloggen/" + slug // the language switch goes there: this address takes posts only
	}
	return s.portalSent(w, r, b, "portal.logout.done")
}

func (s *Server) clearPortalCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: portalCookie, Value: "", Path: store.PortalPath, HttpOnly: true, // #nosec G124 -- Secure is set behind TLS by secureCookies; HttpOnly and SameSite are set
		SameSite: http.SameSiteStrictMode, Secure: s.secureCookies(r), MaxAge: -1})
}

type portalSessionKey struct{}

func portalSessionFrom(ctx context.Context) *store.PortalSession {
	ps, _ := ctx.Value(portalSessionKey{}).(*store.PortalSession)
	return ps
}

// inPortal admits requests with a live portal session, acting as the
// session's candidate; others go to the start of the portal. Nothing
// behind it takes a candidate's id from the request: it is the session's.
func (s *Server) inPortal(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, err := r.Cookie(portalCookie)
		if err != nil {
			return s.portalExpired(w, r)
		}
		ps, err := s.db.PortalSessionOf(r.Context(), c.Value)
		if kluis.ErrorCode(err) == kluis.EUnauthorized {
			s.clearPortalCookie(w, r)
			return s.portalExpired(w, r)
		}
		if err != nil {
			return err
		}
		ctx := context.WithValue(r.Context(), actorKey{}, ps.Actor())
		ctx = context.WithValue(ctx, portalSessionKey{}, ps)
		return h(w, r.WithContext(ctx))
	}
}

// portalExpired tells a visitor without a session to log in again.
func (s *Server) portalExpired(w http.ResponseWriter, r *http.Request) error {
	b := s.portalBaseFor(r, "portal.login.title")
	return s.render(w, r, http.StatusUnauthorized, "portal_sent", "", portalSentView{portalBase: b, Key: "portal.expired"})
}

// The throttle: at most portalThrottleMax posts to the portal's forms per
// client address within portalThrottleWindow. Behind a proxy every
// visitor shares its address; the store's limit per candidate still
// holds.
const (
	portalThrottleWindow = 10 * time.Minute
	portalThrottleMax    = 20
)

// throttle counts what each client address did within a sliding window
// and refuses what goes past max: the portal's posts, and the staff's
// failed log-ins (loginThrottle). It forgets everything when it holds
// more than 10,000 addresses, so that it cannot grow without end.
type throttle struct {
	mu     sync.Mutex
	hits   map[string][]time.Time
	window time.Duration
	max    int
}

// recent drops key's hits older than the window and returns the rest;
// t.mu is held.
func (t *throttle) recent(key string, now time.Time) []time.Time {
	if t.hits == nil || len(t.hits) > 10000 {
		t.hits = map[string][]time.Time{}
	}
	keep := t.hits[key][:0]
	for _, at := range t.hits[key] {
		if now.Sub(at) < t.window {
			keep = append(keep, at)
		}
	}
	t.hits[key] = keep
	return keep
}

// allow counts a hit for key and reports whether it is within the limit.
func (t *throttle) allow(key string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	keep := t.recent(key, now)
	if len(keep) >= t.max {
		return false
	}
	t.hits[key] = append(keep, now)
	return true
}

// full reports whether key has reached the limit, counting nothing.
func (t *throttle) full(key string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.recent(key, now)) >= t.max
}

// hit counts one for key.
func (t *throttle) hit(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.hits[key] = append(t.recent(key, now), now)
}

// clientIP is the address a request came from (the proxy's, behind one).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
