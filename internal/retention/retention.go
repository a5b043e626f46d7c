// Package retention works out, for one candidate, when each category of
// their data may no longer be kept (LEGAL.md R1–R6): from the rules the
// catalogue gives every field and kind of file, and from the candidate's
// history — registration, last activity, placements, payroll years, ID
// copies, consents and legal holds. It is pure: the store gathers the
// facts, the clean-up acts on the plan.
package retention

import (
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
)

// Terms are the retention periods, each a setting with the legal default.
type Terms struct {
	R1Months, R3Months int           // maximums after the last activity / the end of the work
	R2                 time.Duration // ID copy of someone not employed
	R4Years            int           // employee's ID copy and payroll-tax form, from 1 January after leaving
	R5Years            int           // payroll administration, from 1 January after the year concerned
	R6Years            int           // non-EEA worker's ID copy and permit, from 1 January after the work
}

// DefaultTerms are the terms of LEGAL.md §1.
var DefaultTerms = Terms{R1Months: 24, R3Months: 24, R2: kluis.IDCopyTerm, R4Years: 5, R5Years: 7, R6Years: 5}

// For returns the terms of an agency: its own R1 and R3, shorter than the
// legal maximum if it chose so (kluis.Settings), the legal ones else.
func For(s *kluis.Settings) Terms {
	t := DefaultTerms
	if s != nil && s.R1Months > 0 {
		t.R1Months = s.R1Months
	}
	if s != nil && s.R3Months > 0 {
		t.R3Months = s.R3Months
	}
	return t
}

func months(n int) string {
	if n%12 == 0 {
		return strconv.Itoa(n/12) + " jaar"
	}
	return strconv.Itoa(n) + " maanden"
}

func monthsEN(n int) string {
	if n%12 == 0 {
		if n == 12 {
			return "1 year"
		}
		return strconv.Itoa(n/12) + " years"
	}
	return strconv.Itoa(n) + " months"
}

// Placement is what the plan needs of a placement.
type Placement struct {
	Start, End   kluis.Date // End "" while it lasts
	SelfEmployed bool
}

// Hold is a legal hold (dispute, tax audit, court case, a restriction on
// ground (c)): while it lasts nothing of the candidate expires.
type Hold struct {
	Reason string
	Until  kluis.Date // "" until lifted
}

// Facts are a candidate's history as far as retention depends on it.
type Facts struct {
	Registered   kluis.Date
	LastActivity kluis.Date // the latest of registration, contact moments, consents
	Placements   []Placement
	PayrollYears []int
	IDCopies     []kluis.Date // the days the ID copies (files) were made
	IDRecordedOn kluis.Date   // the day the document number was recorded
	Nationality  string
	// ConsentUntil is the end of the candidate's consent to keep their
	// data longer; it extends R1 and R3 only.
	ConsentUntil kluis.Date
	Holds        []Hold
	// Erased are the keys (Item.Key) of the groups an earlier, staged
	// erasure removed: they are not due again.
	Erased []string
}

// Item is when a group of the candidate's data expires, and why: the fields
// and kinds of file of one category that follow the same rules.
type Item struct {
	Category catalog.Category
	Fields   []string       // the fields and kinds of file, by label
	Rule     catalog.Rule   // the rule that keeps it longest
	Expires  kluis.Date     // "" while it cannot expire yet (still employed, a hold)
	Why      kluis.Msg      // the reason, in both languages
	Minimum  bool           // a law requires it kept until then
	Held     bool           // a legal hold stops its expiry
	Rules    []catalog.Rule // every rule that applies to it now
	// Erased: an earlier erasure removed the group already.
	Erased bool
	// LegalUntil is when the last legal minimum (R4–R6) on the group ends,
	// LegalOpen that one cannot end yet; both zero when no minimum
	// applies. A candidate's request to be forgotten erases what no
	// minimum keeps (Forgettable).
	LegalUntil kluis.Date
	LegalOpen  bool
	// key is the group's identity, by category and the rules its fields
	// follow: stable across plans, so erased groups can be remembered.
	key string
}

