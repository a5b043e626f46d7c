package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"kluis/internal/access"
	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/markdown"
	"kluis/internal/report"
	"kluis/internal/store"
)

// The candidate's own data in the portal: read-only, through the same
// projection as every other read (role kluis.RoleCandidate; see
// catalog.CandidateAccess for what it withholds and why), with the
// download of their record card, their requests and their open
// consent requests.

// portalField is one of the candidate's personal data as the page shows it.
type portalField struct {
	Key, Label, Value string
	Masked            bool
}

type portalHomeView struct {
	portalBase
	Fields         []portalField
	Moments        []kluis.ContactMoment
	Documents      []kluis.Document
	Placements     []portalPlacement
	Payroll        []kluis.PayrollRecord
	Requests       []kluis.Request
	Consents       []kluis.ConsentRequest // open ones
	RequestForm    *Form
	ConsentMessage string
	Today          kluis.Date
	// StatementMine is the newest version of the privacy statement the
	// candidate has (0: none), StatementCurrent the current one; when it
	// is newer, NewStatement is its text to read and accept, and
	// StatementError why an acceptance was refused.
	StatementMine, StatementCurrent int
	NewStatement                    template.HTML
	StatementError                  string
}

type portalPlacement struct {
	kluis.Placement
	ClientName string
}

// RequestKindChoices are the rights a candidate may invoke.
func (portalHomeView) RequestKindChoices() kluis.Choices { return kluis.RequestKinds }

// RequestStatusChoices label a request's status.
func (portalHomeView) RequestStatusChoices() kluis.Choices { return kluis.RequestStatuses }

// portalShownColumns are the candidate's columns in the order the page
// shows them.
var portalShownColumns = []string{"initials", "first_name", "prefix", "last_name", "date_of_birth", "nationality", "email", "phone",
	"street", "house_number", "house_number_addition", "postcode", "city", "country", "bsn", "iban", "id_document_type",
	"id_document_number", "id_document_expiry", "status", "functions", "availability", "registered_on", "source", "language"}

// reproject passes records through the projection for the candidate and
// back into their type: what the candidate may not see is empty, what
// they see masked holds the mask.
func reproject[T any](p *access.Projector, table string, recs []T) ([]T, error) {
	views, err := access.ProjectAll(p, kluis.RoleCandidate, table, recs)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(views))
	for i, v := range views {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, &out[i]); err != nil {
			return nil, fmt.Errorf("reproject %s: %w", table, err)
		}
	}
	return out, nil
}

func (s *Server) portalHome(w http.ResponseWriter, r *http.Request) error {
	v, err := s.portalHomeData(r)
	if err != nil {
		return err
	}
	v.RequestForm = newForm(v.Lang)
	return s.render(w, r, http.StatusOK, "portal_home", "", v)
}

