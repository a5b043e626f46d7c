package catalog

// Letters about a candidate's request, kept with the request, and the
// reminders of requests that fall due. A letter's content names the
// candidate (except the erasure letter, which names nobody) and goes with
// the candidate's history, as the request's free texts do (R1, R3): it is
// sealed with the candidate's key and erased with that group, the row
// staying as proof that the letter was sent.

func letterFields() []Field {
	return []Field{{Table: "request_letters", Column: "content", Subject: Candidate, Category: History,
		Label: msg("Brief over een verzoek", "Letter about a request"), Basis: LegalObligation, Retention: []Rule{R1, R3},
		Access: roles{privacy: Read}, Sensitive: true, Source: FromAgency, Purposes: []Purpose{Accountability}},
		// The letter about a data breach (art. 34(2)), kept with the
		// breach, sealed and erased as the request letters are.
		{Table: "breach_letters", Column: "content", Subject: Candidate, Category: History,
			Label: msg("Brief over een datalek", "Letter about a data breach"), Basis: LegalObligation, Retention: []Rule{R1, R3},
			Access: roles{privacy: Read}, Sensitive: true, Source: FromAgency, Purposes: []Purpose{Accountability}}}
}

func letterNonPersonal() []NonPersonal {
	const (
		proof = "the proof that a letter was sent: a closed list, a date, a size or a fingerprint of the file; kept after an erasure without anything that names the candidate"
		ref   = "a reference to another row; the personal data are in that row"
	)
	out := []NonPersonal{
		{"request_letters", "tenant_id", "the agency the row belongs to"},
		{"request_letters", "id", "surrogate key: a number that means nothing outside kluis"},
		{"request_letters", "request_id", ref}, {"request_letters", "user_id", ref},
		{"request_letters", "candidate_id", "the candidate's pseudonymous id: after an erasure nothing in kluis ties it to a person"},
		{"request_letters", "sealed", "whether the content is sealed with the candidate's key"},
		{"request_reminders", "tenant_id", "the agency the row belongs to"},
		{"request_reminders", "request_id", ref},
		{"request_reminders", "kind", "which reminder was sent (due soon or overdue): a closed list"},
		{"request_reminders", "due_on", "the due date the reminder was for"},
		{"request_reminders", "sent_at", "when the reminder was written to the outbox"},
		{"tenant_settings", "request_reminder_days", "a setting of the agency: how many days before a request's due date its handler is reminded"},
	}
	for _, c := range []string{"kind", "lang", "size", "sha256", "erased_at", "created_at"} {
		out = append(out, NonPersonal{"request_letters", c, proof})
	}
	out = append(out, NonPersonal{"breach_letters", "tenant_id", "the agency the row belongs to"},
		NonPersonal{"breach_letters", "id", "surrogate key: a number that means nothing outside kluis"},
		NonPersonal{"breach_letters", "breach_id", ref}, NonPersonal{"breach_letters", "user_id", ref},
		NonPersonal{"breach_letters", "candidate_id", "the candidate's pseudonymous id: after an erasure nothing in kluis ties it to a person"})
	for _, c := range []string{"lang", "size", "sha256", "erased_at", "created_at"} {
		out = append(out, NonPersonal{"breach_letters", c, proof})
	}
	return out
}
