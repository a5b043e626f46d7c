package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// The clean-up with proof: runs that erase what is due, in the background,
// and the erasure records they leave. All of it is the privacy officer's;
// a token needs candidates:read, or candidates:write to start a run.

// maxRunCandidates bounds a run of chosen candidates (a run of all that is
// due has no bound).
const maxRunCandidates = 1000

// previewReasons are the reasons a preview may be asked for: the end of
// a term, or a request to be forgotten (a re-erasure after a restored
// backup is kluis's own).
var previewReasons = kluis.Choices{kluis.ErasureReasons[0], kluis.ErasureReasons[1]}

// cleanupStart is the body of POST /api/v1/cleanup/runs: chosen
// candidates, or all that is due.
type cleanupStart struct {
	CandidateIDs []kluis.ID `json:"candidate_ids"`
	AllDue       bool       `json:"all_due"`
}

// erasurePreview is what erasing a candidate now would erase and keep.
type erasurePreview struct {
	CandidateID kluis.ID            `json:"candidate_id"`
	Reason      string              `json:"reason"`
	Due         bool                `json:"due"`      // something would be erased
	Complete    bool                `json:"complete"` // the candidate would go altogether
	Erased      []kluis.ErasedGroup `json:"erased"`
	Kept        []kluis.KeptGroup   `json:"kept"`
}

// checkCleanup checks what a run is to erase: the chosen candidates (each
// once, each of the agency and with something due) or, with all, every
// candidate with something due. It returns the candidates (nil for all)
// and how many there are.
func (s *Server) checkCleanup(ctx context.Context, ids []kluis.ID, all bool) ([]kluis.ID, int, error) {
	a := actorFrom(ctx)
	p := kluis.Problems{}
	switch {
	case all && len(ids) > 0:
		p.Add("candidate_ids", "Kies kandidaten of alles wat verlopen is, niet allebei.", "Choose candidates or all that is due, not both.")
	case !all && len(ids) == 0:
		p.Add("candidate_ids", "Kies ten minste één kandidaat, of alles wat verlopen is.", "Choose at least one candidate, or all that is due.")
	case len(ids) > maxRunCandidates:
		p.Add("candidate_ids", fmt.Sprintf("Ten hoogste %d kandidaten per keer; kies anders alles wat verlopen is.", maxRunCandidates),
			fmt.Sprintf("At most %d candidates at a time; else choose all that is due.", maxRunCandidates))
	}
	if err := p.Err(); err != nil {
		return nil, 0, err
	}
	if all {
		_, total, _, _, err := s.dueList(ctx, dueFilter{}, "nl", 0, 0)
		if err != nil {
			return nil, 0, err
		}
		if total == 0 {
			p.Add("all_due", "Er is nu niets over zijn bewaartermijn.", "Nothing is past its retention term now.")
			return nil, 0, p.Err()
		}
		return nil, total, nil
	}
	var out []kluis.ID
	var unknown, notDue []string
	seen := map[kluis.ID]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		prev, err := s.db.PreviewErasure(ctx, a, id, store.EraseOptions{Reason: "retention"})
		switch {
		case kluis.ErrorCode(err) == kluis.ENotFound:
			unknown = append(unknown, formatID(id))
		case err != nil:
			return nil, 0, err
		case prev == nil:
			notDue = append(notDue, formatID(id))
		default:
			out = append(out, id)
		}
	}
	if len(unknown) > 0 {
		p.Add("candidate_ids", "Deze kandidaten bestaan niet (meer): "+strings.Join(unknown, ", ")+".",
			"These candidates do not exist (any more): "+strings.Join(unknown, ", ")+".")
	}
	if len(notDue) > 0 {
		p.Add("candidate_ids", "Van deze kandidaten is nu niets over zijn termijn: "+strings.Join(notDue, ", ")+".",
			"Nothing of these candidates is past its term now: "+strings.Join(notDue, ", ")+".")
	}
	if err := p.Err(); err != nil {
		return nil, 0, err
	}
	return out, len(out), nil
}

// startCleanup checks and starts a run, and does its work in the
// background. The work outlives the request; a failure is logged by the
// run's id and the error's code only.
func (s *Server) startCleanup(ctx context.Context, ids []kluis.ID, all bool) (*store.CleanupRun, error) {
	ids, _, err := s.checkCleanup(ctx, ids, all)
	if err != nil {
		return nil, err
	}
	a := actorFrom(ctx)
	run, err := s.db.StartCleanupRun(ctx, a, ids, false)
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "clean-up started", "tenant", a.TenantID, "user", a.UserID, "run", run.ID, "total", run.Total)
	work := *run
	bg := context.WithoutCancel(ctx)
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		if err := s.cleaner.Run(bg, a, &work); err != nil {
			s.log.Error("clean-up run failed", "run", work.ID, "code", string(kluis.ErrorCode(err)))
		}
	}()
	return run, nil
}

