package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// consentRequestsView is the list behind the dashboard's consent chart:
// the requests for consent to keep data longer, by candidate number.
type consentRequestsView struct {
	Base
	Form    *Form
	Items   []kluis.ConsentRequest
	Total   int
	Offset  int
	Next    string // the address of the next page, "" on the last
	Answers []Option
}

const consentRequestsPageSize = 50

// consentRequestsLink is the list of a month's requests with an answer.
func consentRequestsLink(month, answer string) string {
	return "/consent-requests?" + url.Values{"month": {month}, "answer": {answer}}.Encode()
}

func (s *Server) consentRequestsPage(w http.ResponseWriter, r *http.Request) error {
	a := actorFrom(r.Context())
	if !mayViewDashboard(a.Role) {
		return errNoAccess
	}
	v := consentRequestsView{Base: s.baseFor(r, "dashboard", "consentlist.title")}
	v.Form = formFromQuery(r, v.Lang, "month", "answer", "offset")
	for _, ans := range []string{"agreed", "declined", "open"} {
		v.Answers = append(v.Answers, Option{Value: ans, Label: text(v.Lang, "dash.consent."+ans)})
	}
	f := store.ConsentRequestFilter{}
	if m := v.Form.Values["month"]; m != "" {
		t, err := time.Parse("2006-01", m)
		if err != nil {
			v.Form.Errors["month"] = text(v.Lang, "consentlist.badmonth")
		} else {
			f.SentFrom, f.SentBefore = kluis.DateOf(t), kluis.DateOf(t.AddDate(0, 1, 0))
		}
	}
	switch ans := v.Form.Values["answer"]; ans {
	case "", "agreed", "declined", "open":
		f.Answer = ans
	default:
		v.Form.Errors["answer"] = text(v.Lang, "requests.badfilter")
	}
	if v.Form.HasErrors() {
		return s.render(w, r, http.StatusUnprocessableEntity, "consent_requests", "", v)
	}
	v.Offset = offsetOf(v.Form)
	f.Page = kluis.Page{Limit: consentRequestsPageSize, Offset: v.Offset}
	items, total, err := s.db.ListConsentRequests(r.Context(), a, f)
	if err != nil {
		return err
	}
	v.Items, v.Total = items, total
	if v.Offset+consentRequestsPageSize < total {
		q := url.Values{"month": {v.Form.Values["month"]}, "answer": {v.Form.Values["answer"]}, "offset": {strconv.Itoa(v.Offset + consentRequestsPageSize)}}
		v.Next = "/consent-requests?" + q.Encode()
	}
	return s.render(w, r, http.StatusOK, "consent_requests", "", v)
}
