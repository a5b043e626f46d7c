package kluis

import (
	"errors"
	"sort"
	"strings"
)

// Code classifies an error for the one place that maps errors to HTTP
// statuses and to exit codes. Internals never reach users: they see the
// message of a coded error, or a generic message with a request id.
type Code string

const (
	EInvalid      Code = "invalid"      // user input failed validation; Fields says where
	ENotFound     Code = "not_found"    // no such record in the caller's tenant
	EConflict     Code = "conflict"     // stale version or a unique value taken
	EUnauthorized Code = "unauthorized" // no or bad credentials
	EForbidden    Code = "forbidden"    // authenticated, but not allowed
	ETooLarge     Code = "too_large"    // body or upload over its limit
	EUnsupported  Code = "unsupported"  // media type not accepted
	EInternal     Code = "internal"     // anything else; details only in the log
)

// Msg is a user-facing text in both languages kluis speaks.
type Msg struct {
	NL string `json:"nl"`
	EN string `json:"en"`
}

// In returns the text in lang ("en" gives English, anything else Dutch).
func (m Msg) In(lang string) string {
	if lang == "en" && m.EN != "" {
		return m.EN
	}
	return m.NL
}

// Error is the domain error. Message and Fields are safe to show to users:
// they never contain personal data, only what the user did wrong.
type Error struct {
	Code    Code
	Message Msg
	Fields  map[string]Msg
	Err     error // internal cause, logged, never shown
}

func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Message.EN
	if len(e.Fields) > 0 {
		names := make([]string, 0, len(e.Fields))
		for f := range e.Fields {
			names = append(names, f)
		}
		sort.Strings(names)
		s += " (fields: " + strings.Join(names, ", ") + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the code of err, EInternal for errors kluis did not classify.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// Errorf builds a coded error with a bilingual message.
func Errorf(code Code, nl, en string) *Error {
	return &Error{Code: code, Message: Msg{NL: nl, EN: en}}
}

// NotFound reports that a record of the given kind does not exist in the tenant.
func NotFound(kind string) *Error {
	return &Error{Code: ENotFound, Message: Msg{
		NL: "Niet gevonden: " + kindNL(kind) + ".",
		EN: "Not found: " + kind + ".",
	}}
}

// StaleVersion reports an edit based on an older version of a record.
func StaleVersion(kind string) *Error {
	return &Error{Code: EConflict, Message: Msg{
		NL: "Iemand anders heeft deze " + kindNL(kind) + " intussen gewijzigd. Laad de gegevens opnieuw en probeer het nog eens.",
		EN: "Someone else changed this " + kind + " in the meantime. Reload it and try again.",
	}}
}

func kindNL(kind string) string {
	if s, ok := kindsNL[kind]; ok {
		return s
	}
	return kind
}

var kindsNL = map[string]string{
	"candidate":      "kandidaat",
	"client":         "opdrachtgever",
	"client contact": "contactpersoon",
	"placement":      "plaatsing",
	"contact moment": "contactmoment",
	"document":       "document",
	"payroll record": "salarisregel",
	"disclosure":     "verstrekking",
	"branch":         "vestiging",
	"tenant":         "organisatie",
	"user":           "gebruiker",
	"token":          "token",
	"settings":       "instellingen",
	"legal hold":     "bewaarplicht",
	"consent":        "toestemming",
	"request":        "verzoek",
}

// Problems collects field errors while a record is validated, so that a
// user sees every mistake at once instead of one per attempt.
type Problems map[string]Msg

// Add records a problem with field unless one is already recorded.
func (p Problems) Add(field, nl, en string) {
	if _, ok := p[field]; !ok {
		p[field] = Msg{NL: nl, EN: en}
	}
}

// Err returns nil without problems, else an EInvalid error listing them.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Code: EInvalid, Fields: map[string]Msg(p), Message: Msg{
		NL: "Niet alle velden zijn goed ingevuld.",
		EN: "Some fields are not filled in correctly.",
	}}
}