// Key identifies the group: its category and the rules of its fields.
func (it Item) Key() string { return it.key }

// eea are the countries whose nationals need no work permit (the EEA and
// Switzerland).
var eea = []string{"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
	"LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO", "CH"}

func (f Facts) worked() bool {
	for _, p := range f.Placements {
		if !p.SelfEmployed {
			return true
		}
	}
	return false
}

// employmentEnd is the end of the last employment, and whether all have
// ended by today.
func (f Facts) employmentEnd(today kluis.Date) (kluis.Date, bool) {
	var end kluis.Date
	for _, p := range f.Placements {
		if p.SelfEmployed {
			continue
		}
		if p.End == "" || p.End >= today {
			return "", false
		}
		end = max(end, p.End)
	}
	return end, end != ""
}

// workEnd is the end of the last placement of any kind (R3 for the
// self-employed: the file of their assignments).
func (f Facts) workEnd(today kluis.Date) (kluis.Date, bool) {
	var end kluis.Date
	for _, p := range f.Placements {
		if p.End == "" || p.End >= today {
			return "", false
		}
		end = max(end, p.End)
	}
	return end, end != ""
}

// januaryAfter is 1 January after the year of d, plus n years: how the tax
// terms run.
func januaryAfter(year, n int) kluis.Date {
	return kluis.DateOf(time.Date(year+1+n, 1, 1, 0, 0, 0, 0, time.UTC))
}

// withConsent extends a rule's result (R1 or R3) to the end of the
// candidate's consent, when that lies later.
func (f Facts) withConsent(r catalog.Rule, res ruleResult) ruleResult {
	if f.ConsentUntil > res.expires {
		res.expires = f.ConsentUntil
		res.why = kluis.Msg{NL: string(r) + ", verlengd met toestemming van de kandidaat tot " + string(f.ConsentUntil),
			EN: string(r) + ", extended with the candidate's consent until " + string(f.ConsentUntil)}
	}
	return res
}

// ruleResult is when one rule lets go of the data, or that it does not
// apply.
type ruleResult struct {
	applies bool
	expires kluis.Date // "" while it cannot run yet
	why     kluis.Msg
	minimum bool
}

