// Package access decides what a viewer sees of a record: the catalogue's
// access per role applied field by field (hidden, masked, read, write).
// Every read path that hands personal data out — API, staff UI, exports —
// passes its records through Project; every write path checks the fields
// it changes with CheckWrite.
package access

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
)

// Projector applies the catalogue.
type Projector struct {
	cat *catalog.Catalog
	// seen says, per table, which roles may see at least one of its
	// personal fields; tables without any are absent. Worked out once: it
	// is asked on every request.
	seen map[string]map[kluis.Role]bool
	// off are the optional candidate columns and kinds of file the agency
	// does not collect (data minimisation): hidden from every role.
	off     map[string]bool
	offKind map[string]bool
	// over is the agency's own access per field ("table.column") and role,
	// where it differs from the catalogue.
	over map[string]map[kluis.Role]catalog.Access
	// layouts are the record types' fields, shared by the projectors
	// derived from this one.
	layouts *layouts
}

// New returns a projector over the catalogue.
func New(cat *catalog.Catalog) *Projector {
	p := &Projector{cat: cat, layouts: &layouts{}}
	p.see()
	return p
}

// viewers are the roles a projection serves: the staff roles and the
// candidate in the portal.
var viewers = append(slices.Clone(kluis.Roles), kluis.RoleCandidate)

// see works out which roles may see something of each table.
func (p *Projector) see() {
	p.seen = map[string]map[kluis.Role]bool{}
	for _, f := range p.cat.Fields() {
		if p.seen[f.Table] == nil {
			p.seen[f.Table] = map[kluis.Role]bool{}
		}
		for _, r := range viewers {
			if p.accessOf(r, f) != catalog.Hidden {
				p.seen[f.Table][r] = true
			}
		}
	}
}

// accessOf is what role may do with f here: hidden when the agency does not
// collect it, the agency's own setting where it has one, else the
// catalogue's.
func (p *Projector) accessOf(role kluis.Role, f catalog.Field) catalog.Access {
	if p.isOff(f.Table, f.Column) {
		return catalog.Hidden
	}
	if a, ok := p.over[f.Table+"."+f.Column][role]; ok {
		return a
	}
	return f.AccessOf(role)
}

// ForAgency returns the projector of an agency: without the optional items
// it does not collect (see Without) and with its own field permissions
// ("table.column/role" → access level; unknown entries are ignored, the
// store validates them).
func (p *Projector) ForAgency(notCollected []string, fieldAccess map[string]string) *Projector {
	q := p.Without(notCollected)
	if len(fieldAccess) == 0 {
		return q
	}
	if q == p {
		cp := *p
		q = &cp
	}
	q.over = map[string]map[kluis.Role]catalog.Access{}
	for k, v := range fieldAccess {
		field, role, _ := strings.Cut(k, "/")
		a, ok := catalog.ParseAccess(v)
		if !ok {
			continue
		}
		if q.over[field] == nil {
			q.over[field] = map[kluis.Role]catalog.Access{}
		}
		q.over[field][kluis.Role(role)] = a
	}
	q.see()
	return q
}

// Without returns a projector for an agency that does not collect the
// optional items named (catalogue Collectable keys): their columns are
// hidden from every role and documents of their kinds are not shown.
// Writing them is not refused here but by the store, which can tell a value
// held from before (kept until it is removed) from a new one.
func (p *Projector) Without(keys []string) *Projector {
	if len(keys) == 0 {
		return p
	}
	q := *p
	q.off, q.offKind = map[string]bool{}, map[string]bool{}
	for _, k := range keys {
		c, ok := p.cat.Collectable(k)
		switch {
		case !ok:
		case c.Column != "":
			q.off["candidates."+c.Column] = true
		default:
			q.offKind[c.BlobKind] = true
		}
	}
	q.see()
	return &q
}

func (p *Projector) isOff(table, column string) bool { return p.off[table+"."+column] }

// View is a record as one viewer may see it: JSON field name to value.
// Hidden fields are absent, masked ones hold their mask. Values are the
// record's own Go values (an ID is an int64, a time a time.Time), so a View
// written out as JSON reads exactly as the record would.
type View map[string]any

// Project turns rec, a pointer to a record of table, into what role may
// see. Fields the catalogue declares non-personal pass; personal fields
// follow the role's access; a field the catalogue does not know is left
// out, so a new field is hidden until it is declared. The fields are those
// encoding/json would write, under the same names and omitempty rules.
func (p *Projector) Project(role kluis.Role, table string, rec any) (View, error) {
	v := reflect.ValueOf(rec)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return nil, fmt.Errorf("access: project %s: %T is no pointer to a record", table, rec)
	}
	l, err := p.layouts.of(p.cat, v.Type().Elem(), table)
	if err != nil {
		return nil, err
	}
	return p.project(role, table, l, v.Elem())
}

