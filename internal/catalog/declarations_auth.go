package catalog

import "kluis/internal/kluis"

// authFields declares the columns of staff log-in security (two-factor
// log-in, lock-out) that hold personal data. All of it is about a staff
// member's account and goes with it; the secrets are seen by no one.
func authFields() []Field {
	account := func(table, column string, label kluis.Msg, rules []Rule, access roles) Field {
		return Field{Table: table, Column: column, Subject: Staff, Category: Account, Label: label, Basis: Contract,
			Retention: rules, Access: access, Source: FromStaff, Purposes: []Purpose{StaffAccess}}
	}
	f := []Field{
		account("users", "must_change_password", msg("Moet een nieuw wachtwoord kiezen", "Must choose a new password"), []Rule{RAccount}, accountProfile()),
		account("users", "totp_secret", msg("Geheim van de tweestapsverificatie", "Two-step verification secret"), []Rule{RAccount}, secretProfile()),
		account("users", "totp_pending", msg("Geheim van de tweestapsverificatie, nog niet bevestigd", "Two-step verification secret, not yet confirmed"), []Rule{RAccount}, secretProfile()),
		account("users", "totp_since", msg("Tweestapsverificatie sinds", "Two-step verification since"), []Rule{RAccount}, accountProfile()),
		// The last time step whose code was used tells, to 30 seconds,
		// when the user last logged in with a code.
		account("users", "totp_last_step", msg("Laatst gebruikte code (tijdvak)", "Last code used (time step)"), []Rule{RAccount}, secretProfile()),
		account("users", "failed_logins", msg("Mislukte inlogpogingen op rij", "Failed log-ins in a row"), []Rule{RAccount}, accountProfile()),
		account("users", "lock_count", msg("Blokkeringen op rij", "Lock-outs in a row"), []Rule{RAccount}, accountProfile()),
		account("users", "locked_until", msg("Geblokkeerd tot", "Locked until"), []Rule{RAccount}, accountProfile()),
		account("users", "last_login_at", msg("Laatst ingelogd", "Last log-in"), []Rule{RAccount}, accountProfile()),
		account("recovery_codes", "code_hash", msg("Herstelcode (hash)", "Recovery code (hash)"), []Rule{RAccount}, secretProfile()),
		account("login_challenges", "token_hash", msg("Half voltooide aanmelding (hash)", "Half-finished log-in (hash)"), []Rule{R7}, secretProfile()),
		account("login_challenges", "expires_at", msg("Half voltooide aanmelding verloopt", "Half-finished log-in expires"), []Rule{R7}, accountProfile()),
	}
	for i := range f {
		switch f[i].Column {
		case "totp_secret", "totp_pending":
			// Sealed with the agency's own key (a staff member has no key
			// of their own: their row is deleted when they leave).
			f[i].Sensitive = true
		}
	}
	return f
}

// authNonPersonal declares the columns of staff log-in security that hold
// no personal data.
func authNonPersonal() []NonPersonal {
	const (
		key    = "surrogate key: a number that means nothing outside kluis"
		tenant = "the agency the row belongs to"
		ref    = "a reference to another row; the personal data are in that row"
		stamp  = "when the row was written: bookkeeping of the record, not of the person"
	)
	out := []NonPersonal{{"users", "version", "edit counter against lost updates"}}
	for _, t := range []string{"recovery_codes", "login_challenges"} {
		out = append(out, NonPersonal{t, "tenant_id", tenant}, NonPersonal{t, "id", key},
			NonPersonal{t, "user_id", ref}, NonPersonal{t, "created_at", stamp})
	}
	return out
}

// identifierCategories are the categories of candidate data whose full
// values the law ties to payroll: the BSN, the IBAN and identity documents.
var identifierCategories = map[Category]bool{BSN: true, Financial: true, IDDocument: true}

// IdentifierFields are a candidate's BSN, IBAN and identity document
// number: the sensitive fields of those categories.
func (c *Catalog) IdentifierFields() []Field {
	var out []Field
	for _, f := range c.fields {
		if f.Subject == Candidate && f.Sensitive && identifierCategories[f.Category] {
			out = append(out, f)
		}
	}
	return out
}

// IdentifierBlobs are the kinds of file that hold identity documents.
func (c *Catalog) IdentifierBlobs() []Blob {
	var out []Blob
	for _, b := range c.blobs {
		if b.Category == IDDocument {
			out = append(out, b)
		}
	}
	return out
}

// SeesIdentifiers reports whether a role may see in full (read or write)
// a candidate's BSN, IBAN or identity document.
func (c *Catalog) SeesIdentifiers(r kluis.Role) bool {
	for _, f := range c.IdentifierFields() {
		if f.AccessOf(r) >= Read {
			return true
		}
	}
	for _, b := range c.IdentifierBlobs() {
		if b.AccessOf(r) >= Read {
			return true
		}
	}
	return false
}

// ManagesStaff reports whether a role may change the roles of staff
// members, and so who sees what: it is the role that manages log-ins.
func (c *Catalog) ManagesStaff(r kluis.Role) bool {
	f, ok := c.Field("users", "role")
	return ok && f.AccessOf(r) == Write
}

// RequiresTwoFactor reports whether a role must log in with a second
// factor (GDPR art. 32): every role that sees identifiers in full, and the
// role that manages log-ins, since it can reset anyone's password and
// second factor and so could otherwise reach the identifiers with a
// password alone. An integration signs in with an API token, never with a
// password, and is not asked.
func (c *Catalog) RequiresTwoFactor(r kluis.Role) bool {
	if r == kluis.RoleIntegration {
		return false
	}
	return c.SeesIdentifiers(r) || c.ManagesStaff(r)
}
