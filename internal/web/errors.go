package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// status is the one mapping from domain error codes to HTTP statuses.
var status = map[kluis.Code]int{
	kluis.EInvalid:      http.StatusBadRequest,
	kluis.ENotFound:     http.StatusNotFound,
	kluis.EConflict:     http.StatusConflict,
	kluis.EUnauthorized: http.StatusUnauthorized,
	kluis.EForbidden:    http.StatusForbidden,
	kluis.ETooLarge:     http.StatusRequestEntityTooLarge,
	kluis.EUnsupported:  http.StatusUnsupportedMediaType,
	kluis.EInternal:     http.StatusInternalServerError,
}

var internalMsg = kluis.Msg{
	NL: "Er ging iets mis aan onze kant. Noem dit nummer als u contact opneemt:",
	EN: "Something went wrong on our side. Quote this number if you get in touch:",
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      kluis.Code        `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id"`
}

// lang picks Dutch unless the client prefers English.
func lang(r *http.Request) string {
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "nl"):
			return "nl"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "nl"
}

// writeError answers with the error's status and a message that is safe to
// show. Internal errors are logged with the request id; users see only that
// id, never the error text.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	err = store.Classify(err)
	var e *kluis.Error
	if !errors.As(err, &e) {
		e = &kluis.Error{Code: kluis.EInternal, Err: err}
	}
	code, ok := status[e.Code]
	if !ok {
		code = http.StatusInternalServerError
	}
	id := requestID(r.Context())
	l := lang(r)
	d := errorDetail{Code: e.Code, Message: e.Message.In(l), RequestID: id}
	if code >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "request_id", id, "err", err)
		d.Message = internalMsg.In(l) + " " + id
	}
	if len(e.Fields) > 0 {
		d.Fields = make(map[string]string, len(e.Fields))
		for f, m := range e.Fields {
			d.Fields[f] = m.In(l)
		}
	}
	writeJSON(w, code, errorBody{Error: d})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}