// rule works out one rule for the candidate.
func rule(r catalog.Rule, f Facts, t Terms, today kluis.Date) ruleResult {
	switch r {
	case catalog.R1:
		if f.worked() || len(f.Placements) > 0 {
			return ruleResult{}
		}
		last := max(f.LastActivity, f.Registered)
		exp := kluis.DateOf(last.Time().AddDate(0, t.R1Months, 0))
		why := kluis.Msg{NL: "R1: nooit gewerkt; " + months(t.R1Months) + " na de laatste activiteit (" + string(last) + ")",
			EN: "R1: never worked; " + monthsEN(t.R1Months) + " after the last activity (" + string(last) + ")"}
		return f.withConsent(catalog.R1, ruleResult{applies: true, expires: exp, why: why})
	case catalog.R3:
		if len(f.Placements) == 0 {
			return ruleResult{}
		}
		end, done := f.workEnd(today)
		if !done {
			return ruleResult{applies: true, why: kluis.Msg{NL: "R3: " + months(t.R3Months) + " na het einde van het werk, dat nog loopt",
				EN: "R3: " + monthsEN(t.R3Months) + " after the work ends, which it has not"}}
		}
		exp := kluis.DateOf(end.Time().AddDate(0, t.R3Months, 0))
		why := kluis.Msg{NL: "R3: personeelsdossier; " + months(t.R3Months) + " na het einde van het werk (" + string(end) + ")",
			EN: "R3: personnel file; " + monthsEN(t.R3Months) + " after the work ended (" + string(end) + ")"}
		return f.withConsent(catalog.R3, ruleResult{applies: true, expires: exp, why: why})
	case catalog.R2:
		if f.worked() {
			return ruleResult{}
		}
		made := f.IDRecordedOn
		for _, d := range f.IDCopies {
			made = max(made, d)
		}
		if made == "" {
			return ruleResult{}
		}
		return ruleResult{applies: true, expires: kluis.DateOf(made.Time().Add(t.R2)),
			why: kluis.Msg{NL: "R2: kopie ID van wie niet in dienst is; 4 weken na het maken (" + string(made) + ")",
				EN: "R2: ID copy of someone not employed; 4 weeks after it was made (" + string(made) + ")"}}
	case catalog.R4:
		if !f.worked() {
			return ruleResult{}
		}
		end, done := f.employmentEnd(today)
		if !done {
			return ruleResult{applies: true, minimum: true, why: kluis.Msg{NL: "R4: 5 jaar vanaf 1 januari na het einde van het dienstverband, dat nog loopt",
				EN: "R4: 5 years from 1 January after the employment ends, which it has not"}}
		}
		return ruleResult{applies: true, minimum: true, expires: januaryAfter(end.Time().Year(), t.R4Years),
			why: kluis.Msg{NL: "R4: Wet LB; 5 jaar vanaf 1 januari na het einde van het dienstverband (" + string(end) + ")",
				EN: "R4: wage tax act; 5 years from 1 January after the employment ended (" + string(end) + ")"}}
	case catalog.R5:
		year := 0
		for _, y := range f.PayrollYears {
			year = max(year, y)
		}
		if f.worked() {
			end, done := f.employmentEnd(today)
			if !done {
				return ruleResult{applies: true, minimum: true, why: kluis.Msg{NL: "R5: 7 jaar vanaf 1 januari na het laatste salarisjaar, dat nog loopt",
					EN: "R5: 7 years from 1 January after the last payroll year, which has not ended"}}
			}
			year = max(year, end.Time().Year())
		}
		if year == 0 {
			return ruleResult{}
		}
		return ruleResult{applies: true, minimum: true, expires: januaryAfter(year, t.R5Years),
			why: kluis.Msg{NL: "R5: fiscale bewaarplicht; 7 jaar vanaf 1 januari na " + itoa(year),
				EN: "R5: tax retention duty; 7 years from 1 January after " + itoa(year)}}
	case catalog.R6:
		if !f.worked() || f.Nationality == "" || slices.Contains(eea, f.Nationality) {
			return ruleResult{}
		}
		end, done := f.employmentEnd(today)
		if !done {
			return ruleResult{applies: true, minimum: true, why: kluis.Msg{NL: "R6: Wav; 5 jaar vanaf 1 januari na het einde van het werk, dat nog loopt",
				EN: "R6: foreign nationals employment act; 5 years from 1 January after the work ends, which it has not"}}
		}
		return ruleResult{applies: true, minimum: true, expires: januaryAfter(end.Time().Year(), t.R6Years),
			why: kluis.Msg{NL: "R6: Wav; 5 jaar vanaf 1 januari na het einde van het werk (" + string(end) + ")",
				EN: "R6: foreign nationals employment act; 5 years from 1 January after the work ended (" + string(end) + ")"}}
	}
	return ruleResult{}
}

func itoa(n int) string { return strconv.Itoa(n) }

// group is a category's fields and kinds of file that follow the same
// rules: they expire together.
type group struct {
	key      string
	category catalog.Category
	fields   []string // sorted; shared by every plan, never changed
	rules    []catalog.Rule
}

// groupsCache holds the groups of each catalogue: a catalogue never
// changes, and the plan of a million candidates should not work them out a
// million times.
var groupsCache sync.Map // *catalog.Catalog → []group

func groupsOf(cat *catalog.Catalog) []group {
	if g, ok := groupsCache.Load(cat); ok {
		return g.([]group)
	}
	by := map[string]*group{}
	var order []string
	add := func(c catalog.Category, label string, rules []catalog.Rule) {
		key := string(c)
		for _, r := range rules {
			key += "," + string(r)
		}
		g := by[key]
		if g == nil {
			g = &group{key: key, category: c}
			by[key] = g
			order = append(order, key)
		}
		g.fields = append(g.fields, label)
		for _, r := range rules {
			if !slices.Contains(g.rules, r) {
				g.rules = append(g.rules, r)
			}
		}
	}
	for _, fl := range cat.Fields() {
		if fl.Subject == catalog.Candidate {
			add(fl.Category, fl.Table+"."+fl.Column, fl.Retention)
		}
	}
	for _, b := range cat.Blobs() {
		add(b.Category, "document:"+b.Kind, b.Retention)
	}
	out := make([]group, 0, len(order))
	for _, key := range order {
		g := by[key]
		sort.Strings(g.fields)
		out = append(out, *g)
	}
	g, _ := groupsCache.LoadOrStore(cat, out)
	return g.([]group)
}