// portalHomeData reads what the page shows of the session's candidate,
// and logs it in the access log as any other view.
func (s *Server) portalHomeData(r *http.Request) (*portalHomeView, error) {
	ctx, ps := r.Context(), portalSessionFrom(r.Context())
	a, cand := ps.Actor(), ps.CandidateID
	v := &portalHomeView{portalBase: s.portalBaseFor(r, "portal.home.title"), Today: kluis.DateOf(s.clock.Now())}
	v.LoggedIn = true
	t, err := s.db.TenantByID(ctx, ps.TenantID)
	if err != nil {
		return nil, err
	}
	v.Agency, v.AgencySlug = t.Name, t.Slug
	proj := s.projector(ctx)
	c, err := s.db.Candidate(ctx, a, cand)
	if err != nil {
		return nil, err
	}
	view, err := proj.Project(kluis.RoleCandidate, "candidates", c)
	if err != nil {
		return nil, err
	}
	s.viewed(ctx, "candidates", cand, view)
	for _, col := range portalShownColumns {
		val, ok := view[col]
		f, declared := s.catalog.Field("candidates", col)
		if !ok || !declared {
			continue
		}
		pf := portalField{Key: col, Label: f.Label.In(v.Lang), Masked: proj.Access(kluis.RoleCandidate, "candidates", col) == catalog.Masked}
		switch x := val.(type) {
		case string:
			pf.Value = x
		case kluis.Date:
			if x != "" {
				pf.Value = formatDate(x)
			}
		case []string:
			pf.Value = strings.Join(x, ", ")
		default:
			pf.Value = fmt.Sprint(x)
		}
		switch col {
		case "status":
			pf.Value = kluis.CandidateStatuses.Label(c.Status, v.Lang)
		case "source":
			pf.Value = kluis.CandidateSources.Label(c.Source, v.Lang)
		case "availability":
			pf.Value = kluis.Availabilities.Label(c.Availability, v.Lang)
		case "language":
			pf.Value = kluis.CandidateLanguages.Label(c.Language, v.Lang)
		case "id_document_type":
			pf.Value = kluis.IDDocumentTypes.Label(c.IDDocumentType, v.Lang)
		}
		if pf.Value != "" {
			v.Fields = append(v.Fields, pf)
		}
	}
	moments, err := s.db.AllContactMoments(ctx, a, cand)
	if err != nil {
		return nil, err
	}
	if v.Moments, err = reproject(proj, "contact_moments", moments); err != nil {
		return nil, err
	}
	docs, err := allPages(func(p kluis.Page) ([]kluis.Document, int, error) {
		return s.db.ListDocuments(ctx, a, store.DocumentFilter{CandidateID: cand, Page: p})
	})
	if err != nil {
		return nil, err
	}
	if v.Documents, err = reproject(proj, "documents", docs); err != nil {
		return nil, err
	}
	pls, err := allPages(func(p kluis.Page) ([]kluis.Placement, int, error) {
		return s.db.ListPlacements(ctx, a, store.PlacementFilter{CandidateID: cand, Page: p})
	})
	if err != nil {
		return nil, err
	}
	if pls, err = reproject(proj, "placements", pls); err != nil {
		return nil, err
	}
	names := map[kluis.ID]string{}
	for _, p := range pls {
		if _, ok := names[p.ClientID]; !ok && p.ClientID != 0 {
			cl, err := s.db.Client(ctx, a, p.ClientID)
			if err != nil {
				return nil, err
			}
			names[p.ClientID] = cl.Name
		}
		v.Placements = append(v.Placements, portalPlacement{Placement: p, ClientName: names[p.ClientID]})
	}
	pay, err := allPages(func(p kluis.Page) ([]kluis.PayrollRecord, int, error) {
		return s.db.ListPayrollRecords(ctx, a, store.PayrollFilter{CandidateID: cand, Page: p})
	})
	if err != nil {
		return nil, err
	}
	if v.Payroll, err = reproject(proj, "payroll_records", pay); err != nil {
		return nil, err
	}
	reqs, err := allPages(func(p kluis.Page) ([]kluis.Request, int, error) {
		return s.db.Requests(ctx, a, store.RequestFilter{CandidateID: cand, Page: p})
	})
	if err != nil {
		return nil, err
	}
	if v.Requests, err = reproject(proj, "requests", reqs); err != nil {
		return nil, err
	}
	if v.StatementMine, v.StatementCurrent, err = s.db.PortalStatement(ctx, ps); err != nil {
		return nil, err
	}
	if v.StatementCurrent > v.StatementMine {
		rs, err := s.db.RenderPrivacyStatement(ctx, ps.TenantID, v.StatementCurrent, v.Lang)
		if err != nil {
			return nil, err
		}
		// In a section under the page's h1 and the section's h2.
		v.NewStatement = template.HTML(markdown.Nested(rs.Markdown, 2)) // #nosec G203 -- made by internal/markdown, which escapes all input (FuzzHTML)
	}
	crs, err := s.db.ConsentRequests(ctx, a, cand)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	for _, cr := range crs {
		if cr.Answer == "" && now.Before(cr.LinkExpires) {
			v.Consents = append(v.Consents, cr)
		}
	}
	return v, nil
}

// portalRequest files a request of the candidate (POST /portaal/verzoeken).
func (s *Server) portalRequest(w http.ResponseWriter, r *http.Request) error {
	ps := portalSessionFrom(r.Context())
	if err := r.ParseForm(); err != nil {
		return kluis.Errorf(kluis.EInvalid, "Het formulier kon niet worden gelezen.", "The form could not be read.")
	}
	b := s.portalBaseFor(r, "portal.home.title")
	f := formFrom(r, b.Lang, "kind", "description")
	q, err := s.db.CreatePortalRequest(r.Context(), ps, f.Values["kind"], f.Values["description"])
	if err != nil {
		if ferr := f.Fail(err); ferr != nil {
			return ferr
		}
		v, err := s.portalHomeData(r)
		if err != nil {
			return err
		}
		v.RequestForm = f
		return s.render(w, r, http.StatusUnprocessableEntity, "portal_home", "", v)
	}
	s.log.InfoContext(r.Context(), "portal request", "tenant", ps.TenantID, "candidate", ps.CandidateID, "request", q.ID, "kind", q.Kind)
	http.Redirect(w, r, "/portaal/gegevens"+portalQuery(b, "flash=portal.request.sent")+"#verzoeken", http.StatusSeeOther) // #nosec G710 -- a fixed path with the language and a flash key from closed lists
	return nil
}

