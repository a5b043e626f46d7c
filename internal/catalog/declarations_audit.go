package catalog

// auditFields declares the columns of the access and audit log that hold
// personal data: what a staff member did, and when. The log holds ids and
// field names, never the values of a candidate's data, so it may outlive
// the candidate (an id with nothing behind it names no one).
func auditFields() []Field {
	log := func(column string, label string, labelEN string) Field {
		return Field{Table: "audit_log", Column: column, Subject: Staff, Category: Account, Label: msg(label, labelEN),
			Basis: LegalObligation, Retention: []Rule{R7}, Access: roles{privacy: Read}, Source: FromAgency,
			Purposes: []Purpose{Accountability}}
	}
	return []Field{
		log("user_id", "Medewerker in het toegangslog", "Staff member in the access log"),
		log("at", "Tijdstip in het toegangslog", "Time in the access log"),
	}
}

// auditNonPersonal declares the columns of the access and audit log that
// hold no personal data.
func auditNonPersonal() []NonPersonal {
	const (
		tenant = "the agency the row belongs to"
		chain  = "hash chain: proves that no entry was changed, removed or inserted"
		what   = "what was done, as a closed-list code or table and column names; never a value"
		ref    = "a reference to another row; the personal data are in that row, and erased with it"
	)
	return []NonPersonal{
		{"audit_heads", "tenant_id", tenant}, {"audit_heads", "seq", chain}, {"audit_heads", "hash", chain},
		{"audit_log", "tenant_id", tenant}, {"audit_log", "seq", chain}, {"audit_log", "prev_hash", chain}, {"audit_log", "hash", chain},
		{"audit_log", "role", what}, {"audit_log", "action", what}, {"audit_log", "entity", what}, {"audit_log", "fields", what},
		{"audit_log", "reason", what}, {"audit_log", "request_id", "the id of the HTTP request, to find its line in the server log"},
		{"audit_log", "entity_id", ref}, {"audit_log", "candidate_id", ref},
	}
}
