package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"kluis/internal/kluis"
)

// Form is what an HTML form shows: the values as the user typed them (so
// that nothing typed is lost when a save is refused) and the error of each
// field, in the user's language.
type Form struct {
	Lang   string
	Values map[string]string
	Errors map[string]string
	// Stale is set when the record changed since the form was loaded.
	Stale bool
	// Locked are fields the user may not change, with what they may see
	// of them (masked, or "—"): shown as text, never as an input.
	Locked map[string]string
	// Off are fields the agency does not collect: not shown at all.
	Off map[string]bool
}

func newForm(lang string) *Form {
	return &Form{Lang: lang, Values: map[string]string{}, Errors: map[string]string{}}
}

// formFrom copies the posted values of the named fields.
func formFrom(r *http.Request, lang string, names ...string) *Form {
	f := newForm(lang)
	for _, n := range names {
		f.Values[n] = strings.TrimSpace(r.PostForm.Get(n))
	}
	return f
}

// Fail records err on the form: field errors next to their fields; other
// domain errors are returned, for the error page.
func (f *Form) Fail(err error) error {
	var e *kluis.Error
	if !errors.As(err, &e) {
		return err
	}
	switch {
	case e.Code == kluis.EConflict && len(e.Fields) == 0:
		f.Stale = true
		return nil
	case len(e.Fields) > 0:
		for k, m := range e.Fields {
			f.Errors[k] = m.In(f.Lang)
		}
		return nil
	}
	return err
}

// HasErrors reports whether any field has an error.
func (f *Form) HasErrors() bool { return len(f.Errors) > 0 }

// Int64 reads a field as a whole number; a malformed one becomes a field
// error and 0.
func (f *Form) Int64(name string) int64 {
	v := f.Values[name]
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		f.Errors[name] = text(f.Lang, "form.number")
	}
	return n
}

// Cents reads an amount in euros as typed in the Netherlands ("15,50",
// "1.234,56", "15.50") as cents.
func (f *Form) Cents(name string) int64 {
	v := strings.ReplaceAll(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(f.Values[name]), "€")), " ", "")
	if v == "" {
		return 0
	}
	// With a comma, dots before it group thousands ("1.234,56"); without
	// one, a dot is the decimal point.
	whole, frac, comma := strings.Cut(v, ",")
	if comma {
		whole = strings.ReplaceAll(whole, ".", "")
	} else {
		whole, frac, _ = strings.Cut(v, ".")
	}
	// Digits only on both sides: ParseInt would take a sign ("15,-5" would
	// be 15 euros minus 5 cents).
	if len(frac) > 2 || whole == "" || !allDigits(whole) || !allDigits(frac) {
		f.Errors[name] = text(f.Lang, "form.money")
		return 0
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, err1 := strconv.ParseInt(whole, 10, 64)
	c, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || w < 0 || w > 1e9 {
		f.Errors[name] = text(f.Lang, "form.money")
		return 0
	}
	return w*100 + c
}

// allDigits reports whether s holds ASCII digits only ("" does).
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Field is one input of a form, ready for the "field" template.
type Field struct {
	Lang     string
	Name     string
	Label    string
	Type     string // text, email, tel, date, number, textarea, select, password, file
	Value    string
	Error    string
	Help     string
	Required bool
	Options  []Option
	Attrs    string // autocomplete token
}

// Option is one choice of a select.
type Option struct {
	Value, Label string
	Selected     bool
}

// Input builds a field of the form: name, label key, type and whether it is required.
func (f *Form) Input(name, labelKey, typ string, required bool) Field {
	if f.Off[name] {
		return Field{Lang: f.Lang, Name: name, Type: "off"}
	}
	if shown, ok := f.Locked[name]; ok {
		if shown == "" {
			shown = "—"
		}
		return Field{Lang: f.Lang, Name: name, Label: text(f.Lang, labelKey), Type: "locked", Value: shown, Error: f.Errors[name]}
	}
	return Field{Lang: f.Lang, Name: name, Label: text(f.Lang, labelKey), Type: typ, Value: f.Values[name], Error: f.Errors[name], Required: required}
}

// Select builds a select from a closed list.
func (f *Form) Select(name, labelKey string, cs kluis.Choices, required bool) Field {
	fl := f.Input(name, labelKey, "select", required)
	if fl.Type == "off" {
		return fl
	}
	if fl.Type == "locked" {
		fl.Value = cs.Label(f.Locked[name], f.Lang)
		return fl
	}
	for _, c := range cs {
		fl.Options = append(fl.Options, Option{Value: c.Value, Label: c.Label.In(f.Lang), Selected: c.Value == fl.Value})
	}
	return fl
}

// SelectOf builds a select from options made by the handler (branches, clients).
func (f *Form) SelectOf(name, labelKey string, opts []Option, required bool) Field {
	fl := f.Input(name, labelKey, "select", required)
	for _, o := range opts {
		o.Selected = o.Value == fl.Value
		fl.Options = append(fl.Options, o)
	}
	return fl
}

// WithHelp adds a help text under a field.
func (fl Field) WithHelp(lang, key string) Field { fl.Help = text(lang, key); return fl }

// Auto sets the autocomplete token of a field.
func (fl Field) Auto(token string) Field { fl.Attrs = token; return fl }

func branchOptions(bs []kluis.Branch) []Option {
	out := make([]Option, len(bs))
	for i, b := range bs {
		out[i] = Option{Value: strconv.FormatInt(b.ID, 10), Label: b.Name}
	}
	return out
}

// maxFormBody bounds a posted form beyond its files' limit: the fields of
// the largest form (the privacy statement's text) fit many times.
const maxFormBody = 1 << 20

// parseForm reads a posted form (urlencoded, or multipart within limit).
// The whole body is bounded: without it the files of a multipart post to
// any form would spill to temporary files without end.
func parseForm(r *http.Request, limit int64) error {
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBody+limit)
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		err = r.ParseMultipartForm(limit) // #nosec G120 -- the body is bounded by http.MaxBytesReader above
	} else {
		err = r.ParseForm()
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return errBodyTooLarge
	}
	if err != nil {
		return kluis.Errorf(kluis.EInvalid, "Het formulier kon niet worden gelezen.", "The form could not be read.")
	}
	return nil
}

func formatID(id kluis.ID) string { return strconv.FormatInt(id, 10) }
