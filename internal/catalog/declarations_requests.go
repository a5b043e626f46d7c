package catalog

import "kluis/internal/kluis"

// The request register: candidates' requests to exercise their rights
// (LEGAL.md §3). Only the privacy officer handles them. The free texts are
// personal data and go with the candidate's history (R1, R3); the rest —
// kind, channel, dates, status, how the identity was checked — is the
// proof of how the request was honoured (art. 5(2), 12), kept after an
// erasure, when it names the candidate only by their pseudonymous id.

func requestFields() []Field {
	text := func(column string, label kluis.Msg, source Source) Field {
		return Field{Table: "requests", Column: column, Subject: Candidate, Category: History, Label: label,
			Basis: LegalObligation, Retention: []Rule{R1, R3}, Access: roles{privacy: Write}, Source: source,
			Purposes: []Purpose{Accountability}}
	}
	return []Field{
		text("description", msg("Omschrijving van het verzoek", "Description of the request"), FromCandidate),
		text("extension_reason", msg("Reden van de verlenging", "Reason for the extension"), FromStaff),
		text("outcome", msg("Uitkomst van het verzoek", "Outcome of the request"), FromStaff),
	}
}

func requestNonPersonal() []NonPersonal {
	const (
		ref    = "a reference to another row; the personal data are in that row"
		pseudo = "the candidate's pseudonymous id: after an erasure nothing in kluis ties it to a person"
		proof  = "the proof of how a request was handled and in time (a closed list or a date); kept after an erasure without anything that names the candidate"
	)
	out := []NonPersonal{
		{"requests", "tenant_id", "the agency the row belongs to"},
		{"requests", "id", "surrogate key: a number that means nothing outside kluis"},
		{"requests", "candidate_id", pseudo},
		{"requests", "verified_by", ref}, {"requests", "handler_id", ref}, {"requests", "user_id", ref}, {"requests", "erasure_id", ref},
		{"requests", "residue_hits", "a count of places where an erased identifier was still found"},
		{"requests", "version", "edit counter against lost updates"},
		{"requests", "created_at", "when the row was written: bookkeeping of the record, not of the person"},
	}
	for _, c := range []string{"kind", "received_on", "channel", "verified_how", "verified_on", "status", "due_on", "extended_on",
		"notice_sent_on", "closed_on"} {
		out = append(out, NonPersonal{"requests", c, proof})
	}
	return out
}
