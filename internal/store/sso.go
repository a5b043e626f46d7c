package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"kluis/internal/kluis"
)

// Single sign-on with OpenID Connect. An agency's administrator names the
// agency's identity provider (its issuer URL), the client id kluis has
// there and the client secret; the secret is sealed with the agency's own
// key (subject 0 in the key store, as the TOTP secrets are) and read back
// only to redeem a log-in's code. The web layer talks to the provider; the
// store keeps the set-up, the log-ins under way and the session that
// follows.

// SSO is an agency's single sign-on set-up, without its secret.
type SSO struct {
	TenantID  kluis.ID
	Enabled   bool
	IssuerURL string
	ClientID  string
	// SecretSet says whether a client secret is stored; the secret itself
	// is read only by SSOClientSecret.
	SecretSet bool
	// PasswordLogin: staff may log in with a password next to SSO. An
	// administrator always may (PasswordAllowed), so that an agency whose
	// identity provider fails cannot lock itself out.
	PasswordLogin bool
	Version       int64
	UpdatedAt     time.Time
	UpdatedBy     kluis.ID
}

// PasswordAllowed reports whether a user of role r may log in with a
// password at this agency.
func (s *SSO) PasswordAllowed(r kluis.Role) bool {
	return !s.Enabled || s.PasswordLogin || r == kluis.RoleAdmin
}

// SSOChange is what the administrator sets. An empty ClientSecret keeps
// the stored one; without a client id no secret is kept.
type SSOChange struct {
	Enabled       bool
	IssuerURL     string
	ClientID      string
	ClientSecret  string
	PasswordLogin bool
}

// SSOLoginTTL is how long a user has at the identity provider before the
// log-in it started is void.
const SSOLoginTTL = 10 * time.Minute

// CheckSSO normalises c and reports every field that is wrong. secretSet
// says whether the agency has a client secret stored already.
func CheckSSO(c *SSOChange, secretSet bool) error {
	p := kluis.Problems{}
	c.IssuerURL = strings.TrimSpace(c.IssuerURL)
	switch {
	case c.IssuerURL == "":
		if c.Enabled {
			p.Add("issuer_url", "Vul het adres (issuer) van de identiteitsprovider in.", "Fill in the address (issuer) of the identity provider.")
		}
	case len(c.IssuerURL) > 300:
		p.Add("issuer_url", "Een adres heeft hoogstens 300 tekens.", "An address has at most 300 characters.")
	default:
		if msg, ok := checkIssuerURL(c.IssuerURL); !ok {
			p.Add("issuer_url", msg.NL, msg.EN)
		}
	}
	c.ClientID = strings.TrimSpace(c.ClientID)
	switch {
	case c.ClientID == "":
		if c.Enabled {
			p.Add("client_id", "Vul de client-ID in die de identiteitsprovider aan kluis gaf.", "Fill in the client id the identity provider gave kluis.")
		}
	case len(c.ClientID) > 200 || !visibleASCII(c.ClientID):
		p.Add("client_id", "Een client-ID heeft hoogstens 200 letters, cijfers of leestekens, zonder spaties.",
			"A client id has at most 200 letters, digits or punctuation marks, without spaces.")
	}
	// A secret is typed as it is given; spaces around it are no part of it.
	c.ClientSecret = strings.TrimSpace(c.ClientSecret)
	switch {
	case c.ClientSecret != "" && (len(c.ClientSecret) > 500 || !visibleASCII(c.ClientSecret)):
		p.Add("client_secret", "Een clientgeheim heeft hoogstens 500 letters, cijfers of leestekens, zonder spaties.",
			"A client secret has at most 500 letters, digits or punctuation marks, without spaces.")
	case c.ClientSecret != "" && c.ClientID == "":
		p.Add("client_secret", "Een clientgeheim hoort bij een client-ID: vul die ook in.", "A client secret belongs to a client id: fill that in as well.")
	case c.ClientSecret == "" && c.Enabled && !secretSet:
		p.Add("client_secret", "Vul het clientgeheim in dat de identiteitsprovider aan kluis gaf.", "Fill in the client secret the identity provider gave kluis.")
	}
	return p.Err()
}

