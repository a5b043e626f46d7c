package web

import (
	"bytes"
	"context"
	"net/http"
	"strconv"

	"kluis/internal/kluis"
	"kluis/internal/report"
	"kluis/internal/store"
)

// mayProduceRecordCard reports whether a role answers access requests: the
// privacy officer, who reads everything of a candidate.
func mayProduceRecordCard(r kluis.Role) bool { return r == kluis.RolePrivacy }

// allPages reads every page of a list.
func allPages[T any](list func(p kluis.Page) ([]T, int, error)) ([]T, error) {
	var out []T
	for off := 0; ; off += kluis.MaxPageSize {
		items, total, err := list(kluis.Page{Limit: kluis.MaxPageSize, Offset: off})
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if off+kluis.MaxPageSize >= total || len(items) == 0 {
			return out, nil
		}
	}
}

// recordCard gathers everything kluis keeps about a candidate, all of it
// read from one snapshot of the database: the card shows one state, and
// its twenty-odd reads share one read transaction.
func (s *Server) recordCard(r *http.Request, id kluis.ID) (*report.RecordCard, error) {
	a := actorFrom(r.Context())
	// The candidate in the portal gets their own (portal_data.go
	// passes it through their projection).
	own := a.Role == kluis.RoleCandidate && portalSessionFrom(r.Context()) != nil && portalSessionFrom(r.Context()).CandidateID == id
	if !mayProduceRecordCard(a.Role) && !own {
		return nil, errNoAccess
	}
	var rc *report.RecordCard
	err := s.db.Snapshot(r.Context(), a, func(ctx context.Context) error {
		var err error
		rc, err = s.gatherRecordCard(r.WithContext(ctx), id)
		return err
	})
	return rc, err
}

func (s *Server) gatherRecordCard(r *http.Request, id kluis.ID) (*report.RecordCard, error) {
	ctx, a := r.Context(), actorFrom(r.Context())
	c, err := s.db.Candidate(ctx, a, id)
	if err != nil {
		return nil, err
	}
	ctl, err := s.controller(r)
	if err != nil {
		return nil, err
	}
	rc := &report.RecordCard{Controller: ctl, Generated: s.clock.Now().UTC().Truncate(1e9), Candidate: c}
	// A candidate's history can run to thousands of moments: one query,
	// not pages that each sort and skip the ones before.
	if rc.Moments, err = s.db.AllContactMoments(ctx, a, id); err != nil {
		return nil, err
	}
	if rc.Documents, err = allPages(func(p kluis.Page) ([]kluis.Document, int, error) {
		return s.db.ListDocuments(ctx, a, store.DocumentFilter{CandidateID: id, Page: p})
	}); err != nil {
		return nil, err
	}
	pls, err := allPages(func(p kluis.Page) ([]kluis.Placement, int, error) {
		return s.db.ListPlacements(ctx, a, store.PlacementFilter{CandidateID: id, Page: p})
	})
	if err != nil {
		return nil, err
	}
	names := map[kluis.ID]string{}
	for _, p := range pls {
		if _, ok := names[p.ClientID]; !ok {
			cl, err := s.db.Client(ctx, a, p.ClientID)
			if err != nil {
				return nil, err
			}
			names[p.ClientID] = cl.Name
		}
		rc.Placements = append(rc.Placements, report.Placement{Placement: p, ClientName: names[p.ClientID]})
	}
	if rc.Payroll, err = allPages(func(p kluis.Page) ([]kluis.PayrollRecord, int, error) {
		return s.db.ListPayrollRecords(ctx, a, store.PayrollFilter{CandidateID: id, Page: p})
	}); err != nil {
		return nil, err
	}
	if rc.Disclosures, err = allPages(func(p kluis.Page) ([]kluis.Disclosure, int, error) {
		return s.db.ListDisclosures(ctx, a, store.DisclosureFilter{CandidateID: id, Page: p})
	}); err != nil {
		return nil, err
	}
	if rc.Consents, err = allPages(func(p kluis.Page) ([]kluis.Consent, int, error) {
		return s.db.ListConsents(ctx, a, id, p)
	}); err != nil {
		return nil, err
	}
	if rc.Holds, err = allPages(func(p kluis.Page) ([]kluis.LegalHold, int, error) {
		return s.db.ListLegalHolds(ctx, a, id, p)
	}); err != nil {
		return nil, err
	}
	if rc.Requests, err = allPages(func(p kluis.Page) ([]kluis.Request, int, error) {
		return s.db.Requests(ctx, a, store.RequestFilter{CandidateID: id, Page: p})
	}); err != nil {
		return nil, err
	}
	if rc.Retention, _, err = s.retentionPlan(ctx, id); err != nil {
		return nil, err
	}
	if err := s.recordCardRights(r, rc); err != nil {
		return nil, err
	}
	return rc, nil
}

// recordCardFile sends a candidate's record card as a PDF (lang of the
// viewer, or ?lang=), as JSON or as a ZIP of CSV files, and logs that it was made.
func (s *Server) recordCardFile(format string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "candidate")
		if err != nil {
			return err
		}
		rc, err := s.recordCard(r, id)
		if err != nil {
			return err
		}
		return s.sendRecordCard(w, r, rc, format)
	}
}

func (s *Server) sendRecordCard(w http.ResponseWriter, r *http.Request, rc *report.RecordCard, format string) error {
	l := s.baseFor(r, "", "").Lang
	if q := r.URL.Query().Get("lang"); q == "en" || q == "nl" {
		l = q
	}
	var buf bytes.Buffer
	name := "stamkaart-" + strconv.FormatInt(rc.Candidate.ID, 10)
	switch format {
	case "pdf":
		if err := rc.PDF(&buf, l, s.catalog, amsterdam); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/pdf")
		name += ".pdf"
	case "csv":
		if err := rc.CSV(&buf); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/zip")
		name += "-csv.zip"
	default:
		// "json", a file for people, indented; "api-json" compact, as
		// the API answers everywhere else.
		write := rc.JSON
		if format == "api-json" {
			write = rc.CompactJSON
		}
		if err := write(&buf); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/json")
		name += ".json"
	}
	s.logAccess(r.Context(), "download", "candidates", rc.Candidate.ID, rc.Candidate.ID, []string{"record-card"}, "")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, err := w.Write(buf.Bytes())
	return err
}

// apiRecordCard is GET /api/v1/candidates/{id}/record-card: JSON, the
// PDF with ?format=pdf, or a ZIP of CSV files with ?format=csv.
func (s *Server) apiRecordCard(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "candidate")
	if err != nil {
		return err
	}
	q := newQuery(r)
	format := q.choice("format", kluis.Choices{{Value: "json"}, {Value: "pdf"}, {Value: "csv"}})
	if err := q.err(); err != nil {
		return err
	}
	rc, err := s.recordCard(r, id)
	if err != nil {
		return err
	}
	if format != "pdf" && format != "csv" {
		format = "api-json"
	}
	return s.sendRecordCard(w, r, rc, format)
}
