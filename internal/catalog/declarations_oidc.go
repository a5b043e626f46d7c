package catalog

// oidcFields declares the columns of single sign-on (OpenID Connect) that
// hold personal data: of a staff member's session, whether their agency's
// identity provider reported a second factor at the log-in.
func oidcFields() []Field {
	return []Field{{
		Table: "sessions", Column: "idp_mfa", Subject: Staff, Category: Account,
		Label:     msg("Ingelogd met tweestapsverificatie van de identiteitsprovider", "Logged in with the identity provider's multi-factor authentication"),
		Basis:     Contract,
		Retention: []Rule{R7}, Access: accountProfile(), Source: FromAgency, Purposes: []Purpose{StaffAccess},
	}}
}

// oidcNonPersonal declares the columns of single sign-on that hold no
// personal data: the agency's registration at its identity provider, and
// the log-ins under way before anyone is known.
func oidcNonPersonal() []NonPersonal {
	const (
		tenant = "the agency the row belongs to"
		setup  = "the agency's single sign-on set-up: an organisation's configuration, not a person's"
		stamp  = "when the row was written: bookkeeping of the record, not of the person"
	)
	return []NonPersonal{
		{"tenant_sso", "tenant_id", tenant}, {"tenant_sso", "enabled", setup}, {"tenant_sso", "issuer_url", setup},
		{"tenant_sso", "client_id", setup},
		{"tenant_sso", "client_secret", "the agency's credential at its identity provider, sealed with the agency's own key; an organisation's secret, not a person's"},
		{"tenant_sso", "password_login", setup}, {"tenant_sso", "version", "edit counter against lost updates"},
		{"tenant_sso", "updated_at", stamp}, {"tenant_sso", "updated_by", "a reference to another row; the personal data are in that row"},
		{"sso_logins", "tenant_id", tenant}, {"sso_logins", "id", "surrogate key: a number that means nothing outside kluis"},
		{"sso_logins", "token_hash", "hash of the random secret in the cookie of a log-in under way, before anyone is known; gone within ten minutes"},
		{"sso_logins", "next_path", "the page of kluis to go to after the log-in: a path with ids only"},
		{"sso_logins", "lang", "the language of the log-in page the log-in started from"},
		{"sso_logins", "created_at", stamp}, {"sso_logins", "expires_at", stamp},
	}
}