// checkIssuerURL accepts an absolute https URL without query, fragment or
// user info; plain http only on this machine (a provider for tests).
func checkIssuerURL(raw string) (kluis.Msg, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return kluis.Msg{NL: "Geen geldig adres; het begint met https://.", EN: "Not a valid address; it starts with https://."}, false
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(raw, " \t\r\n") {
		return kluis.Msg{NL: "Het adres van een identiteitsprovider heeft geen gebruikersnaam, ? of #.",
			EN: "The address of an identity provider has no user name, ? or #."}, false
	}
	switch u.Scheme {
	case "https":
		return kluis.Msg{}, true
	case "http":
		if h := u.Hostname(); h == "localhost" || net.ParseIP(h).IsLoopback() {
			return kluis.Msg{}, true
		}
	}
	return kluis.Msg{NL: "Gebruik een adres dat met https:// begint.", EN: "Use an address that starts with https://."}, false
}

func visibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// ssoSecretAAD binds the sealed client secret to its column and agency.
func ssoSecretAAD(tenant kluis.ID) string {
	return sealedAAD("tenant_sso", "client_secret", tenant, tenant)
}

// SSO returns the agency's single sign-on set-up; an agency that never
// saved one gets SSO off with password log-in allowed, at version 0.
func (db *DB) SSO(ctx context.Context, tenant kluis.ID) (*SSO, error) {
	rd, _, done, err := db.reader(ctx, forAgency(tenant))
	if err != nil {
		return nil, err
	}
	defer done()
	s, _, err := ssoOf(ctx, rd, tenant)
	return s, err
}

func ssoOf(ctx context.Context, q querier, tenant kluis.ID) (*SSO, string, error) {
	s := &SSO{TenantID: tenant, PasswordLogin: true}
	var sealed string
	var by sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT enabled, issuer_url, client_id, client_secret, password_login, version, updated_at, updated_by
		FROM tenant_sso WHERE tenant_id = $1`, tenant).
		Scan(&s.Enabled, &s.IssuerURL, &s.ClientID, &sealed, &s.PasswordLogin, &s.Version, &s.UpdatedAt, &by)
	if errors.Is(err, sql.ErrNoRows) {
		return s, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("read sso of tenant %d: %w", tenant, err)
	}
	s.SecretSet, s.UpdatedBy = sealed != "", kluis.ID(by.Int64)
	return s, sealed, nil
}

// SSOClientSecret returns the agency's client secret, opened, to redeem a
// log-in's code at the identity provider; "" when none is stored.
func (db *DB) SSOClientSecret(ctx context.Context, tenant kluis.ID) (string, error) {
	rd, _, done, err := db.reader(ctx, forAgency(tenant))
	if err != nil {
		return "", err
	}
	defer done()
	_, sealed, err := ssoOf(ctx, rd, tenant)
	done()
	if err != nil || sealed == "" {
		return "", err
	}
	k, err := db.tenantKey(ctx, tenant)
	if err != nil {
		return "", err
	}
	plain, err := k.Open(sealed, ssoSecretAAD(tenant))
	if err != nil {
		return "", fmt.Errorf("open tenant_sso.client_secret of tenant %d: %w", tenant, err)
	}
	return plain, nil
}

// SaveSSO stores the administrator's (a's) change if version is still the
// stored one (0 for an agency without a set-up), and returns the set-up as
// stored. Every field is checked before anything is written; the change is
// an entry in the audit log naming the columns changed, never a value.
func (db *DB) SaveSSO(ctx context.Context, a kluis.Actor, c SSOChange, version int64) (*SSO, error) {
	tenant := a.TenantID
	var sealed string
	if s := strings.TrimSpace(c.ClientSecret); s != "" && visibleASCII(s) && len(s) <= 500 {
		// Sealed before the transaction: the key store is a database of
		// its own.
		k, err := db.tenantKey(ctx, tenant)
		if err != nil {
			return nil, err
		}
		if sealed, err = k.Seal(s, ssoSecretAAD(tenant)); err != nil {
			return nil, err
		}
	}
	var out *SSO
	err := db.write(ctx, a, func(tx *writeTx) error {
		old, oldSealed, err := ssoOf(ctx, tx, tenant)
		if err != nil {
			return err
		}
		if old.Version != version {
			return kluis.StaleVersion("single sign-on")
		}
		if err := CheckSSO(&c, old.SecretSet); err != nil {
			return err
		}
		switch {
		case c.ClientID == "":
			sealed = ""
		case c.ClientSecret == "":
			sealed = oldSealed
		}
		next := &SSO{TenantID: tenant, Enabled: c.Enabled, IssuerURL: c.IssuerURL, ClientID: c.ClientID, SecretSet: sealed != "",
			PasswordLogin: c.PasswordLogin, Version: version + 1, UpdatedAt: db.now(), UpdatedBy: a.UserID}
		var changed []string
		for _, f := range []struct {
			name string
			same bool
		}{
			{"enabled", old.Enabled == next.Enabled}, {"issuer_url", old.IssuerURL == next.IssuerURL},
			{"client_id", old.ClientID == next.ClientID}, {"client_secret", oldSealed == sealed},
			{"password_login", old.PasswordLogin == next.PasswordLogin},
		} {
			if !f.same {
				changed = append(changed, f.name)
			}
		}
		tx.record(kluis.AuditEntry{Action: "settings", Entity: "tenant_sso", Fields: changed})
		args := []any{tenant, next.Enabled, next.IssuerURL, next.ClientID, sealed, next.PasswordLogin, next.Version, next.UpdatedAt, nullID(a.UserID)}
		if version == 0 {
			_, err = tx.ExecContext(ctx, `INSERT INTO tenant_sso (tenant_id, enabled, issuer_url, client_id, client_secret, password_login, version, updated_at, updated_by)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, args...)
			if err != nil && kluis.ErrorCode(classify(err)) == kluis.EConflict {
				return kluis.StaleVersion("single sign-on")
			}
			if err != nil {
				return err
			}
		} else {
			res, err := tx.ExecContext(ctx, `UPDATE tenant_sso SET enabled = $2, issuer_url = $3, client_id = $4, client_secret = $5, password_login = $6,
				version = $7, updated_at = $8, updated_by = $9 WHERE tenant_id = $1 AND version = $10`, append(args, version)...)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n != 1 {
				return kluis.StaleVersion("single sign-on")
			}
		}
		out = next
		return nil
	})
	return out, err
}

