package catalog

import "kluis/internal/kluis"

// The candidate portal (/portaal): the candidate's own access to their
// data, and the secrets of its links and sessions.

// portalFields declares the columns of the portal's tokens that hold
// personal data: the keyed hash of the address a link went to (the proof
// that the candidate controls it) and when links and sessions were used.
// They go with the candidate's registration (R1, R3); nobody reads them
// but the privacy officer, who answers for them.
func portalFields() []Field {
	token := func(column string, label kluis.Msg, access roles) Field {
		return Field{Table: "portal_tokens", Column: column, Subject: Candidate, Category: History, Label: label,
			Basis: Contract, Retention: []Rule{R1, R3}, Access: access, Source: FromAgency,
			Purposes: []Purpose{Mediation, Accountability}}
	}
	return []Field{
		token("email_fingerprint", msg("Vingerafdruk van het bevestigde e-mailadres", "Fingerprint of the verified e-mail address"), secretProfile()),
		token("expires_at", msg("Link of portaalsessie geldig tot", "Link or portal session valid until"), roles{privacy: Read}),
		token("used_at", msg("Link gebruikt of portaalsessie beëindigd op", "Link used or portal session ended at"), roles{privacy: Read}),
	}
}

// portalNonPersonal declares the columns of the portal's tokens that hold
// no personal data.
func portalNonPersonal() []NonPersonal {
	return []NonPersonal{
		{"portal_tokens", "tenant_id", "the agency the row belongs to"},
		{"portal_tokens", "id", "surrogate key: a number that means nothing outside kluis"},
		{"portal_tokens", "candidate_id", "a reference to another row; the personal data are in that row"},
		{"portal_tokens", "purpose", "what a token is for: a closed list (verify, login, session)"},
		{"portal_tokens", "token_hash", "hash of a random token of a link or session: it names nobody, and the token cannot be made from it"},
		{"portal_tokens", "created_at", "when the row was written: bookkeeping of the record, not of the person"},
	}
}

// CandidateAccess is what a candidate logged in to the portal sees of
// their own data (role kluis.RoleCandidate). Art. 15 gives them a copy of
// all of it; what the portal withholds, and why:
//
//   - secrets no role sees (hashes, fingerprints): they say nothing about
//     the person and would only help an attacker;
//   - the BSN, the IBAN and the number of an identity document are shown
//     masked: a log-in by a link in an e-mail proves control of a mailbox,
//     not identity to the standard these identifiers need (art. 32); the
//     full values come with the answer to an access request, which the
//     portal files in one step;
//   - the free-text notes staff write with contact moments and the
//     reference of a legal hold: they may name others (clients,
//     colleagues, referees) or a dispute, so they are released only after
//     the privacy officer has read them (art. 15(4)), in the answer to an
//     access request;
//   - copies of the e-mail kluis sent: the candidate received them; the
//     kind of message is shown;
//   - the portal's own bookkeeping of links and sessions.
//
// Everything else of the candidate is read-only to them: the portal never
// writes through the projection; a change is a request for rectification.
func CandidateAccess(f Field) Access {
	switch {
	case f.Subject != Candidate || IsSecret(f):
		return Hidden
	case f.Table == "contact_moments" && f.Column == "note", f.Table == "legal_holds" && f.Column == "reason":
		return Hidden
	case f.Table == "outbox" && f.Column != "kind", f.Table == "portal_tokens":
		return Hidden
	case f.Sensitive && f.Mask != NoMask:
		return Masked
	}
	return Read
}

// withCandidateAccess adds the candidate's own access to every field.
func withCandidateAccess(fs []Field) []Field {
	for i := range fs {
		if a := CandidateAccess(fs[i]); a != Hidden {
			m := make(roles, len(fs[i].Access)+1)
			for r, x := range fs[i].Access {
				m[r] = x
			}
			m[kluis.RoleCandidate] = a
			fs[i].Access = m
		}
	}
	return fs
}

// withCandidateBlobAccess lets a candidate see the list of their own
// documents, of every kind; the portal serves the contents only of the
// kinds they handed in (Portable), as the identity papers and payroll
// documents carry the identifiers it shows masked.
func withCandidateBlobAccess(bs []Blob) []Blob {
	for i := range bs {
		m := make(roles, len(bs[i].Access)+1)
		for r, x := range bs[i].Access {
			m[r] = x
		}
		m[kluis.RoleCandidate] = Read
		bs[i].Access = m
	}
	return bs
}
