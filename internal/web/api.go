package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"kluis/internal/access"
	"kluis/internal/kluis"
)

// maxJSONBody bounds a JSON request; records are small.
const maxJSONBody = 1 << 20

var (
	errBodyTooLarge = &kluis.Error{Code: kluis.ETooLarge, Message: kluis.Msg{
		NL: "Het verzoek is te groot.", EN: "The request is too large."}}
	errNotJSON = &kluis.Error{Code: kluis.EUnsupported, Message: kluis.Msg{
		NL: "Stuur JSON (Content-Type: application/json).", EN: "Send JSON (Content-Type: application/json)."}}
)

func badJSON(nl, en string) error {
	return kluis.Errorf(kluis.EInvalid, "Ongeldige JSON: "+nl, "Invalid JSON: "+en)
}

// readJSON reads the whole body of a JSON request, bounded in size.
func readJSON(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return nil, errNotJSON
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, errBodyTooLarge
	}
	if err != nil {
		return nil, badJSON("het verzoek kon niet worden gelezen.", "the request could not be read.")
	}
	return body, nil
}

// decodeInto decodes body onto dst, refusing unknown fields and trailing
// data, and names the field of a type mismatch.
func decodeInto(body []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te) && te.Field != "":
			p := kluis.Problems{}
			p.Add(te.Field, "Verkeerd soort waarde (verwacht: "+te.Type.String()+").", "Wrong kind of value (expected: "+te.Type.String()+").")
			return p.Err()
		case errors.As(err, &se):
			return badJSON("fout bij teken "+strconv.FormatInt(se.Offset, 10)+".", "error at character "+strconv.FormatInt(se.Offset, 10)+".")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			p := kluis.Problems{}
			p.Add(field, "Onbekend veld.", "Unknown field.")
			return p.Err()
		case errors.Is(err, io.EOF):
			return badJSON("het verzoek is leeg.", "the request is empty.")
		default:
			return badJSON("de waarden passen niet bij dit soort gegevens.", "the values do not fit this kind of record.")
		}
	}
	// dec.More is false before a stray '}' or ']', so it cannot tell
	// "{}}" from "{}": only the end of the input may follow.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badJSON("er staat meer dan één object in het verzoek.", "the request holds more than one object.")
	}
	return nil
}

// decodeJSON reads a JSON request into dst.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	body, err := readJSON(w, r)
	if err != nil {
		return err
	}
	return decodeInto(body, dst)
}

// decodePatch applies a partial update (JSON merge of top-level fields) to
// cur and returns the version the client based its edit on and the fields
// it changes. The version is
// required, in the body or as If-Match, so that no edit silently overwrites
// another.
func decodePatch(w http.ResponseWriter, r *http.Request, cur any) (int64, []string, error) {
	body, err := readJSON(w, r)
	if err != nil {
		return 0, nil, err
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(body, &probe); err != nil {
		// decodeInto names what is wrong; an edit that is not one object
		// is never applied, as it would carry neither a version nor the
		// list of fields whose permission must be checked.
		if err := decodeInto(body, cur); err != nil {
			return 0, nil, err
		}
		return 0, nil, badJSON("stuur één JSON-object.", "send one JSON object.")
	}
	var version int64
	if raw, ok := probe["version"]; ok {
		if err := json.Unmarshal(raw, &version); err != nil || version < 1 {
			p := kluis.Problems{}
			p.Add("version", "Geef het versienummer als positief geheel getal.", "Give the version as a positive whole number.")
			return 0, nil, p.Err()
		}
	} else if m := strings.Trim(r.Header.Get("If-Match"), `"W/`); m != "" {
		version, err = strconv.ParseInt(m, 10, 64)
		if err != nil || version < 1 {
			return 0, nil, kluis.Errorf(kluis.EInvalid, "If-Match moet het versienummer zijn.", "If-Match must be the version number.")
		}
	} else {
		p := kluis.Problems{}
		p.Add("version", "Geef de versie mee waarop de wijziging is gebaseerd.", "Give the version the change is based on.")
		return 0, nil, p.Err()
	}
	for _, ro := range []string{"id", "created_at", "updated_at"} {
		delete(probe, ro)
	}
	delete(probe, "version")
	clean, _ := json.Marshal(probe)
	if err := decodeInto(clean, cur); err != nil {
		return 0, nil, err
	}
	changed := make([]string, 0, len(probe))
	for k := range probe {
		changed = append(changed, k)
	}
	return version, changed, nil
}

// pathID reads a record id from the URL path; a malformed id is simply a
// record that does not exist.
func pathID(r *http.Request, kind string) (kluis.ID, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, kluis.NotFound(kind)
	}
	return id, nil
}

