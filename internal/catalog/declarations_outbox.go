package catalog

import "kluis/internal/kluis"

// The outbox: e-mail kluis sends, to candidates and to staff. A message's
// address, subject and bodies are personal data until it is sent or has
// finally failed; then they are emptied, and what remains — its kind,
// candidate, Message-ID, state and times — is the proof that it was sent.
// The messages go with the candidate (R1, R3).

// outboxContentProfile: the contents of a message waiting to be sent are
// for the privacy officer, who answers for them.
func outboxContentProfile() roles { return roles{privacy: Read} }

// outboxKindProfile: who works with the candidate may see what kind of
// message went out.
func outboxKindProfile() roles { return roles{recruiter: Read, manager: Read, privacy: Read} }

// outboxFields declares the columns of the outbox that hold personal data.
func outboxFields() []Field {
	out := func(column string, cat Category, label kluis.Msg, access roles, source Source) Field {
		return Field{Table: "outbox", Column: column, Subject: Candidate, Category: cat, Label: label, Basis: Contract,
			Retention: []Rule{R1, R3}, Access: access, Source: source, Purposes: []Purpose{Mediation, Accountability}}
	}
	return []Field{
		out("to_address", Contact, msg("E-mailadres van een bericht", "Address of a message"), outboxContentProfile(), FromCandidate),
		out("subject", History, msg("Onderwerp van een bericht", "Subject of a message"), outboxContentProfile(), FromAgency),
		out("body_text", History, msg("Tekst van een bericht", "Text of a message"), outboxContentProfile(), FromAgency),
		out("body_html", History, msg("Tekst van een bericht (HTML)", "Text of a message (HTML)"), outboxContentProfile(), FromAgency),
		out("kind", History, msg("Soort bericht", "Kind of message"), outboxKindProfile(), FromAgency),
	}
}

// outboxNonPersonal declares the columns of the outbox that hold no
// personal data.
func outboxNonPersonal() []NonPersonal {
	const (
		stamp = "when the message was written, is due or was sent: bookkeeping of the message, not of the person"
		what  = "how sending went: a closed list of states, a count, or an error class and SMTP reply code, never an address or a name"
	)
	return []NonPersonal{
		{"outbox", "tenant_id", "the agency the row belongs to"},
		{"outbox", "id", "surrogate key: a number that means nothing outside kluis"},
		{"outbox", "candidate_id", "a reference to another row; the personal data are in that row"},
		{"outbox", "message_id", "a random identifier of the message, made by kluis, so that a message sent again is known as the same"},
		{"outbox", "state", what}, {"outbox", "attempts", what}, {"outbox", "last_error", what},
		{"outbox", "next_attempt", stamp}, {"outbox", "sent_at", stamp}, {"outbox", "created_at", stamp},
	}
}
