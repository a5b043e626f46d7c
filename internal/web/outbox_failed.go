package web

import (
	"net/http"
	"time"

	"kluis/internal/access"
	"kluis/internal/kluis"
)

// The e-mail the outbox gave up on, for the privacy officer: a page and
// the API. What is shown is what remains of a failed message — its id,
// kind, candidate, Message-ID, attempts, time and the error class with the
// SMTP code — through the catalogue's projection; the address, subject
// and text were emptied when it failed. A failed privacy statement also
// shows as "not delivered" in the candidate's history, and the candidate
// is back among those not informed.

func (s *Server) failedMailRoutes() []route {
	return []route{
		{"GET", "/outbox/failed", session, s.failedMailPage},
	}
}

func (s *Server) failedMailAPIRoutes() []route {
	return []route{
		{"GET", "/api/v1/outbox/failed", token, s.apiFailedMail},
	}
}

// maySeeFailedMail: the privacy officer answers for what kluis sends.
func maySeeFailedMail(r kluis.Role) bool { return r == kluis.RolePrivacy }

// failedMail is one failed message as the API and the page show it; its
// JSON names are the outbox's columns, as the projection reads them.
type failedMail struct {
	ID          kluis.ID  `json:"id"`
	CandidateID kluis.ID  `json:"candidate_id,omitempty"`
	Kind        string    `json:"kind"`
	MessageID   string    `json:"message_id"`
	Attempts    int       `json:"attempts"`
	LastError   string    `json:"last_error"`
	CreatedAt   time.Time `json:"created_at"`
}

// failedMailList reads one page of failed messages, projected for the
// actor.
func (s *Server) failedMailList(r *http.Request, page kluis.Page) ([]access.View, int, error) {
	ctx, a := r.Context(), actorFrom(r.Context())
	if !maySeeFailedMail(a.Role) {
		return nil, 0, errNoAccess
	}
	msgs, total, err := s.db.FailedMail(ctx, a, page)
	if err != nil {
		return nil, 0, err
	}
	items := make([]failedMail, len(msgs))
	for i, m := range msgs {
		items[i] = failedMail{ID: m.ID, CandidateID: m.CandidateID, Kind: m.Kind, MessageID: m.MessageID, Attempts: m.Attempts,
			LastError: m.LastError, CreatedAt: m.CreatedAt}
	}
	views, err := access.ProjectAll(s.projector(ctx), a.Role, "outbox", items)
	return views, total, err
}

// apiFailedMail is GET /api/v1/outbox/failed.
func (s *Server) apiFailedMail(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	page := q.page()
	if err := q.err(); err != nil {
		return err
	}
	views, total, err := s.failedMailList(r, page)
	if err != nil {
		return err
	}
	return writeList(w, views, total, page.Normalize())
}

// failedMailPageSize is how many failed messages the page shows at a time.
const failedMailPageSize = 50

type failedMailView struct {
	Base
	Items      []failedMailRow
	Total      int
	Prev, Next int // offsets of the neighbouring pages; -1 when none
}

// failedMailRow is a projected failed message with the fields the page
// shows; a field the viewer may not see stays empty.
type failedMailRow struct {
	ID, CandidateID kluis.ID
	Kind, LastError string
	Attempts        int
	CreatedAt       time.Time
}

func (s *Server) failedMailPage(w http.ResponseWriter, r *http.Request) error {
	offset := queryOffset(r)
	views, total, err := s.failedMailList(r, kluis.Page{Limit: failedMailPageSize, Offset: offset})
	if err != nil {
		return err
	}
	v := failedMailView{Base: s.baseFor(r, "privacy-statement", "outbox.failed.title"), Total: total, Prev: -1, Next: -1}
	for _, m := range views {
		row := failedMailRow{}
		row.ID, _ = m["id"].(kluis.ID)
		row.CandidateID, _ = m["candidate_id"].(kluis.ID)
		row.Kind, _ = m["kind"].(string)
		row.LastError, _ = m["last_error"].(string)
		row.Attempts, _ = m["attempts"].(int)
		row.CreatedAt, _ = m["created_at"].(time.Time)
		v.Items = append(v.Items, row)
	}
	if offset > 0 {
		v.Prev = max(offset-failedMailPageSize, 0)
	}
	if offset+len(views) < total {
		v.Next = offset + len(views)
	}
	return s.render(w, r, http.StatusOK, "outbox_failed", "", v)
}
