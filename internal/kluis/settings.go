package kluis

import (
	"sort"
	"strings"
	"time"
)

// Settings are an agency's own choices: how it presents itself as the
// controller in the processing register and the privacy statement, and which
// optional candidate data it does not collect at all (data minimisation).
type Settings struct {
	TenantID ID     `json:"-"`
	Address  string `json:"address"`
	KvK      string `json:"kvk_number"`
	DPOName  string `json:"dpo_name"`
	DPOEmail string `json:"dpo_email"`
	DPOPhone string `json:"dpo_phone"`
	// NotCollected holds, per optional item (a catalogue Collectable key),
	// the day the agency stopped collecting it. Values still held are
	// removed MinimisationGrace after that day.
	NotCollected map[string]Date `json:"not_collected"`
	// FieldAccess holds the agency's own field permissions, where they
	// differ from the catalogue: "table.column/role" → hidden, masked,
	// read or write.
	FieldAccess map[string]string `json:"field_access"`
	// R1Months and R3Months are the agency's own maximum terms for the data
	// of candidates who never worked (R1) and of the personnel file (R3),
	// at most the legal 24 months; 0 means the legal term.
	R1Months int `json:"r1_months"`
	R3Months int `json:"r3_months"`
	// The clean-up: whether it runs every night on its own, how many days
	// after the end of a term it erases (time to place a legal hold), and
	// how many of the candidates a run erases it checks for residue.
	CleanupNightly      bool `json:"cleanup_nightly"`
	CleanupGraceDays    int  `json:"cleanup_grace_days"`
	CleanupVerifySample int  `json:"cleanup_verify_sample"`
	// ConsentNoticeDays is how many days before data of a candidate
	// expire under R1 or R3 kluis e-mails them to ask whether it may keep
	// them longer (a reminder follows after 14 days); 0 asks nobody.
	ConsentNoticeDays int       `json:"consent_notice_days"`
	Version           int64     `json:"version"`
	UpdatedAt         time.Time `json:"updated_at"`
	UpdatedBy         ID        `json:"-"`
}

// MinimisationGrace is how long values of data an agency stopped collecting
// stay (hidden from everyone) before they are removed: time to undo a wrong
// click, not to keep using them.
const MinimisationGrace = 7 * 24 * time.Hour

// Collects reports whether the agency collects the optional item key.
func (s *Settings) Collects(key string) bool {
	_, off := s.NotCollected[key]
	return !off
}

// RemovalDay is the first day on which the values of key, no longer
// collected, are removed; "" when key is collected.
func (s *Settings) RemovalDay(key string) Date {
	since, off := s.NotCollected[key]
	if !off {
		return ""
	}
	return DateOf(since.Time().Add(MinimisationGrace))
}

// Off returns the keys not collected, sorted.
func (s *Settings) Off() []string {
	out := make([]string, 0, len(s.NotCollected))
	for k := range s.NotCollected {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Validate normalises the settings and reports every field that is wrong.
// known says which keys of NotCollected exist.
func (s *Settings) Validate(known func(string) bool) error {
	p := Problems{}
	p.text("address", &s.Address, 300)
	s.KvK = strings.TrimSpace(s.KvK)
	if s.KvK != "" {
		if k, ok := NormalizeKvK(s.KvK); ok {
			s.KvK = k
		} else {
			p.Add("kvk_number", "Een KvK-nummer heeft 8 cijfers.", "A Chamber of Commerce number has 8 digits.")
		}
	}
	p.line("dpo_name", &s.DPOName, 100, false)
	p.email("dpo_email", &s.DPOEmail, false)
	p.phone("dpo_phone", &s.DPOPhone)
	for field, n := range map[string]int{"r1_months": s.R1Months, "r3_months": s.R3Months} {
		if n < 0 || n > 24 {
			p.Add(field, "Een termijn van 1 tot en met 24 maanden (de wettelijke 2 jaar is het maximum); leeg voor 24.",
				"A term of 1 to 24 months (the legal 2 years is the maximum); empty for 24.")
		}
	}
	if s.CleanupGraceDays < 0 || s.CleanupGraceDays > 90 {
		p.Add("cleanup_grace_days", "Een wachttijd van 0 tot en met 90 dagen.", "A grace period of 0 to 90 days.")
	}
	if s.CleanupVerifySample < 0 || s.CleanupVerifySample > 100 {
		p.Add("cleanup_verify_sample", "Een steekproef van 0 tot en met 100 kandidaten per ronde.", "A sample of 0 to 100 candidates a run.")
	}
	if s.ConsentNoticeDays < 0 || s.ConsentNoticeDays > 90 {
		p.Add("consent_notice_days", "Van 0 (niemand vragen) tot en met 90 dagen.", "From 0 (ask nobody) to 90 days.")
	}
	// Only the keys count here: the store dates them.
	for k := range s.NotCollected {
		if !known(k) {
			p.Add("not_collected", "Onbekend gegeven: "+k+".", "Unknown item: "+k+".")
		}
	}
	return p.Err()
}

// NotCollectedError is the answer to a value for data the agency has chosen
// not to collect.
func NotCollectedError(p Problems, field string) {
	p.Add(field, "Uw bureau verzamelt dit gegeven niet (instelling voor dataminimalisatie).",
		"Your agency does not collect this item (a data-minimisation setting).")
}
