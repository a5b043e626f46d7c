package retention_test

import (
	"testing"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/retention"
)

var cat = catalog.New()

const today = kluis.Date("2026-11-29")

// plan keys each group by its category, and by the first of its fields
// for the categories that split: "employment" is the group of the
// candidate's functions, "employment/placements" that of the placement
// dates.
func plan(f retention.Facts) map[catalog.Category]retention.Item {
	out := map[catalog.Category]retention.Item{}
	for _, it := range retention.Plan(cat, f, retention.DefaultTerms, today) {
		key := it.Category
		for _, fl := range it.Fields {
			if fl == "candidates.functions" || fl == "candidates.bsn" || fl == "candidates.first_name" || fl == "candidates.email" || fl == "documents.file_name" ||
				fl == "payroll_records.year" || fl == "candidates.id_document_number" || fl == "contact_moments.note" || fl == "disclosures.recipient" {
				out[key] = it
			}
		}
		if _, ok := out[key]; !ok {
			out[key+"/"+catalog.Category(it.Fields[0])] = it
		}
	}
	return out
}

func expect(t *testing.T, p map[catalog.Category]retention.Item, c catalog.Category, rule catalog.Rule, expires kluis.Date) {
	t.Helper()
	it, ok := p[c]
	if !ok {
		t.Errorf("%s: not in the plan", c)
		return
	}
	if it.Rule != rule || it.Expires != expires {
		t.Errorf("%s: %s until %q, want %s until %q (%s)", c, it.Rule, it.Expires, rule, expires, it.Why.EN)
	}
}

// A candidate who never worked: everything goes 2 years after the last
// activity (R1); an ID copy after 4 weeks (R2).
func TestACandidateWhoNeverWorked(t *testing.T) {
	p := plan(retention.Facts{Registered: "2025-03-01", LastActivity: "2025-06-15", IDRecordedOn: "2025-03-01", IDCopies: []kluis.Date{"2025-03-02"}})
	for _, c := range []catalog.Category{catalog.Identity, catalog.Contact, catalog.Employment, catalog.Documents, catalog.Notes, catalog.History} {
		expect(t, p, c, catalog.R1, "2027-06-15")
	}
	expect(t, p, catalog.IDDocument, catalog.R2, "2025-03-30")
	if _, ok := p[catalog.Payroll]; ok {
		t.Error("payroll data for someone who never worked")
	}
	if _, ok := p[catalog.BSN]; ok {
		t.Error("a BSN term for someone who never worked (and so has no BSN)")
	}
}

// Consent extends R1 (and R3), never R2.
func TestConsentExtendsR1ButNotR2(t *testing.T) {
	p := plan(retention.Facts{Registered: "2025-03-01", LastActivity: "2025-06-15", ConsentUntil: "2028-06-15", IDCopies: []kluis.Date{"2026-11-20"}})
	expect(t, p, catalog.Contact, catalog.R1, "2028-06-15")
	expect(t, p, catalog.IDDocument, catalog.R2, "2026-12-18")
}

// A worker who left on 30 June 2025 with pay slips of 2024 and 2025: the
// personnel file goes 2 years after leaving (R3); the ID copy 5 years from
// 1 January 2026 (R4); the payroll data 7 years from 1 January 2026 (R5);
// name and address stay with the payroll data.
func TestAWorkerWhoLeft(t *testing.T) {
	p := plan(retention.Facts{Registered: "2023-01-10", LastActivity: "2025-07-01", IDRecordedOn: "2023-02-01",
		Placements:   []retention.Placement{{Start: "2023-02-01", End: "2024-01-31"}, {Start: "2024-03-01", End: "2025-06-30"}},
		PayrollYears: []int{2023, 2024, 2025}})
	expect(t, p, catalog.Employment, catalog.R3, "2027-06-30")
	expect(t, p, catalog.Notes, catalog.R3, "2027-06-30")
	expect(t, p, catalog.IDDocument, catalog.R4, "2031-01-01")
	expect(t, p, catalog.Payroll, catalog.R5, "2033-01-01")
	expect(t, p, catalog.BSN, catalog.R5, "2033-01-01")
	expect(t, p, catalog.Identity, catalog.R5, "2033-01-01")
	if !p[catalog.Payroll].Minimum || p[catalog.Employment].Minimum {
		t.Error("R5 is a minimum and R3 a maximum")
	}
}

// Tax terms run from 1 January after the year: a worker who left on 31
// December and one who left on 1 January of the next year are a year apart.
func TestTaxTermsRunFromTheFirstOfJanuaryAfterTheYear(t *testing.T) {
	a := plan(retention.Facts{Placements: []retention.Placement{{Start: "2020-01-01", End: "2024-12-31"}}})
	b := plan(retention.Facts{Placements: []retention.Placement{{Start: "2020-01-01", End: "2025-01-01"}}})
	expect(t, a, catalog.Payroll, catalog.R5, "2032-01-01")
	expect(t, b, catalog.Payroll, catalog.R5, "2033-01-01")
}