// allRules are the rules in the order they are weighed.
var allRules = [6]catalog.Rule{catalog.R1, catalog.R2, catalog.R3, catalog.R4, catalog.R5, catalog.R6}

// Plan works out, per group of a candidate's data (a category and the
// rules its fields follow), when it expires. A group expires when every
// rule that applies to it has let go of it: the latest of their dates,
// and never while one of them cannot run yet. Rules that do not apply (R1
// for someone who worked, R2 for an employee) are left out. Categories no
// rule applies to are not in the plan. The Fields of the items are shared
// between plans: callers must not change them.
func Plan(cat *catalog.Catalog, f Facts, t Terms, today kluis.Date) []Item {
	// Each rule is worked out once for the candidate, not once per group.
	var results [6]ruleResult
	for i, r := range allRules {
		results[i] = rule(r, f, t, today)
	}
	held, openEnded, holdUntil := false, false, kluis.Date("")
	for _, h := range f.Holds {
		switch {
		case h.Until == "":
			held, openEnded = true, true
		case h.Until >= today:
			held, holdUntil = true, max(holdUntil, h.Until)
		}
	}
	groups := groupsOf(cat)
	out := make([]Item, 0, len(groups))
	for _, g := range groups {
		it := Item{Category: g.category, Fields: g.fields, Held: held, key: g.key, Erased: len(f.Erased) > 0 && slices.Contains(f.Erased, g.key)}
		open := false
		for i, r := range allRules {
			if !slices.Contains(g.rules, r) {
				continue
			}
			res := results[i]
			if !res.applies {
				continue
			}
			it.Rules = append(it.Rules, r)
			if res.minimum {
				if res.expires == "" {
					it.LegalOpen = true
				} else {
					it.LegalUntil = max(it.LegalUntil, res.expires)
				}
			}
			if res.expires == "" {
				open = true
				it.Rule, it.Why, it.Minimum = r, res.why, res.minimum
				continue
			}
			if !open && res.expires >= it.Expires {
				it.Expires, it.Rule, it.Why, it.Minimum = res.expires, r, res.why, res.minimum
			}
		}
		if len(it.Rules) == 0 {
			continue
		}
		if open {
			it.Expires = ""
		}
		if held && it.Expires != "" {
			if openEnded {
				it.Expires = ""
			} else {
				it.Expires = max(it.Expires, holdUntil)
			}
		}
		out = append(out, it)
	}
	return out
}

// Due returns the groups of a plan whose day has come: what the clean-up
// must remove. Held groups, groups that cannot expire yet and groups
// erased before are not due.
func Due(plan []Item, today kluis.Date) []Item {
	var out []Item
	for _, it := range plan {
		if !it.Erased && it.Expires != "" && it.Expires <= today {
			out = append(out, it)
		}
	}
	return out
}

// Forgettable returns the groups a request to be forgotten (art. 17)
// erases: every group, whatever its term, that no legal minimum (R4–R6)
// still requires and no legal hold keeps (art. 17(3)(b) and (e)).
func Forgettable(plan []Item, today kluis.Date) []Item {
	var out []Item
	for _, it := range plan {
		if it.Erased || it.Held || it.LegalOpen || it.LegalUntil > today {
			continue
		}
		out = append(out, it)
	}
	return out
}

// Complete reports whether erasing due leaves nothing of the plan: the
// candidate can go altogether.
func Complete(plan, due []Item) bool {
	n := 0
	for _, it := range plan {
		if !it.Erased {
			n++
		}
	}
	return n == len(due)
}
