package catalog

import "kluis/internal/kluis"

// Legal holds and consents to keep longer: what makes a candidate's data
// outlive their retention terms, and the proof of it.

// holdProfile: the privacy officer and the branch manager record and end
// legal holds; the others who work with the candidate see that one lasts.
func holdProfile() roles {
	return roles{privacy: Write, manager: Write, recruiter: Read, payroll: Read}
}

// consentProfile: whoever speaks with the candidate records a consent.
func consentProfile() roles {
	return roles{recruiter: Write, manager: Write, privacy: Write, payroll: Read}
}

// retentionFields declares the columns of legal holds and consents. A hold
// is kept as long as the data it held may be (the records of an audit or a
// dispute include the payroll years, R5); a consent as long as the data it
// extends (R1, R3): it is their proof.
func retentionFields() []Field {
	hold := func(column string, label kluis.Msg) Field {
		return Field{Table: "legal_holds", Column: column, Subject: Candidate, Category: History, Label: label,
			Basis: LegitimateInterest, Retention: []Rule{R1, R3, R5}, Access: holdProfile(), Source: FromAgency,
			Purposes: []Purpose{Accountability}}
	}
	consent := func(column string, label kluis.Msg, source Source) Field {
		return Field{Table: "consents", Column: column, Subject: Candidate, Category: History, Label: label,
			Basis: LegalObligation, Retention: []Rule{R1, R3}, Access: consentProfile(), Source: source,
			Purposes: []Purpose{Accountability}}
	}
	request := func(column string, label kluis.Msg, source Source) Field {
		return Field{Table: "consent_requests", Column: column, Subject: Candidate, Category: History, Label: label,
			Basis: LegitimateInterest, Retention: []Rule{R1, R3}, Access: roles{privacy: Read, recruiter: Read, manager: Read}, Source: source,
			Purposes: []Purpose{Accountability}}
	}
	return []Field{
		hold("kind", msg("Soort bewaarplicht", "Kind of legal hold")),
		hold("reason", msg("Kenmerk van de bewaarplicht", "Reference of the legal hold")),
		hold("start_date", msg("Bewaarplicht sinds", "Legal hold since")),
		hold("end_date", msg("Bewaarplicht tot", "Legal hold until")),
		consent("channel", msg("Toestemming gegeven via", "Consent given through"), FromCandidate),
		consent("wording", msg("Tekst van de toestemming", "Wording of the consent"), FromAgency),
		consent("given_on", msg("Toestemming gegeven op", "Consent given on"), FromCandidate),
		consent("valid_until", msg("Toestemming geldt tot", "Consent valid until"), FromCandidate),
		consent("withdrawn_on", msg("Toestemming ingetrokken op", "Consent withdrawn on"), FromCandidate),
		// Requests for consent sent by e-mail, and the answers: the proof
		// that the candidate was asked, kept as long as the data concerned.
		request("data_expires", msg("Gegevens vervallen op (gevraagd)", "Data expire on (asked)"), FromAgency),
		request("sent_on", msg("Om toestemming gevraagd op", "Consent asked on"), FromAgency),
		request("reminded_on", msg("Herinnering gestuurd op", "Reminder sent on"), FromAgency),
		request("link_expires", msg("Link geldig tot", "Link valid until"), FromAgency),
		request("answer", msg("Antwoord op de vraag om toestemming", "Answer to the request for consent"), FromCandidate),
		request("answered_at", msg("Beantwoord op", "Answered on"), FromCandidate),
	}
}

// retentionNonPersonal declares the columns of legal holds and consents
// that hold no personal data.
func retentionNonPersonal() []NonPersonal {
	const (
		key     = "surrogate key: a number that means nothing outside kluis"
		tenant  = "the agency the row belongs to"
		ref     = "a reference to another row; the personal data are in that row"
		stamp   = "when the row was written: bookkeeping of the record, not of the person"
		version = "edit counter against lost updates"
	)
	var out []NonPersonal
	for _, t := range []string{"legal_holds", "consents"} {
		out = append(out, NonPersonal{t, "tenant_id", tenant}, NonPersonal{t, "id", key}, NonPersonal{t, "candidate_id", ref},
			NonPersonal{t, "user_id", ref}, NonPersonal{t, "version", version}, NonPersonal{t, "created_at", stamp})
	}
	out = append(out, NonPersonal{"consent_requests", "tenant_id", tenant}, NonPersonal{"consent_requests", "id", key},
		NonPersonal{"consent_requests", "candidate_id", ref}, NonPersonal{"consent_requests", "consent_id", ref},
		NonPersonal{"consent_requests", "created_at", stamp},
		NonPersonal{"consent_requests", "token_hash", "hash of a random token of a link: it names nobody, and the link cannot be made from it"},
		NonPersonal{"tenant_settings", "consent_notice_days", "a setting of the agency: when to ask candidates for consent"})
	return append(out, NonPersonal{"legal_holds", "ended_by", ref},
		NonPersonal{"consents", "contact_moment_id", ref}, NonPersonal{"consents", "withdrawn_by", ref})
}