// portalQuery is the query of a redirect within the portal: the language
// and more.
func portalQuery(b portalBase, more string) string {
	q := b.Q()
	if more == "" {
		return q
	}
	if q == "" {
		return "?" + more
	}
	return q + "&" + more
}

// portalConsentAnswer answers one of the candidate's open consent
// requests (POST /portaal/toestemming).
func (s *Server) portalConsentAnswer(w http.ResponseWriter, r *http.Request) error {
	ps := portalSessionFrom(r.Context())
	if err := r.ParseForm(); err != nil {
		return kluis.Errorf(kluis.EInvalid, "Het formulier kon niet worden gelezen.", "The form could not be read.")
	}
	b := s.portalBaseFor(r, "portal.home.title")
	id, err := strconv.ParseInt(r.PostForm.Get("id"), 10, 64)
	answer := r.PostForm.Get("answer")
	if err != nil || (answer != "yes" && answer != "no") {
		v, err := s.portalHomeData(r)
		if err != nil {
			return err
		}
		v.RequestForm, v.ConsentMessage = newForm(v.Lang), text(v.Lang, "portal.consent.choose")
		return s.render(w, r, http.StatusUnprocessableEntity, "portal_home", "", v)
	}
	if _, err := s.db.AnswerConsentInPortal(r.Context(), ps, id, answer == "yes"); err != nil {
		var e *kluis.Error
		if !errors.As(err, &e) || e.Code != kluis.EConflict {
			return err
		}
		v, err := s.portalHomeData(r)
		if err != nil {
			return err
		}
		v.RequestForm, v.ConsentMessage = newForm(v.Lang), e.Message.In(v.Lang)
		return s.render(w, r, http.StatusConflict, "portal_home", "", v)
	}
	s.log.InfoContext(r.Context(), "consent request answered in the portal", "tenant", ps.TenantID, "candidate", ps.CandidateID, "request", id)
	flash := "portal.consent.thanks.no"
	if answer == "yes" {
		flash = "portal.consent.thanks.yes"
	}
	http.Redirect(w, r, "/portaal/gegevens"+portalQuery(b, "flash="+flash), http.StatusSeeOther) // #nosec G710 -- a fixed path with the language and a flash key from closed lists
	return nil
}

// portalRecordCard sends the candidate's own record card (PDF, JSON or
// CSV), through their projection, and records the download in their
// history.
func (s *Server) portalRecordCard(format string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		rc, err := s.portalCard(r)
		if err != nil {
			return err
		}
		if err := s.db.RecordPortalDownload(r.Context(), portalSessionFrom(r.Context()), format); err != nil {
			return err
		}
		return s.sendRecordCard(w, r, rc, format)
	}
}

// portalPortability sends the candidate's portability export (art. 20),
// JSON or CSV, built as for the staff from their record card — here the
// one through their projection — and records the download.
func (s *Server) portalPortability(format string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ps := portalSessionFrom(r.Context())
		rc, err := s.portalCard(r)
		if err != nil {
			return err
		}
		r = r.WithContext(ps.Exercising(r.Context()))
		if err := s.db.RecordPortalDownload(r.Context(), ps, "portability-"+format); err != nil {
			return err
		}
		return s.sendPortability(w, r, rc, format)
	}
}

// portalDocuments sends the documents the candidate handed in (the
// portable kinds: CV, certificates, photo, other), as the staff's ZIP with
// its manifest, and records the download. ID copies, work permits,
// contracts and payroll papers stay out: they carry the BSN or a document
// number, which the portal shows masked because a log-in by an e-mailed
// link proves a mailbox, not identity to the standard those need (see
// catalog.CandidateAccess); they come with the answer to an access
// request. A restricted candidate gets theirs too (art. 18 restricts the
// agency, not the candidate: store.MayExport).
func (s *Server) portalDocuments(w http.ResponseWriter, r *http.Request) error {
	ps := portalSessionFrom(r.Context())
	r = r.WithContext(ps.Exercising(r.Context()))
	if err := s.db.RecordPortalDownload(r.Context(), ps, "documents"); err != nil {
		return err
	}
	return s.sendDocumentsZip(w, r, newQuery(r), ps.CandidateID, true)
}

