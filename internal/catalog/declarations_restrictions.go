package catalog

import "kluis/internal/kluis"

// Restriction (art. 18), rectification (art. 16) and the notices to
// recipients (art. 19). A restriction, a processing anyway, a
// rectification and a notice are the proof of how a right was honoured:
// they outlive the candidate's erasure, which empties their free texts
// (the notes), and name the candidate by their pseudonymous id only. A
// supplementary statement is the candidate's own data and goes with them.

func restrictionFields() []Field {
	note := func(table string, label kluis.Msg, access roles) Field {
		return Field{Table: table, Column: "note", Subject: Candidate, Category: History, Label: label,
			Basis: LegalObligation, Retention: []Rule{R1, R3}, Access: access, Source: FromStaff,
			Purposes: []Purpose{Accountability}}
	}
	return []Field{
		note("restrictions", msg("Toelichting bij de beperking", "Note on the restriction"), roles{privacy: Write}),
		note("restriction_overrides", msg("Toelichting bij toch verwerken", "Note on processing anyway"), roles{privacy: Read, manager: Read}),
		{Table: "supplementary_statements", Column: "body", Subject: Candidate, Category: History,
			Label: msg("Aanvullende verklaring van de kandidaat", "Supplementary statement of the candidate"),
			Basis: LegalObligation, Retention: []Rule{R1, R3}, Access: roles{privacy: Write, recruiter: Read, manager: Read, payroll: Read},
			Source: FromCandidate, Purposes: []Purpose{Mediation, Accountability}},
	}
}

func restrictionNonPersonal() []NonPersonal {
	const (
		tenant = "the agency the row belongs to"
		key    = "surrogate key: a number that means nothing outside kluis"
		ref    = "a reference to another row; the personal data are in that row"
		pseudo = "the candidate's pseudonymous id: after an erasure nothing in kluis ties it to a person"
		proof  = "the proof of how a right was honoured (a closed list or a date); kept after an erasure without anything that names the candidate"
		stamp  = "when the row was written: bookkeeping of the record, not of the person"
	)
	var out []NonPersonal
	for _, t := range []string{"restrictions", "restriction_overrides", "supplementary_statements", "rectifications", "recipient_notices"} {
		out = append(out, NonPersonal{t, "tenant_id", tenant}, NonPersonal{t, "id", key}, NonPersonal{t, "candidate_id", pseudo},
			NonPersonal{t, "user_id", ref})
	}
	for _, c := range []string{"ground", "started_on", "outcome", "decided_on", "informed_on", "informed_how", "lifted_on"} {
		out = append(out, NonPersonal{"restrictions", c, proof})
	}
	out = append(out,
		NonPersonal{"restrictions", "request_id", ref}, NonPersonal{"restrictions", "informed_by", ref},
		NonPersonal{"restrictions", "notice_id", ref}, NonPersonal{"restrictions", "lifted_by", ref},
		NonPersonal{"restrictions", "version", "edit counter against lost updates"}, NonPersonal{"restrictions", "created_at", stamp},
		NonPersonal{"restriction_overrides", "restriction_id", ref}, NonPersonal{"restriction_overrides", "reason", proof},
		NonPersonal{"restriction_overrides", "entity", "the name of the table written: no data of it"},
		NonPersonal{"restriction_overrides", "at", stamp},
		NonPersonal{"supplementary_statements", "request_id", ref}, NonPersonal{"supplementary_statements", "created_at", stamp},
		NonPersonal{"rectifications", "request_id", ref}, NonPersonal{"rectifications", "statement_id", ref},
		NonPersonal{"rectifications", "fields", "the names of the columns a rectification changed, never their values"},
		NonPersonal{"rectifications", "at", stamp},
		NonPersonal{"recipient_notices", "request_id", ref}, NonPersonal{"recipient_notices", "client_id", ref},
		NonPersonal{"recipient_notices", "outbox_id", ref},
		NonPersonal{"recipient_notices", "recipient", "the organisation that was told, as the disclosure register names it: an organisation, not a person"},
		NonPersonal{"recipient_notices", "to_candidate", proof}, NonPersonal{"recipient_notices", "about", proof},
		NonPersonal{"recipient_notices", "channel", proof}, NonPersonal{"recipient_notices", "sent_on", proof},
		NonPersonal{"recipient_notices", "created_at", stamp},
	)
	return out
}
