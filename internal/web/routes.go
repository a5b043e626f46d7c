package web

import (
	"context"
	_ "embed"
	"net/http"
	"strings"

	"kluis/internal/kluis"
)

// route is one entry of the route table: the only list of what kluis
// serves, used both to register handlers and to check the OpenAPI document.
type route struct {
	method  string
	pattern string
	guard   guard
	handler handlerFunc
}

// guard says how a route checks who calls it.
type guard int

const (
	public  guard = iota // anyone, answered in JSON: probes, the API description
	page                 // anyone, answered in HTML: the log-in page
	token                // the API: a bearer token
	session              // the staff UI: a log-in session cookie
)

// Routes lists "METHOD pattern" of every route the OpenAPI document must
// describe: the API and the probes, not the pages made for browsers.
func (s *Server) Routes() []string {
	var out []string
	for _, rt := range s.routes() {
		if !strings.HasPrefix(rt.pattern, "/api/") && rt.pattern != "/healthz" && rt.pattern != "/readyz" {
			continue
		}
		out = append(out, rt.method+" "+rt.pattern)
	}
	return out
}

func (s *Server) routes() []route {
	db := s.db
	candidates := &resource[kluis.Candidate]{kind: "candidate", table: "candidates", proj: s.projector, viewed: s.viewed, get: db.Candidate, create: db.CreateCandidate,
		update: db.UpdateCandidate, delete: db.DeleteCandidate,
		version: func(c *kluis.Candidate) int64 { return c.Version }, setID: func(c *kluis.Candidate, id kluis.ID) { c.ID = id }}
	clients := &resource[kluis.Client]{kind: "client", table: "clients", proj: s.projector, viewed: s.viewed, get: db.Client, create: db.CreateClient,
		update: db.UpdateClient, delete: db.DeleteClient,
		version: func(c *kluis.Client) int64 { return c.Version }, setID: func(c *kluis.Client, id kluis.ID) { c.ID = id }}
	contacts := &resource[kluis.ClientContact]{kind: "client contact", table: "client_contacts", proj: s.projector, viewed: s.viewed, get: db.ClientContact,
		update: db.UpdateClientContact, delete: db.DeleteClientContact,
		version: func(c *kluis.ClientContact) int64 { return c.Version }, setID: func(c *kluis.ClientContact, id kluis.ID) { c.ID = id }}
	placements := &resource[kluis.Placement]{kind: "placement", table: "placements", proj: s.projector, viewed: s.viewed, get: db.Placement, create: db.CreatePlacement,
		update: db.UpdatePlacement, delete: db.DeletePlacement,
		version: func(p *kluis.Placement) int64 { return p.Version }, setID: func(p *kluis.Placement, id kluis.ID) { p.ID = id }}
	moments := &resource[kluis.ContactMoment]{kind: "contact moment", table: "contact_moments", proj: s.projector, viewed: s.viewed, get: db.ContactMoment, create: db.CreateContactMoment,
		update: db.UpdateContactMoment, delete: db.DeleteContactMoment,
		version: func(m *kluis.ContactMoment) int64 { return m.Version }, setID: func(m *kluis.ContactMoment, id kluis.ID) { m.ID = id }}
	payroll := &resource[kluis.PayrollRecord]{kind: "payroll record", table: "payroll_records", proj: s.projector, viewed: s.viewed, get: db.PayrollRecord, create: db.CreatePayrollRecord,
		update: db.UpdatePayrollRecord, delete: db.DeletePayrollRecord,
		version: func(p *kluis.PayrollRecord) int64 { return p.Version }, setID: func(p *kluis.PayrollRecord, id kluis.ID) { p.ID = id }}
	disclosures := &resource[kluis.Disclosure]{kind: "disclosure", table: "disclosures", proj: s.projector, viewed: s.viewed, get: db.Disclosure, create: db.CreateDisclosure}
	documents := &resource[kluis.Document]{kind: "document", table: "documents", proj: s.projector, viewed: s.viewed,
		get: func(ctx context.Context, a kluis.Actor, id kluis.ID) (*kluis.Document, error) {
			d, err := db.Document(ctx, a, id)
			if err == nil && !s.projector(ctx).CanSeeBlob(a.Role, d.Kind) {
				return nil, kluis.NotFound("document")
			}
			return d, err
		},
		delete: func(ctx context.Context, a kluis.Actor, id kluis.ID, _ int64) error {
			d, err := db.Document(ctx, a, id)
			if err != nil {
				return err
			}
			if !s.projector(ctx).CanWriteBlob(a.Role, d.Kind) {
				if s.projector(ctx).CanSeeBlob(a.Role, d.Kind) {
					return errNoAccess
				}
				return kluis.NotFound("document")
			}
			return db.DeleteDocument(ctx, a, id)
		}}

	return append([]route{
		{"GET", "/login", page, s.loginPage},
		{"POST", "/login", page, s.login},
		{"POST", "/logout", page, s.logout},
		{"GET", "/{$}", session, s.start},
		{"GET", "/candidates", session, s.candidateList},
		{"POST", "/candidates/search", session, s.candidateSearch},
		{"GET", "/candidates/new", session, s.candidateNew},
		{"POST", "/candidates/new", session, s.candidateCreate},
		{"GET", "/candidates/{id}", session, s.candidateTab("personal", s.loadPersonal)},
		{"GET", "/candidates/{id}/edit", session, s.candidateEdit},
		{"POST", "/candidates/{id}/edit", session, s.candidateUpdate},
		{"POST", "/candidates/{id}/reveal", session, s.revealTab},
		{"GET", "/candidates/{id}/stamkaart.pdf", session, s.recordCardFile("pdf")},
		{"GET", "/candidates/{id}/stamkaart.json", session, s.recordCardFile("json")},
		{"GET", "/candidates/{id}/stamkaart-csv.zip", session, s.recordCardFile("csv")},
		{"GET", "/candidates/{id}/documents.zip", session, s.documentsZip},
		{"GET", "/candidates/{id}/portability.json", session, s.portabilityPage("json")},
		{"GET", "/candidates/{id}/portability-csv.zip", session, s.portabilityPage("csv")},
		{"GET", "/healthz", public, s.healthz},
		{"GET", "/readyz", public, s.readyz},
		{"GET", "/api/v1/openapi.json", public, s.openAPI},

		{"GET", "/api/v1/branches", token, s.listBranches},
		{"GET", "/api/v1/settings", token, s.getSettings},
		{"GET", "/api/v1/audit-log", token, s.listAudit},
		{"GET", "/api/v1/retention/due", token, s.listDue},
		{"POST", "/api/v1/cleanup/runs", token, s.apiStartCleanup},
		{"GET", "/api/v1/cleanup/runs", token, s.apiCleanupRuns},
		{"GET", "/api/v1/cleanup/runs/{id}", token, s.apiCleanupRun},
		{"GET", "/api/v1/erasures", token, s.apiErasures},
		{"GET", "/api/v1/erasures/{id}", token, s.apiErasure},
		{"GET", "/api/v1/field-access", token, s.getFieldAccess},
		{"PUT", "/api/v1/field-access", token, s.putFieldAccess},
		{"PUT", "/api/v1/settings", token, s.putSettings},
		{"GET", "/api/v1/sso", token, s.getSSO},
		{"PUT", "/api/v1/sso", token, s.putSSO},

		{"GET", "/api/v1/candidates", token, s.listCandidates},
		{"POST", "/api/v1/candidates", token, candidates.handleCreate},
		{"POST", "/api/v1/candidates/search", token, s.searchCandidates},
		{"GET", "/api/v1/candidates/{id}", token, candidates.handleGet},
		{"PATCH", "/api/v1/candidates/{id}", token, candidates.handleUpdate},
		{"POST", "/api/v1/candidates/{id}/reveal", token, s.revealCandidate},
		{"GET", "/api/v1/candidates/{id}/retention", token, s.candidateRetention},
		{"GET", "/api/v1/candidates/{id}/erasure-preview", token, s.apiErasurePreview},
		{"GET", "/api/v1/candidates/{id}/holds", token, s.listHolds},
		{"POST", "/api/v1/candidates/{id}/holds", token, s.createHold},
		{"POST", "/api/v1/holds/{id}/end", token, s.endHold},
		{"GET", "/api/v1/candidates/{id}/consents", token, s.listConsents},
		{"POST", "/api/v1/candidates/{id}/consents", token, s.createConsent},
		{"POST", "/api/v1/consents/{id}/withdraw", token, s.withdrawConsent},
		{"GET", "/api/v1/candidates/{id}/record-card", token, s.apiRecordCard},
		{"GET", "/api/v1/requests", token, s.apiRequests},
		{"POST", "/api/v1/requests", token, s.apiCreateRequest},
		{"GET", "/api/v1/requests/{id}", token, s.apiRequest},
		{"POST", "/api/v1/requests/{id}/verify", token, s.apiVerifyRequest},
		{"POST", "/api/v1/requests/{id}/extend", token, s.apiExtendRequest},
		{"POST", "/api/v1/requests/{id}/close", token, s.apiCloseRequest},
		{"POST", "/api/v1/requests/{id}/erase", token, s.apiEraseForRequest},
		{"GET", "/api/v1/requests/{id}/letters", token, s.apiLetters},
		{"POST", "/api/v1/requests/{id}/letters", token, s.apiCreateLetter},
		{"GET", "/api/v1/requests/{id}/letters/{letter}", token, s.sendLetter},
		{"POST", "/api/v1/requests/{id}/answer", token, s.apiAnswer},
		{"GET", "/api/v1/requests/reminders", token, s.apiReminders},
		{"PUT", "/api/v1/requests/reminders", token, s.apiSetReminders},
		{"GET", "/api/v1/candidates/{id}/portability", token, s.apiPortability},
		{"GET", "/api/v1/candidates/{id}/documents-archive", token, s.apiDocumentsArchive},
		{"DELETE", "/api/v1/candidates/{id}", token, candidates.handleDelete},

		{"GET", "/api/v1/clients", token, s.listClients},
		{"POST", "/api/v1/clients", token, clients.handleCreate},
		{"GET", "/api/v1/clients/{id}", token, clients.handleGet},
		{"PATCH", "/api/v1/clients/{id}", token, clients.handleUpdate},
		{"DELETE", "/api/v1/clients/{id}", token, clients.handleDelete},
		{"GET", "/api/v1/clients/{id}/contacts", token, s.listClientContacts},
		{"POST", "/api/v1/clients/{id}/contacts", token, s.createClientContact},
		{"GET", "/api/v1/client-contacts/{id}", token, contacts.handleGet},
		{"PATCH", "/api/v1/client-contacts/{id}", token, contacts.handleUpdate},
		{"DELETE", "/api/v1/client-contacts/{id}", token, contacts.handleDelete},

		{"GET", "/api/v1/placements", token, s.listPlacements},
		{"POST", "/api/v1/placements", token, placements.handleCreate},
		{"GET", "/api/v1/placements/{id}", token, placements.handleGet},
		{"PATCH", "/api/v1/placements/{id}", token, placements.handleUpdate},
		{"DELETE", "/api/v1/placements/{id}", token, placements.handleDelete},

		{"GET", "/api/v1/contact-moments", token, s.listContactMoments},
		{"POST", "/api/v1/contact-moments", token, moments.handleCreate},
		{"GET", "/api/v1/contact-moments/{id}", token, moments.handleGet},
		{"PATCH", "/api/v1/contact-moments/{id}", token, moments.handleUpdate},
		{"DELETE", "/api/v1/contact-moments/{id}", token, moments.handleDelete},

		{"GET", "/api/v1/documents", token, s.listDocuments},
		{"POST", "/api/v1/documents", token, s.uploadDocument},
		{"GET", "/api/v1/documents/{id}", token, documents.handleGet},
		{"GET", "/api/v1/documents/{id}/content", token, s.documentContent},
		{"POST", "/api/v1/documents/{id}/disclosures", token, s.discloseDocument},
		{"DELETE", "/api/v1/documents/{id}", token, documents.handleDelete},

		{"GET", "/api/v1/payroll-records", token, s.listPayrollRecords},
		{"POST", "/api/v1/payroll-records", token, payroll.handleCreate},
		{"GET", "/api/v1/payroll-records/{id}", token, payroll.handleGet},
		{"PATCH", "/api/v1/payroll-records/{id}", token, payroll.handleUpdate},
		{"DELETE", "/api/v1/payroll-records/{id}", token, payroll.handleDelete},

		{"POST", "/api/v1/imports", token, s.importFiles},

		{"GET", "/api/v1/disclosures", token, s.listDisclosures},
		{"POST", "/api/v1/disclosures", token, disclosures.handleCreate},
		{"GET", "/api/v1/disclosures/{id}", token, disclosures.handleGet},
	}, append(append(append(append(s.uiRoutes(), s.privacyStatementAPIRoutes()...), s.breachAPIRoutes()...), s.restrictionAPIRoutes()...),
		s.failedMailAPIRoutes()...)...)
}

//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err := w.Write(openAPIDoc)
	return err
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

// readyz answers 200 only when the database answers and its schema is the
// one this binary expects.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2e9)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unreachable"})
		return nil
	}
	if err := s.db.CheckSchema(ctx); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "schema mismatch"})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}

func (s *Server) listBranches(w http.ResponseWriter, r *http.Request) error {
	bs, err := s.db.Branches(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return err
	}
	return writeList(w, bs, len(bs), kluis.Page{Limit: kluis.MaxPageSize})
}