// ProjectAll projects a list of records.
func ProjectAll[T any](p *Projector, role kluis.Role, table string, recs []T) ([]View, error) {
	l, err := p.layouts.of(p.cat, reflect.TypeFor[T](), table)
	if err != nil {
		return nil, err
	}
	vs := reflect.ValueOf(recs)
	out := make([]View, len(recs))
	for i := range recs {
		v, err := p.project(role, table, l, vs.Index(i))
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (p *Projector) project(role kluis.Role, table string, l *layout, rec reflect.Value) (View, error) {
	out := make(View, len(l.fields))
	for i := range l.fields {
		f := &l.fields[i]
		v := rec.Field(f.index)
		if f.omitEmpty && isEmptyValue(v) {
			continue
		}
		if f.open {
			out[f.name] = v.Interface()
			continue
		}
		if !f.declared || p.isOff(table, f.name) {
			continue
		}
		switch p.accessOf(role, f.decl) {
		case catalog.Read, catalog.Write:
			out[f.name] = v.Interface()
		case catalog.Masked:
			m, ok, err := masked(f, v)
			if err != nil {
				return nil, fmt.Errorf("access: project %s.%s: %w", table, f.name, err)
			}
			if ok {
				out[f.name] = m
			}
		}
	}
	return out, nil
}

// masked is what a masked field shows, as the mask of its JSON value: a
// JSON string goes through the field's mask, null shows nothing (false),
// anything else (a number, even 0; a list) shows "•••".
func masked(f *field, v reflect.Value) (any, bool, error) {
	if f.plainString {
		if s := v.String(); utf8.ValidString(s) {
			return Mask(f.decl.Mask, s), true, nil
		}
	}
	// Rare (a time, a number, invalid UTF-8): ask encoding/json itself.
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return nil, false, err
	}
	var raw any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, false, err
	}
	switch raw := raw.(type) {
	case string:
		return Mask(f.decl.Mask, raw), true, nil
	case nil:
		return nil, false, nil
	}
	return "•••", true, nil
}

// layouts caches, per record type and table, the fields encoding/json
// would write and what the catalogue says of each: worked out once per
// type, as every read asks. Projectors derived from one share it.
type layouts struct{ m sync.Map } // layoutKey → *layout

type layoutKey struct {
	t     reflect.Type
	table string
}

// layout is a record type as the projection reads it.
type layout struct{ fields []field }

// field is one field encoding/json writes.
type field struct {
	name      string // the JSON name
	index     int
	omitEmpty bool
	// plainString: a string kind (kluis.Date too) without a marshaller of
	// its own, so its JSON value is the string itself.
	plainString bool
	// open: the id or a column the catalogue declares non-personal.
	open     bool
	declared bool          // a personal column the catalogue declares
	decl     catalog.Field // its declaration
}

func (c *layouts) of(cat *catalog.Catalog, t reflect.Type, table string) (*layout, error) {
	k := layoutKey{t, table}
	if l, ok := c.m.Load(k); ok {
		return l.(*layout), nil
	}
	l, err := newLayout(cat, t, table)
	if err != nil {
		return nil, err
	}
	got, _ := c.m.LoadOrStore(k, l) // two first readers build the same layout
	return got.(*layout), nil
}

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

// newLayout reads t's fields as encoding/json does for the tags kluis
// uses: `json:"name"`, `json:"name,omitempty"`, `json:"-"`; an untagged
// field goes by its Go name, an unexported one is left out. What it does
// not mirror — embedded fields, the string and omitzero options, two
// fields of one name, a marshaller on the pointer only — it refuses rather
// than project differently.
func newLayout(cat *catalog.Catalog, t reflect.Type, table string) (*layout, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("access: project %s: %s is no record", table, t)
	}
	l := &layout{}
	seen := map[string]bool{}
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			return nil, fmt.Errorf("access: project %s: %s embeds %s", table, t, sf.Type)
		}
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if !validTagName(name) {
			name = ""
		}
		if name == "" {
			name = sf.Name
		}
		f := field{name: name, index: i}
		for o := range strings.SplitSeq(opts, ",") {
			switch o {
			case "":
			case "omitempty":
				f.omitEmpty = true
			case "string", "omitzero":
				return nil, fmt.Errorf("access: project %s: %s.%s: json option %q is not supported", table, t, sf.Name, o)
			}
		}
		if seen[name] {
			return nil, fmt.Errorf("access: project %s: %s has two fields named %q", table, t, name)
		}
		seen[name] = true
		ft, pt := sf.Type, reflect.PointerTo(sf.Type)
		own := ft.Implements(jsonMarshaler) || ft.Implements(textMarshaler)
		if !own && (pt.Implements(jsonMarshaler) || pt.Implements(textMarshaler)) {
			return nil, fmt.Errorf("access: project %s: %s.%s marshals through its pointer only", table, t, sf.Name)
		}
		f.plainString = ft.Kind() == reflect.String && !own
		f.open = name == "id" || cat.IsNonPersonal(table, name)
		if !f.open {
			f.decl, f.declared = cat.Field(table, name)
		}
		l.fields = append(l.fields, f)
	}
	return l, nil
}

