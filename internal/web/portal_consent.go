package web

import (
	"errors"
	"net/http"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// The candidate's answer to a request for consent to keep their data
// longer: the page behind the personal link in the e-mail. It needs no
// log-in — the link is the key, random and used once — and shows nothing
// personal: the agency's name and the day the data would go.

func (s *Server) portalRoutes() []route {
	return []route{
		{"GET", store.ConsentPortalPath + "{token}", page, s.consentLinkPage},
		{"POST", store.ConsentPortalPath + "{token}", page, s.consentLinkAnswer},
	}
}

type consentLinkView struct {
	Base
	Token   string
	Link    *store.ConsentLink
	Message string // an error in the page's language
	Done    string // "agreed" or "declined" after the answer
}

func (s *Server) consentLinkPage(w http.ResponseWriter, r *http.Request) error {
	v := consentLinkView{Base: s.baseFor(r, "", "portal.consent.title"), Token: r.PathValue("token")}
	link, err := s.db.ConsentLinkInfo(r.Context(), v.Token)
	if err != nil {
		return s.consentLinkError(w, r, v, err)
	}
	v.Link = link
	return s.render(w, r, http.StatusOK, "portal_consent", "", v)
}

func (s *Server) consentLinkAnswer(w http.ResponseWriter, r *http.Request) error {
	v := consentLinkView{Base: s.baseFor(r, "", "portal.consent.title"), Token: r.PathValue("token")}
	if err := r.ParseForm(); err != nil {
		return s.consentLinkError(w, r, v, kluis.Errorf(kluis.EInvalid, "Het formulier kon niet worden gelezen.", "The form could not be read."))
	}
	var agree bool
	switch r.PostForm.Get("answer") {
	case "yes":
		agree = true
	case "no":
	default:
		link, err := s.db.ConsentLinkInfo(r.Context(), v.Token)
		if err != nil {
			return s.consentLinkError(w, r, v, err)
		}
		v.Link, v.Message = link, text(v.Lang, "portal.consent.choose")
		return s.render(w, r, http.StatusUnprocessableEntity, "portal_consent", "", v)
	}
	req, err := s.db.AnswerConsentRequest(r.Context(), v.Token, agree)
	if err != nil {
		return s.consentLinkError(w, r, v, err)
	}
	v.Done = req.Answer
	s.log.InfoContext(r.Context(), "consent request answered", "tenant", req.TenantID, "candidate", req.CandidateID, "answer", req.Answer)
	return s.render(w, r, http.StatusOK, "portal_consent", "", v)
}

// consentLinkError shows why a link does not work (unknown, replaced,
// expired, answered) on the page itself.
func (s *Server) consentLinkError(w http.ResponseWriter, r *http.Request, v consentLinkView, err error) error {
	var e *kluis.Error
	if !errors.As(err, &e) || e.Code == kluis.EInternal {
		return err
	}
	code, ok := status[e.Code]
	if !ok {
		code = http.StatusBadRequest
	}
	v.Message = e.Message.In(v.Lang)
	return s.render(w, r, code, "portal_consent", "", v)
}