// LoginSSO finds the agency a log-in page is for and its single sign-on:
// the agency with the short name slug, or, without one, the only agency of
// the installation. It is ENotFound when there is no such agency, or
// several and no slug.
func (db *DB) LoginSSO(ctx context.Context, slug string) (*kluis.Tenant, *SSO, error) {
	var t *kluis.Tenant
	if slug != "" {
		var err error
		if t, err = db.TenantBySlug(ctx, strings.ToLower(slug)); err != nil {
			return nil, nil, err
		}
	} else {
		rows, err := db.r.QueryContext(ctx, "SELECT id, slug, name, created_at FROM tenants ORDER BY id LIMIT 2")
		if err != nil {
			return nil, nil, err
		}
		var ts []kluis.Tenant
		for rows.Next() {
			var x kluis.Tenant
			if err := rows.Scan(&x.ID, &x.Slug, &x.Name, &x.CreatedAt); err != nil {
				rows.Close()
				return nil, nil, err
			}
			ts = append(ts, x)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
		if len(ts) != 1 {
			return nil, nil, kluis.NotFound("tenant")
		}
		t = &ts[0]
	}
	s, err := db.SSO(ctx, t.ID)
	if err != nil {
		return nil, nil, err
	}
	return t, s, nil
}

// StartSSOLogin records a log-in that goes to the agency's identity
// provider and returns its secret, for a cookie of the browser that goes:
// only that browser can finish it, once, within SSOLoginTTL. next is the
// page to go to afterwards, lang the language of the log-in page. Log-ins that ran out are removed here, so the
// table cannot grow without bound.
func (db *DB) StartSSOLogin(ctx context.Context, tenant kluis.ID, next, lang string) (string, error) {
	if lang != "en" {
		lang = "nl"
	}
	secret, err := newSecret()
	if err != nil {
		return "", err
	}
	now := db.now()
	err = db.update(ctx, forAgency(tenant), func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM sso_logins WHERE expires_at <= $1", now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO sso_logins (tenant_id, id, token_hash, next_path, lang, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
			tenant, db.ids.Next(), hashToken(secret), next, lang, now, now.Add(SSOLoginTTL))
		return err
	})
	return secret, err
}

// SSOLogin is a log-in under way at an identity provider.
type SSOLogin struct {
	TenantID kluis.ID
	Slug     string // the agency's short name
	Next     string
	Lang     string
}

// TakeSSOLogin ends the log-in whose cookie holds secret and returns it.
// A log-in is taken once: the second time, or after SSOLoginTTL, it is
// EUnauthorized.
func (db *DB) TakeSSOLogin(ctx context.Context, secret string) (*SSOLogin, error) {
	if secret == "" || len(secret) > 100 {
		return nil, errNoSession
	}
	l := &SSOLogin{}
	var expires time.Time
	err := db.update(ctx, acrossAgencies(), func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "DELETE FROM sso_logins WHERE token_hash = $1 RETURNING tenant_id, next_path, lang, expires_at",
			hashToken(secret)).Scan(&l.TenantID, &l.Next, &l.Lang, &expires)
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT slug FROM tenants WHERE id = $1", l.TenantID).Scan(&l.Slug)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("take sso log-in: %w", err)
	}
	if !db.now().Before(expires) {
		return nil, errNoSession
	}
	return l, nil
}