// validTagName is encoding/json's isValidTag: a name of other characters
// is ignored and the Go name used.
func validTagName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
			// Backslash and quote chars are reserved, but otherwise any
			// punctuation chars are allowed in a tag name.
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// isEmptyValue is encoding/json's test for omitempty.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64,
		reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// CanSee reports whether role may see any personal field of table; a role
// that may see none has no business with the table's records at all.
func (p *Projector) CanSee(role kluis.Role, table string) bool {
	roles, personal := p.seen[table]
	return !personal || roles[role] // a table without personal fields is open
}

// Access returns role's access to one field (Read for non-personal ones).
func (p *Projector) Access(role kluis.Role, table, column string) catalog.Access {
	if f, ok := p.cat.Field(table, column); ok {
		return p.accessOf(role, f)
	}
	if p.cat.IsNonPersonal(table, column) {
		return catalog.Write
	}
	return catalog.Hidden
}

// CanSeeBlob reports whether role may see documents of kind.
func (p *Projector) CanSeeBlob(role kluis.Role, kind string) bool {
	b, ok := p.cat.Blob(kind)
	return ok && !p.offKind[kind] && b.AccessOf(role) >= catalog.Read
}

// CanWriteBlob reports whether role may add or remove documents of kind.
func (p *Projector) CanWriteBlob(role kluis.Role, kind string) bool {
	b, ok := p.cat.Blob(kind)
	return ok && b.AccessOf(role) == catalog.Write
}

// CheckWrite refuses a change by role to any of the named fields of table
// that role may not write. changed are JSON/column names.
func (p *Projector) CheckWrite(role kluis.Role, table string, changed []string) error {
	pr := kluis.Problems{}
	sort.Strings(changed)
	for _, c := range changed {
		f, ok := p.cat.Field(table, c)
		if !ok || p.isOff(table, c) || p.accessOf(role, f) == catalog.Write {
			continue
		}
		pr.Add(c, "U mag dit gegeven niet wijzigen.", "You may not change this field.")
	}
	if len(pr) == 0 {
		return nil
	}
	err := pr.Err().(*kluis.Error)
	err.Code = kluis.EForbidden
	err.Message = kluis.Msg{NL: "U mag niet alle gegevens wijzigen die u stuurde.", EN: "You may not change all the fields you sent."}
	return err
}

// Mask shows a value through its mask.
func Mask(m catalog.Mask, s string) string {
	if s == "" {
		return ""
	}
	switch m {
	case catalog.LastThree:
		return keepLast(s, 3)
	case catalog.LastFour:
		return keepLast(s, 4)
	case catalog.MaskIBAN:
		return maskIBAN(s)
	case catalog.YearOnly:
		if len(s) >= 4 {
			return s[:4]
		}
	case catalog.MaskEmail:
		if at := strings.LastIndexByte(s, '@'); at > 0 {
			return s[:1] + "•••" + s[at:]
		}
	}
	return "•••"
}

func keepLast(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-n) + string(r[len(r)-n:])
}

// maskIBAN keeps the country and the last four characters, in groups of
// four as an IBAN is written: NL91ABNA0417164300 → NL** **** **** **43 00.
func maskIBAN(s string) string {
	r := []rune(s)
	if len(r) < 8 {
		return strings.Repeat("*", len(r))
	}
	for i := 2; i < len(r)-4; i++ {
		r[i] = '*'
	}
	var b strings.Builder
	for i, c := range r {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Shown names the personal fields of v, a record of table projected for
// role, that role sees in full: what an access log entry must name. Masked
// fields are not among them; they show nothing that identifies.
func (p *Projector) Shown(role kluis.Role, table string, v View) []string {
	var out []string
	for k := range v {
		if f, ok := p.cat.Field(table, k); ok && p.accessOf(role, f) >= catalog.Read {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Readable names the personal fields of table that role sees in full.
func (p *Projector) Readable(role kluis.Role, table string) []string {
	var out []string
	for _, f := range p.cat.Fields() {
		if f.Table == table && p.accessOf(role, f) >= catalog.Read {
			out = append(out, f.Column)
		}
	}
	return out
}

// CanReveal reports whether role, which sees the field masked, may ask to
// see it in full (with a reason, logged).
func (p *Projector) CanReveal(role kluis.Role, table, column string) bool {
	f, ok := p.cat.Field(table, column)
	return ok && p.accessOf(role, f) == catalog.Masked && slices.Contains(f.Reveal, role)
}