// While someone works, nothing of their file can expire.
func TestNothingExpiresWhileSomeoneWorks(t *testing.T) {
	p := plan(retention.Facts{Placements: []retention.Placement{{Start: "2025-01-01"}}, PayrollYears: []int{2025}})
	for c, it := range p {
		if it.Expires != "" {
			t.Errorf("%s expires on %s while the candidate works", c, it.Expires)
		}
	}
}

// A non-EEA worker's ID copy stays 5 years from 1 January after the work
// (R6); an EEA worker's follows R4 alone.
func TestANonEEAWorkersIDCopy(t *testing.T) {
	f := retention.Facts{Nationality: "UA", IDRecordedOn: "2024-01-01", Placements: []retention.Placement{{Start: "2024-01-01", End: "2024-06-30"}}}
	p := plan(f)
	if it := p[catalog.IDDocument]; it.Expires != "2030-01-01" || !contains(it.Rules, catalog.R6) {
		t.Errorf("non-EEA: %+v", it)
	}
	f.Nationality = "PL"
	if it := plan(f)[catalog.IDDocument]; contains(it.Rules, catalog.R6) {
		t.Errorf("R6 applied to an EEA national: %+v", it)
	}
}

// A legal hold stops every expiry until it ends.
func TestALegalHoldStopsExpiry(t *testing.T) {
	f := retention.Facts{Registered: "2023-01-01", LastActivity: "2023-01-01", Holds: []retention.Hold{{Reason: "dispute"}}}
	for c, it := range plan(f) {
		if it.Expires != "" || !it.Held {
			t.Errorf("%s: %+v under an open hold", c, it)
		}
	}
	f.Holds = []retention.Hold{{Reason: "tax audit", Until: "2027-03-01"}}
	expect(t, plan(f), catalog.Contact, catalog.R1, "2027-03-01")
	f.Holds = []retention.Hold{{Reason: "ended", Until: "2026-01-01"}}
	if it := plan(f)[catalog.Contact]; it.Held || it.Expires != "2025-01-01" {
		t.Errorf("an ended hold still holds: %+v", it)
	}
}

func contains(rs []catalog.Rule, r catalog.Rule) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

func TestDueIsWhatHasReachedItsDay(t *testing.T) {
	items := retention.Plan(cat, retention.Facts{Registered: "2023-01-01", LastActivity: "2024-11-28"}, retention.DefaultTerms, today)
	due := retention.Due(items, today)
	if len(due) == 0 || len(due) != len(items) {
		t.Fatalf("a candidate whose last activity was two years and a day ago: %d of %d groups due", len(due), len(items))
	}
	if due := retention.Due(retention.Plan(cat, retention.Facts{Registered: "2023-01-01", LastActivity: "2024-11-30"}, retention.DefaultTerms, today), today); len(due) != 0 {
		t.Fatalf("due a day early: %+v", due)
	}
}

// An agency may keep the data of candidates who never worked shorter than
// the law's two years, never longer.
func TestAnAgencysOwnShorterTerm(t *testing.T) {
	f := retention.Facts{Registered: "2025-03-01", LastActivity: "2025-06-15"}
	terms := retention.For(&kluis.Settings{R1Months: 12})
	var contact retention.Item
	for _, it := range retention.Plan(cat, f, terms, today) {
		if it.Category == catalog.Contact && it.Rule == catalog.R1 {
			contact = it
		}
	}
	if contact.Expires != "2026-06-15" || contact.Why.NL != "R1: nooit gewerkt; 1 jaar na de laatste activiteit (2025-06-15)" {
		t.Fatalf("a 12-month R1: %+v", contact)
	}
	if d := retention.For(nil); d.R1Months != 24 || d.R3Months != 24 {
		t.Fatalf("the legal terms: %+v", d)
	}
}

// BenchmarkPlan is the plan of one candidate who worked, with a consent
// and a hold: the clean-up and its list compute it for every candidate.
func BenchmarkPlan(b *testing.B) {
	cat := catalog.New()
	f := retention.Facts{Registered: "2020-01-06", LastActivity: "2024-03-01", Nationality: "PL",
		Placements:   []retention.Placement{{Start: "2021-02-01", End: "2023-06-30"}},
		PayrollYears: []int{2021, 2022, 2023}, IDCopies: []kluis.Date{"2021-02-01"}, ConsentUntil: "2025-01-01",
		Holds: []retention.Hold{{Reason: "dispute", Until: "2026-01-01"}}}
	for b.Loop() {
		retention.Plan(cat, f, retention.DefaultTerms, "2026-11-29")
	}
}
