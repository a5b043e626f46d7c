package access

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
)

// projectViaJSON is the projection as it was before it read the struct
// itself: the record through encoding/json into a map. It is the reference
// Project must agree with, written out.
func (p *Projector) projectViaJSON(role kluis.Role, table string, rec any) (View, error) {
	b, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("access: project %s: %w", table, err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("access: project %s: %w", table, err)
	}
	out := View{}
	for k, v := range raw {
		if k == "id" || p.cat.IsNonPersonal(table, k) {
			out[k] = v
			continue
		}
		f, ok := p.cat.Field(table, k)
		if !ok || p.isOff(table, k) {
			continue
		}
		switch p.accessOf(role, f) {
		case catalog.Read, catalog.Write:
			out[k] = v
		case catalog.Masked:
			if s, ok := v.(string); ok {
				out[k] = Mask(f.Mask, s)
			} else if v != nil {
				out[k] = "•••"
			}
		}
	}
	return out, nil
}

// projectedTables are the records the API and the staff UI project (see
// internal/web/routes.go and api_holds.go), by table.
func projectedTables() map[string]func() any {
	return map[string]func() any{
		"candidates":      func() any { return &kluis.Candidate{} },
		"clients":         func() any { return &kluis.Client{} },
		"client_contacts": func() any { return &kluis.ClientContact{} },
		"placements":      func() any { return &kluis.Placement{} },
		"contact_moments": func() any { return &kluis.ContactMoment{} },
		"documents":       func() any { return &kluis.Document{} },
		"payroll_records": func() any { return &kluis.PayrollRecord{} },
		"disclosures":     func() any { return &kluis.Disclosure{} },
		"legal_holds":     func() any { return &kluis.LegalHold{} },
		"consents":        func() any { return &kluis.Consent{} },
	}
}

// fill gives every field of the record rec points to a value that is not
// zero, so that no field escapes the comparison; new fields are filled too.
func fill(t testing.TB, rec any) {
	v := reflect.ValueOf(rec).Elem()
	for i := range v.NumField() {
		f, sf := v.Field(i), v.Type().Field(i)
		switch {
		case f.Type() == reflect.TypeFor[kluis.Date]():
			f.SetString("1990-05-17")
		case f.Type() == reflect.TypeFor[time.Time]():
			f.Set(reflect.ValueOf(time.Date(2026, 11, 29, 13, 4, 5, 123456789, time.FixedZone("CET", 3600))))
		case f.Kind() == reflect.String:
			f.SetString(strings.ToLower(sf.Name) + "-Øresund@example.nl NL91ABNA0417164300")
		case f.Kind() == reflect.Int, f.Kind() == reflect.Int64:
			f.SetInt(int64(1<<52 + 1000*i + 7)) // as large as an ID gets
		case f.Type() == reflect.TypeFor[[]string]():
			f.Set(reflect.ValueOf([]string{"lasser", "heftruckchauffeur"}))
		default:
			t.Fatalf("%T.%s: fill does not know %s", rec, sf.Name, f.Type())
		}
	}
}

// projectors are the catalogue's and agencies' variants of it: one that
// collects nothing optional, and one that masks every personal field for
// every role (which masks numbers, times and lists too).
func projectors(cat *catalog.Catalog) map[string]*Projector {
	p := New(cat)
	var notCollected []string
	for _, c := range cat.Collectables() {
		notCollected = append(notCollected, c.Key)
	}
	maskAll := map[string]string{}
	for _, f := range cat.Fields() {
		for _, r := range kluis.Roles {
			maskAll[f.Table+"."+f.Column+"/"+string(r)] = "masked"
		}
	}
	return map[string]*Projector{
		"the catalogue":                    p,
		"an agency that collects nothing":  p.Without(notCollected),
		"an agency that masks every field": p.ForAgency(nil, maskAll),
	}
}