// portalCard is the session's candidate's record card through their
// projection: what they may not see is empty, what they see masked holds
// the mask.
func (s *Server) portalCard(r *http.Request) (*report.RecordCard, error) {
	ps := portalSessionFrom(r.Context())
	rc, err := s.recordCard(r, ps.CandidateID)
	if err != nil {
		return nil, err
	}
	proj := s.projector(r.Context())
	cs, err := reproject(proj, "candidates", []kluis.Candidate{*rc.Candidate})
	if err != nil {
		return nil, err
	}
	cs[0].ID = rc.Candidate.ID
	rc.Candidate = &cs[0]
	if rc.Moments, err = reproject(proj, "contact_moments", rc.Moments); err != nil {
		return nil, err
	}
	if rc.Documents, err = reproject(proj, "documents", rc.Documents); err != nil {
		return nil, err
	}
	for i := range rc.Placements {
		ps, err := reproject(proj, "placements", []kluis.Placement{rc.Placements[i].Placement})
		if err != nil {
			return nil, err
		}
		rc.Placements[i].Placement = ps[0]
	}
	if rc.Payroll, err = reproject(proj, "payroll_records", rc.Payroll); err != nil {
		return nil, err
	}
	if rc.Disclosures, err = reproject(proj, "disclosures", rc.Disclosures); err != nil {
		return nil, err
	}
	if rc.Consents, err = reproject(proj, "consents", rc.Consents); err != nil {
		return nil, err
	}
	if rc.Holds, err = reproject(proj, "legal_holds", rc.Holds); err != nil {
		return nil, err
	}
	if rc.Requests, err = reproject(proj, "requests", rc.Requests); err != nil {
		return nil, err
	}
	return rc, nil
}

// portalStatementView is one version of the privacy statement as it was
// published, for the candidate.
type portalStatementView struct {
	portalBase
	Version int
	HTML    template.HTML
}

// portalStatementPage shows the candidate a version of the agency's
// privacy statement as it was published: the one they accepted, or the
// current one (GET /portaal/verklaring/{version}).
func (s *Server) portalStatementPage(w http.ResponseWriter, r *http.Request) error {
	ps := portalSessionFrom(r.Context())
	version, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || version <= 0 {
		return kluis.NotFound("privacy statement")
	}
	v := portalStatementView{portalBase: s.portalBaseFor(r, "portal.statement.title"), Version: version}
	v.LoggedIn = true
	t, err := s.db.TenantByID(r.Context(), ps.TenantID)
	if err != nil {
		return err
	}
	v.Agency, v.AgencySlug = t.Name, t.Slug
	rs, err := s.db.RenderPrivacyStatement(r.Context(), ps.TenantID, version, v.Lang)
	if err != nil {
		return err
	}
	v.HTML = template.HTML(markdown.Nested(rs.Markdown, 1)) // #nosec G203 -- made by internal/markdown, which escapes all input (FuzzHTML)
	return s.render(w, r, http.StatusOK, "portal_statement", "", v)
}

// portalStatementAccept records that the candidate read and accepted the
// current version in the portal (POST /portaal/verklaring).
func (s *Server) portalStatementAccept(w http.ResponseWriter, r *http.Request) error {
	ps := portalSessionFrom(r.Context())
	if err := r.ParseForm(); err != nil {
		return kluis.Errorf(kluis.EInvalid, "Het formulier kon niet worden gelezen.", "The form could not be read.")
	}
	b := s.portalBaseFor(r, "portal.home.title")
	version, _ := strconv.Atoi(r.PostForm.Get("statement_version"))
	if _, err := s.db.PortalAcceptStatement(r.Context(), ps, version, r.PostForm.Get("accept") == "yes"); err != nil {
		msg, ok := statementProblem(err, b.Lang)
		if !ok {
			return err
		}
		v, err := s.portalHomeData(r)
		if err != nil {
			return err
		}
		v.RequestForm, v.StatementError = newForm(v.Lang), msg
		return s.render(w, r, http.StatusUnprocessableEntity, "portal_home", "", v)
	}
	s.log.InfoContext(r.Context(), "privacy statement accepted in the portal", "tenant", ps.TenantID, "candidate", ps.CandidateID, "version", version)
	http.Redirect(w, r, "/portaal/gegevens"+portalQuery(b, "flash=portal.statement.accepted")+"#privacyverklaring", http.StatusSeeOther) // #nosec G710 -- a fixed path with the language and a flash key from a closed list
	return nil
}
