package catalog

// The privacy statement and the proof of informing. The statement's texts
// are the agency's, the same for everyone; the proof that a candidate was
// informed is a contact moment (declared with the history), which names
// the version it concerns. The send-to-all job holds ids and counts only.

func statementNonPersonal() []NonPersonal {
	const (
		ref   = "a reference to another row; the personal data are in that row"
		stamp = "bookkeeping of the statement or the job, not of a person"
		count = "a state from a closed list or a count of a job: no personal data"
	)
	out := []NonPersonal{
		{"privacy_statements", "tenant_id", "the agency the row belongs to"},
		{"privacy_statements", "version", "the number of a version of the agency's statement"},
		{"privacy_statements", "text_nl", "the agency's privacy statement, the same text for everyone: no one's personal data"},
		{"privacy_statements", "text_en", "the agency's privacy statement, the same text for everyone: no one's personal data"},
		{"privacy_statements", "filled_nl", "the agency's privacy statement as published, its tables filled in: the same text for everyone, no one's personal data"},
		{"privacy_statements", "filled_en", "the agency's privacy statement as published, its tables filled in: the same text for everyone, no one's personal data"},
		{"privacy_statements", "published_by", ref},
		{"privacy_statements", "published_at", stamp},
		{"contact_moments", "statement_version", "a reference to the version of the agency's privacy statement a contact moment concerns; the moment itself is declared"},
		{"contact_moments", "statement_channel", "how the statement was given on a moment that proves informing: a closed list (desk, check-in, portal, email); the moment itself is declared"},
		{"contact_moments", "outbox_id", ref + " (the e-mail that carried a sent statement)"},
		{"contact_moments", "delivery", "how the e-mail of a sent statement went: a closed list (pending, sent, failed)"},
		{"statement_sends", "tenant_id", "the agency the row belongs to"},
		{"statement_sends", "id", "surrogate key: a number that means nothing outside kluis"},
		{"statement_sends", "version", "the number of a version of the agency's statement"},
		{"statement_sends", "user_id", ref},
		{"statement_send_items", "tenant_id", "the agency the row belongs to"},
		{"statement_send_items", "send_id", ref},
		{"statement_send_items", "candidate_id", ref},
		{"statement_send_items", "state", count},
	}
	for _, c := range []string{"state", "total", "done", "sent", "skipped", "failed"} {
		out = append(out, NonPersonal{"statement_sends", c, count})
	}
	for _, c := range []string{"started_at", "heartbeat_at", "finished_at"} {
		out = append(out, NonPersonal{"statement_sends", c, stamp})
	}
	return out
}