// Wait waits for the clean-up runs started by this server to end: for
// tests, and for a shutdown that lets them finish.
func (s *Server) Wait() { s.background.Wait() }

// apiStartCleanup is POST /api/v1/cleanup/runs.
func (s *Server) apiStartCleanup(w http.ResponseWriter, r *http.Request) error {
	if !mayCleanUp(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	var in cleanupStart
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	run, err := s.startCleanup(r.Context(), in.CandidateIDs, in.AllDue)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/cleanup/runs/"+formatID(run.ID))
	writeJSON(w, http.StatusAccepted, run)
	return nil
}

// apiCleanupRuns is GET /api/v1/cleanup/runs.
func (s *Server) apiCleanupRuns(w http.ResponseWriter, r *http.Request) error {
	if !mayCleanUp(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	q := newQuery(r)
	page := q.page()
	if err := q.err(); err != nil {
		return err
	}
	runs, total, err := s.db.CleanupRuns(r.Context(), actorFrom(r.Context()), page)
	if err != nil {
		return err
	}
	return writeList(w, runs, total, page)
}

// apiCleanupRun is GET /api/v1/cleanup/runs/{id}.
func (s *Server) apiCleanupRun(w http.ResponseWriter, r *http.Request) error {
	if !mayCleanUp(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	id, err := pathID(r, "clean-up run")
	if err != nil {
		return err
	}
	run, err := s.db.CleanupRun(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, run)
	return nil
}

// apiErasurePreview is GET /api/v1/candidates/{id}/erasure-preview.
func (s *Server) apiErasurePreview(w http.ResponseWriter, r *http.Request) error {
	if !mayCleanUp(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	id, err := pathID(r, "candidate")
	if err != nil {
		return err
	}
	q := newQuery(r)
	reason := q.choice("reason", previewReasons)
	if err := q.err(); err != nil {
		return err
	}
	if reason == "" {
		reason = "retention"
	}
	out, err := s.preview(r.Context(), id, reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// preview works out an erasure preview.
func (s *Server) preview(ctx context.Context, id kluis.ID, reason string) (*erasurePreview, error) {
	e, err := s.db.PreviewErasure(ctx, actorFrom(ctx), id, store.EraseOptions{Reason: reason})
	if err != nil {
		return nil, err
	}
	out := &erasurePreview{CandidateID: id, Reason: reason, Erased: []kluis.ErasedGroup{}, Kept: []kluis.KeptGroup{}}
	if e != nil {
		out.Due, out.Complete = true, e.Complete
		out.Erased, out.Kept = append(out.Erased, e.Erased...), append(out.Kept, e.Kept...)
	}
	return out, nil
}

// apiErasures is GET /api/v1/erasures.
func (s *Server) apiErasures(w http.ResponseWriter, r *http.Request) error {
	if !mayCleanUp(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	q := newQuery(r)
	f := erasureFilter(q)
	f.Page = q.page()
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.db.Erasures(r.Context(), actorFrom(r.Context()), f)
	if err != nil {
		return err
	}
	for i := range items {
		withLists(&items[i])
	}
	return writeList(w, items, total, f.Page)
}

// apiErasure is GET /api/v1/erasures/{id}.
func (s *Server) apiErasure(w http.ResponseWriter, r *http.Request) error {
	if !mayCleanUp(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	id, err := pathID(r, "erasure")
	if err != nil {
		return err
	}
	e, err := s.db.ErasureRecord(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	withLists(e)
	writeJSON(w, http.StatusOK, e)
	return nil
}

// withLists makes the groups of a record lists in JSON, never null.
func withLists(e *kluis.Erasure) {
	if e.Erased == nil {
		e.Erased = []kluis.ErasedGroup{}
	}
	if e.Kept == nil {
		e.Kept = []kluis.KeptGroup{}
	}
	for i := range e.Erased {
		if e.Erased[i].Fields == nil {
			e.Erased[i].Fields = []string{}
		}
	}
	for i := range e.Kept {
		if e.Kept[i].Fields == nil {
			e.Kept[i].Fields = []string{}
		}
	}
}