func TestTheProjectionWritesTheSameJSONAsTheJSONRoundTrip(t *testing.T) {
	cat := catalog.New()
	for pname, p := range projectors(cat) {
		for table, newRec := range projectedTables() {
			filled, zero := newRec(), newRec()
			fill(t, filled)
			for rname, rec := range map[string]any{"filled": filled, "zero": zero} {
				for _, role := range kluis.Roles {
					want, err := p.projectViaJSON(role, table, rec)
					if err != nil {
						t.Fatal(err)
					}
					got, err := p.Project(role, table, rec)
					if err != nil {
						t.Fatalf("%s, %s %s, %s: %v", pname, rname, table, role, err)
					}
					wb, _ := json.Marshal(want)
					gb, err := json.Marshal(got)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(gb, wb) {
						t.Errorf("%s, %s %s, %s:\n got %s\nwant %s", pname, rname, table, role, gb, wb)
					}
				}
			}
		}
	}
}

func TestProjectAllProjectsEachRecordAsProjectDoes(t *testing.T) {
	p := New(catalog.New())
	recs := []kluis.Candidate{{ID: 1, LastName: "Jansen", BSN: "111222333"}, {ID: 2, Email: "pia@example.nl"}}
	for _, role := range kluis.Roles {
		all, err := ProjectAll(p, role, "candidates", recs)
		if err != nil {
			t.Fatal(err)
		}
		for i := range recs {
			one, _ := p.Project(role, "candidates", &recs[i])
			if !reflect.DeepEqual(all[i], one) {
				t.Errorf("%s: record %d: %v, alone %v", role, i, all[i], one)
			}
		}
	}
}

func TestTheProjectionKeepsGoValues(t *testing.T) {
	p := New(catalog.New())
	at := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	v, err := p.Project(kluis.RoleRecruiter, "contact_moments", &kluis.ContactMoment{ID: 5, CandidateID: 7, At: at, Kind: "phone"})
	if err != nil {
		t.Fatal(err)
	}
	if v["candidate_id"] != int64(7) || v["at"] != at {
		t.Errorf("candidate_id %#v, at %#v", v["candidate_id"], v["at"])
	}
	if _, ok := v["user_id"]; ok {
		t.Error("an empty omitempty field is in the view")
	}
	c, _ := p.Project(kluis.RolePayroll, "candidates", &kluis.Candidate{ID: 1, DateOfBirth: "1990-05-17"})
	if c["date_of_birth"] != kluis.Date("1990-05-17") {
		t.Errorf("date of birth %#v", c["date_of_birth"])
	}
}

func TestTheProjectionRefusesWhatIsNoPointerToARecord(t *testing.T) {
	p := New(catalog.New())
	type embeds struct{ kluis.Candidate }
	type twoNames struct {
		A string // named "A" by encoding/json too
		B string `json:"A"`
	}
	for name, rec := range map[string]any{
		"a record, not a pointer": kluis.Candidate{},
		"a nil pointer":           (*kluis.Candidate)(nil),
		"a map":                   map[string]any{"id": 1},
		"a pointer to a pointer":  new(*kluis.Candidate),
		"an embedded struct":      &embeds{},
		"two fields of one name":  &twoNames{},
	} {
		if _, err := p.Project(kluis.RolePayroll, "candidates", rec); err == nil {
			t.Errorf("%s was projected", name)
		}
	}
	if _, err := ProjectAll(p, kluis.RolePayroll, "candidates", []any{&kluis.Candidate{}}); err == nil {
		t.Error("ProjectAll took a list of interfaces")
	}
}

func TestProjectorsThatShareLayoutsMayBeUsedConcurrently(t *testing.T) {
	p := New(catalog.New())
	q := p.ForAgency([]string{"nationality"}, map[string]string{"candidates.bsn/recruiter": "read"})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			pr := []*Projector{p, q}[i%2]
			for table, newRec := range projectedTables() {
				if _, err := pr.Project(kluis.RoleRecruiter, table, newRec()); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkProject(b *testing.B) {
	p := New(catalog.New())
	c := &kluis.Candidate{}
	fill(b, c)
	for _, role := range []kluis.Role{kluis.RolePayroll, kluis.RoleRecruiter} {
		b.Run("json/"+string(role), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.projectViaJSON(role, "candidates", c); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("reflect/"+string(role), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Project(role, "candidates", c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