// query reads filter parameters and collects their problems.
type query struct {
	v url.Values
	p kluis.Problems
}

func newQuery(r *http.Request) *query { return &query{v: r.URL.Query(), p: kluis.Problems{}} }

func (q *query) str(name string) string { return strings.TrimSpace(q.v.Get(name)) }

func (q *query) id(name string) kluis.ID {
	s := q.str(name)
	if s == "" {
		return 0
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		q.p.Add(name, "Geef een id (een positief geheel getal).", "Give an id (a positive whole number).")
	}
	return id
}

func (q *query) int(name string, min, max int) int {
	s := q.str(name)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		q.p.Add(name, "Geef een geheel getal van "+strconv.Itoa(min)+" tot en met "+strconv.Itoa(max)+".",
			"Give a whole number from "+strconv.Itoa(min)+" to "+strconv.Itoa(max)+".")
	}
	return n
}

func (q *query) date(name string) kluis.Date {
	d, ok := kluis.ParseDate(q.str(name))
	if !ok {
		q.p.Add(name, "Geen geldige datum; gebruik jjjj-mm-dd.", "Not a valid date; use yyyy-mm-dd.")
	}
	return d
}

func (q *query) choice(name string, cs kluis.Choices) string {
	s := q.str(name)
	if s != "" && !cs.Has(s) {
		q.p.Add(name, "Kies een van: "+strings.Join(cs.Values(), ", ")+".", "Choose one of: "+strings.Join(cs.Values(), ", ")+".")
	}
	return s
}

func (q *query) page() kluis.Page {
	return kluis.Page{Limit: q.int("limit", 1, kluis.MaxPageSize), Offset: q.int("offset", 0, 1<<30)}.Normalize()
}

func (q *query) err() error { return q.p.Err() }

// listBody is the envelope of every list response.
type listBody[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

// searchBody is the envelope of a candidate search, whose count stops at
// searchCountUpTo: More says that there are more matches than Total.
type searchBody[T any] struct {
	Items  []T  `json:"items"`
	Total  int  `json:"total"`
	More   bool `json:"more,omitempty"`
	Limit  int  `json:"limit"`
	Offset int  `json:"offset"`
}

// searchCountUpTo is where a candidate search stops counting its matches.
const searchCountUpTo = 10_000

// capped turns the total of a search counted up to searchCountUpTo into
// the total shown and whether there are more.
func capped(total int) (int, bool) {
	if total > searchCountUpTo {
		return searchCountUpTo, true
	}
	return total, false
}

// writeProjected answers with a page of records of table, each as the
// actor may see it; a role that may see none of the table's personal
// fields gets 403.
func writeProjected[T any](s *Server, w http.ResponseWriter, r *http.Request, table string, items []T, total int, page kluis.Page) error {
	views, err := projectList(s, r, table, items)
	if err != nil {
		return err
	}
	return writeList(w, views, total, page)
}

// writeSearch answers a candidate search: a projected page whose count may
// have stopped early (more).
func writeSearch(s *Server, w http.ResponseWriter, r *http.Request, items []kluis.Candidate, total int, more bool, page kluis.Page) error {
	views, err := projectList(s, r, "candidates", items)
	if err != nil {
		return err
	}
	if views == nil {
		views = []access.View{}
	}
	writeJSON(w, http.StatusOK, searchBody[access.View]{Items: views, Total: total, More: more, Limit: page.Limit, Offset: page.Offset})
	return nil
}

// projectList projects a page of records of table as the actor may see
// them; a role that may see none of the table's personal fields gets 403.
func projectList[T any](s *Server, r *http.Request, table string, items []T) ([]access.View, error) {
	role := actorFrom(r.Context()).Role
	if !s.projector(r.Context()).CanSee(role, table) {
		return nil, errNoAccess
	}
	return access.ProjectAll(s.projector(r.Context()), role, table, items)
}

func writeList[T any](w http.ResponseWriter, items []T, total int, page kluis.Page) error {
	if items == nil {
		items = []T{}
	}
	writeJSON(w, http.StatusOK, listBody[T]{Items: items, Total: total, Limit: page.Limit, Offset: page.Offset})
	return nil
}

// writeRecord answers with one record and its version as ETag.
func writeRecord(w http.ResponseWriter, code int, v any, version int64) error {
	if version > 0 {
		w.Header().Set("ETag", `"`+strconv.FormatInt(version, 10)+`"`)
	}
	writeJSON(w, code, v)
	return nil
}

// deleteVersion reads the optional ?version= of a delete.
func deleteVersion(r *http.Request) (int64, error) {
	q := newQuery(r)
	v := int64(q.int("version", 1, 1<<62))
	return v, q.err()
}
