package catalog

import "kluis/internal/kluis"

// The data breach register (GDPR art. 33 and 34). It is the agency's own
// accountability record, not part of any candidate's file: its texts
// describe an incident and may name the staff involved, so they are
// declared as personal data of staff, for the privacy officer only. They
// must not name candidates — those are linked by id in breach_candidates,
// and an erasure redacts a candidate's name, e-mail address and phone
// number from the texts of the breaches they are linked to, in case one
// was written there after all. The register is kept five years after a
// breach is closed (RBreach): the AP names no term; the agency must be
// able to show how it handled each breach (art. 5(2), 33(5)), and five
// years covers the AP's usual period of enforcement.

// Incident is the category of the register's texts.
const Incident Category = "incident"

// RBreach keeps a breach five years after it is closed.
const RBreach Rule = "breach"

// BreachRetentionYears is RBreach's term.
const BreachRetentionYears = 5

func breachFields() []Field {
	text := func(column string, label kluis.Msg) Field {
		return Field{Table: "breaches", Column: column, Subject: Staff, Category: Incident, Label: label,
			Basis: LegalObligation, Retention: []Rule{RBreach}, Access: roles{privacy: Write}, Source: FromStaff,
			Purposes: []Purpose{Accountability}}
	}
	return []Field{
		text("title", msg("Korte omschrijving van het datalek", "Short description of the breach")),
		text("facts", msg("Feiten van het datalek", "Facts of the breach")),
		text("effects", msg("Gevolgen van het datalek", "Effects of the breach")),
		text("measures", msg("Genomen maatregelen", "Measures taken")),
		text("decision_reason", msg("Reden van (niet) melden", "Reason for (not) reporting")),
		text("ap_reference", msg("Kenmerk van de melding bij de AP", "Reference of the report to the AP")),
		text("inform_reason", msg("Reden om betrokkenen niet te informeren", "Reason not to tell the people concerned")),
		text("notice_text", msg("Bericht aan de betrokkenen", "Notice to the people concerned")),
	}
}

func breachNonPersonal() []NonPersonal {
	const (
		key    = "surrogate key: a number that means nothing outside kluis"
		tenant = "the agency the row belongs to"
		ref    = "a reference to another row; the personal data are in that row"
		pseudo = "the candidate's pseudonymous id: after an erasure nothing in kluis ties it to a person"
		proof  = "the register's account of a breach (a closed list, a count or a moment): the proof of how it was handled (art. 33(5)), no one's personal data"
		stamp  = "when the row was written: bookkeeping of the record, not of the person"
	)
	out := []NonPersonal{
		{"breaches", "tenant_id", tenant}, {"breaches", "id", key},
		{"breaches", "decided_by", ref}, {"breaches", "reported_by", ref},
		{"breaches", "version", "edit counter against lost updates"}, {"breaches", "created_at", stamp},
		{"breach_candidates", "tenant_id", tenant}, {"breach_candidates", "breach_id", ref},
		{"breach_candidates", "candidate_id", pseudo}, {"breach_candidates", "added_by", ref}, {"breach_candidates", "added_at", stamp},
		{"breach_candidates", "informed_via", "how the candidate was told of the breach (a closed list): the proof of art. 34"},
		{"breach_candidates", "informed_at", "when the candidate was told of the breach: the proof of art. 34"},
	}
	for _, c := range []string{"discovered_at", "categories", "affected_count", "risk", "decision", "decided_at", "ap_reported_at",
		"inform_decision", "status", "closed_at"} {
		out = append(out, NonPersonal{"breaches", c, proof})
	}
	return out
}