// CompleteSSOLogin ends a successful log-in through the identity provider
// as CompleteLogin ends one with a password: failures and a lock-out are
// forgotten, the time is noted, the log-in is an entry in the audit log and
// a session starts, all in one transaction. mfa records that the identity
// provider reported a second factor, which then stands for kluis's own. A
// one-time password the administrator made and nobody used lapses, except
// an administrator's: they keep a way in with a password. It returns the
// session's secret.
func (db *DB) CompleteSSOLogin(ctx context.Context, a *Account, mfa bool) (string, error) {
	tenant, user := a.TenantID, a.ID
	var secret string
	err := db.write(ctx, kluis.Actor{TenantID: tenant, UserID: user, Role: a.Role}, func(tx *writeTx) error {
		var role string
		err := tx.QueryRowContext(ctx, "UPDATE users SET failed_logins = 0, lock_count = 0, locked_until = NULL, last_login_at = $1 WHERE tenant_id = $2 AND id = $3 RETURNING role",
			db.now(), tenant, user).Scan(&role)
		if errors.Is(err, sql.ErrNoRows) {
			return errNoSession
		}
		if err != nil {
			return err
		}
		tx.record(kluis.AuditEntry{Action: "login", Entity: "users", EntityID: user})
		if err := lapseOneTimePassword(ctx, tx, tenant, user, kluis.Role(role)); err != nil {
			return err
		}
		if secret, err = db.createSession(ctx, tx.Tx, tenant, user); err != nil {
			return err
		}
		if mfa {
			_, err = tx.ExecContext(ctx, "UPDATE sessions SET idp_mfa = $1 WHERE token_hash = $2", true, hashToken(secret))
		}
		return err
	})
	return secret, err
}

// LapseOneTimePassword ends a one-time password the administrator made
// for a's account and nobody used, when a has shown who they are at the
// agency's identity provider and goes on to kluis's own code: as
// CompleteSSOLogin does. An administrator's stays.
func (db *DB) LapseOneTimePassword(ctx context.Context, a *Account) error {
	return db.write(ctx, kluis.Actor{TenantID: a.TenantID, UserID: a.ID, Role: a.Role}, func(tx *writeTx) error {
		return lapseOneTimePassword(ctx, tx, a.TenantID, a.ID, a.Role)
	})
}

// lapseOneTimePassword removes an unused one-time password of a user who
// is no administrator: after a log-in with the work account nobody needs
// it, and it would stay a way in that the administrator knows.
func lapseOneTimePassword(ctx context.Context, tx *writeTx, tenant, user kluis.ID, role kluis.Role) error {
	if role == kluis.RoleAdmin {
		return nil
	}
	res, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = '', must_change_password = $1, version = version + 1 WHERE tenant_id = $2 AND id = $3 AND must_change_password = $4 AND role <> $5",
		false, tenant, user, true, kluis.RoleAdmin)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 1 {
		tx.record(kluis.AuditEntry{Action: "update", Entity: "users", EntityID: user, Fields: []string{"password_hash", "must_change_password"}})
	}
	return nil
}

// SessionIdPMFA reports whether the session whose cookie holds secret
// began with a second factor at the agency's identity provider.
func (db *DB) SessionIdPMFA(ctx context.Context, secret string) (bool, error) {
	if secret == "" || len(secret) > 100 {
		return false, nil
	}
	var mfa bool
	// The cookie is all there is to go on.
	err := db.readOne(ctx, acrossAgencies(), func(rd querier) error {
		return rd.QueryRowContext(ctx, "SELECT idp_mfa FROM sessions WHERE token_hash = $1", hashToken(secret)).Scan(&mfa)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return mfa, err
}

// TenantByID finds an agency by its id.
func (db *DB) TenantByID(ctx context.Context, id kluis.ID) (*kluis.Tenant, error) {
	t := &kluis.Tenant{}
	err := db.r.QueryRowContext(ctx, "SELECT id, slug, name, created_at FROM tenants WHERE id = $1", id).Scan(&t.ID, &t.Slug, &t.Name, &t.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kluis.NotFound("tenant")
	}
	return t, err
}
