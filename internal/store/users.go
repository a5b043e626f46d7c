package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"kluis/internal/kluis"
)

// Account is a staff user with the state of their log-in: what the
// administrator's user list shows and what a log-in checks. The secrets
// (password hash aside) are not in it: TOTP secrets and recovery codes are
// read only by the calls that check them.
type Account struct {
	kluis.User
	// Version counts the changes made to the account by people (an
	// administrator, the user), so that two administrators cannot
	// overwrite each other. Log-in bookkeeping does not count.
	Version int64
	// MustChangePassword: the password was set by an administrator and
	// works for one log-in, after which the user chooses their own.
	MustChangePassword bool
	// TOTPSince is when two-factor log-in was set up; nil when it is not.
	TOTPSince *time.Time
	// FailedLogins are the failed log-ins in a row since the last
	// success or lock-out; LockCount the lock-outs in a row.
	FailedLogins int
	LockCount    int
	LockedUntil  *time.Time
	LastLoginAt  *time.Time
}

// LockedAt reports whether the account is locked at t.
func (a *Account) LockedAt(t time.Time) bool { return a.LockedUntil != nil && t.Before(*a.LockedUntil) }

// HasTOTP reports whether two-factor log-in is set up.
func (a *Account) HasTOTP() bool { return a.TOTPSince != nil }

var users = &table[Account]{
	name: "users", kind: "user",
	columns: []string{"email", "name", "role", "branch_id", "language", "password_hash", "created_at",
		"version", "must_change_password", "totp_since", "failed_logins", "lock_count", "locked_until", "last_login_at"},
	values: func(a *Account) []any {
		return []any{a.Email, a.Name, a.Role, nullID(a.BranchID), a.Language, a.PasswordHash, a.CreatedAt,
			a.Version, a.MustChangePassword, a.TOTPSince, a.FailedLogins, a.LockCount, a.LockedUntil, a.LastLoginAt}
	},
	targets: func(a *Account) []any {
		return []any{&a.TenantID, &a.ID, &a.Email, &a.Name, &a.Role, (*nullID)(&a.BranchID), &a.Language, &a.PasswordHash, &a.CreatedAt,
			&a.Version, &a.MustChangePassword, &a.TOTPSince, &a.FailedLogins, &a.LockCount, &a.LockedUntil, &a.LastLoginAt}
	},
	version: func(a *Account) *int64 { return &a.Version },
	key:     func(a *Account) (*kluis.ID, *kluis.ID) { return &a.TenantID, &a.ID },
}

// CreateUser adds a staff member, as the operator does on the command
// line and the demo does: the way an agency's first users are made, before
// anyone can be named in its audit log, so it writes no entry there.
// passwordHash is made by the caller (argon2id); an empty hash means the
// user cannot log in with a password.
func (db *DB) CreateUser(ctx context.Context, tenant kluis.ID, u *kluis.User) error {
	a := &Account{User: *u}
	err := db.CreateOperatorAccount(ctx, tenant, a)
	*u = a.User
	return err
}

// CreateOperatorAccount is CreateUser with the state of the log-in: set
// MustChangePassword when the operator passes the password on.
func (db *DB) CreateOperatorAccount(ctx context.Context, tenant kluis.ID, a *Account) error {
	return db.createAccount(ctx, kluis.Actor{TenantID: tenant}, a, false)
}

// CreateAccount adds a staff member as an administrator (actor) does: with
// a name and a role to log in with (an integration is made with CreateUser
// and signs in with a token). Set MustChangePassword when the password is
// one the administrator passes on.
func (db *DB) CreateAccount(ctx context.Context, actor kluis.Actor, a *Account) error {
	return db.createAccount(ctx, actor, a, true)
}

func (db *DB) createAccount(ctx context.Context, actor kluis.Actor, a *Account, asAdmin bool) error {
	p := kluis.Problems{}
	cleanUser(&a.User, p, asAdmin)
	if a.Language == "" {
		a.Language = "nl"
	}
	if a.Language != "nl" && a.Language != "en" {
		p.Add("language", "Kies nl of en.", "Choose nl or en.")
	}
	a.TenantID, a.ID, a.CreatedAt, a.Version = actor.TenantID, db.ids.Next(), db.now(), 1
	insert := func(tx querier) error {
		if err := checkUserRefs(ctx, tx, &a.User, p); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		return users.insert(ctx, db, tx, a)
	}
	if !asAdmin {
		return db.update(ctx, forAgency(a.TenantID), func(tx *sql.Tx) error { return insert(tx) })
	}
	// The administrator's addition is audited: the insert records it on
	// the write transaction.
	return db.write(ctx, actor, func(tx *writeTx) error { return insert(tx) })
}

// cleanUser normalises and checks the fields a person types; asAdmin adds
// the rules of the administrator's screen (a name; a role that logs in).
func cleanUser(u *kluis.User, p kluis.Problems, asAdmin bool) {
	if e, ok := kluis.NormalizeEmail(u.Email); ok {
		u.Email = strings.ToLower(e)
	} else {
		p.Add("email", "Geen geldig e-mailadres.", "Not a valid e-mail address.")
	}
	switch {
	case u.Role == "" && asAdmin:
		p.Add("role", "Kies een rol.", "Choose a role.")
	case !u.Role.Valid():
		p.Add("role", "Onbekende rol.", "Unknown role.")
	case asAdmin && u.Role == kluis.RoleIntegration:
		p.Add("role", "Een koppeling logt niet in met een wachtwoord: maak die aan met kluis user add en kluis token create.",
			"An integration does not log in with a password: create it with kluis user add and kluis token create.")
	}
	name, ok := kluis.CleanLine(u.Name, 200)
	switch {
	case !ok:
		p.Add("name", "Een naam heeft hoogstens 200 tekens op één regel.", "A name has at most 200 characters on one line.")
	case name == "" && asAdmin:
		p.Add("name", "Vul de naam in.", "Fill in the name.")
	}
	u.Name = name
}

// checkUserRefs checks what a user's fields refer to: the branch exists,
// and no other user of the agency has the e-mail address (it is the login).
func checkUserRefs(ctx context.Context, tx querier, u *kluis.User, p kluis.Problems) error {
	if u.BranchID != 0 {
		if ok, err := branches.exists(ctx, tx, u.TenantID, u.BranchID); err != nil {
			return err
		} else if !ok {
			p.Add("branch_id", "Deze vestiging bestaat niet.", "This branch does not exist.")
		}
	}
	if u.Email != "" {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE tenant_id = $1 AND email = $2 AND id <> $3",
			u.TenantID, u.Email, u.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			p.Add("email", "Er is al een gebruiker met dit e-mailadres.", "There is a user with this e-mail address already.")
		}
	}
	return nil
}

// UserEdit is what an administrator changes of a user.
type UserEdit struct {
	Name     string
	Email    string
	Role     kluis.Role
	BranchID kluis.ID
}

// UpdateUser changes a user's name, e-mail address, role and branch, if
// the account is still at version. A change of role ends the user's
// sessions: what they may see changes with it, and so may whether they
// must log in with a second factor. The agency's last administrator keeps
// the role, so that someone can still manage the users.
func (db *DB) UpdateUser(ctx context.Context, a kluis.Actor, id kluis.ID, version int64, e UserEdit) (*Account, error) {
	tenant := a.TenantID
	var out *Account
	err := db.write(ctx, a, func(tx *writeTx) error {
		cur, err := users.get(ctx, db, tx, tenant, id)
		if err != nil {
			return err
		}
		if cur.Role == kluis.RoleIntegration {
			return errIntegrationAccount
		}
		next := *cur
		next.Name, next.Email, next.Role, next.BranchID = e.Name, e.Email, e.Role, e.BranchID
		p := kluis.Problems{}
		cleanUser(&next.User, p, true)
		if err := checkUserRefs(ctx, tx, &next.User, p); err != nil {
			return err
		}
		if cur.Role == kluis.RoleAdmin && next.Role != kluis.RoleAdmin && next.Role.Valid() {
			var admins int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE tenant_id = $1 AND role = $2", tenant, kluis.RoleAdmin).Scan(&admins); err != nil {
				return err
			}
			if admins <= 1 {
				p.Add("role", "Dit is de laatste beheerder van het bureau: geef eerst iemand anders die rol.",
					"This is the agency's last administrator: give someone else that role first.")
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := bumpUser(ctx, tx, tenant, id, version, "email = $4, name = $5, role = $6, branch_id = $7",
			next.Email, next.Name, next.Role, nullID(next.BranchID)); err != nil {
			return err
		}
		if next.Role != cur.Role {
			if err := endAccess(ctx, tx, tenant, id, nil); err != nil {
				return err
			}
		}
		tx.record(kluis.AuditEntry{Action: "update", Entity: "users", EntityID: id, Fields: changedColumns(users, cur, &next)})
		next.Version = version + 1
		out = &next
		return nil
	})
	return out, err
}

var errIntegrationAccount = kluis.Errorf(kluis.EInvalid,
	"Een koppeling wordt beheerd met de opdrachtregel (kluis user, kluis token).",
	"An integration is managed on the command line (kluis user, kluis token).")

// bumpUser applies set (with its arguments from $4 on) to the user if the
// account is still at version, and counts the change.
func bumpUser(ctx context.Context, tx querier, tenant, id kluis.ID, version int64, set string, args ...any) error {
	if set != "" {
		set += ", "
	}
	res, err := tx.ExecContext(ctx, "UPDATE users SET "+set+"version = version + 1 WHERE tenant_id = $1 AND id = $2 AND version = $3",
		append([]any{tenant, id, version}, args...)...)
	if err != nil {
		return fmt.Errorf("update user: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return users.missingOrStale(ctx, tx, tenant, id)
	}
	return nil
}

// endAccess ends a user's sessions, all but the one whose hash is keep,
// and their half-finished log-ins.
func endAccess(ctx context.Context, tx querier, tenant, user kluis.ID, keep []byte) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM login_challenges WHERE tenant_id = $1 AND user_id = $2", tenant, user); err != nil {
		return err
	}
	if keep == nil {
		keep = []byte{} // matches no hash
	}
	_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2 AND token_hash <> $3", tenant, user, keep)
	return err
}

// ResetPassword gives a user a password an administrator passes on: it
// works for one log-in, after which the user must choose their own. The
// user's sessions end and a lock-out is lifted.
func (db *DB) ResetPassword(ctx context.Context, a kluis.Actor, id kluis.ID, version int64, hash string) error {
	tenant := a.TenantID
	return db.write(ctx, a, func(tx *writeTx) error {
		if err := refuseIntegration(ctx, db, tx, tenant, id); err != nil {
			return err
		}
		if err := bumpUser(ctx, tx, tenant, id, version,
			"password_hash = $4, must_change_password = $5, failed_logins = 0, lock_count = 0, locked_until = NULL", hash, true); err != nil {
			return err
		}
		tx.record(kluis.AuditEntry{Action: "update", Entity: "users", EntityID: id,
			Fields: []string{"password_hash", "must_change_password", "locked_until"}})
		return endAccess(ctx, tx, tenant, id, nil)
	})
}

// ResetTOTP removes a user's two-factor log-in and recovery codes, for a
// user whose phone is lost; their sessions end. A user whose role
// requires it sets it up again at the next log-in.
func (db *DB) ResetTOTP(ctx context.Context, a kluis.Actor, id kluis.ID, version int64) error {
	tenant := a.TenantID
	return db.write(ctx, a, func(tx *writeTx) error {
		if err := refuseIntegration(ctx, db, tx, tenant, id); err != nil {
			return err
		}
		if err := bumpUser(ctx, tx, tenant, id, version, totpCleared); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM recovery_codes WHERE tenant_id = $1 AND user_id = $2", tenant, id); err != nil {
			return err
		}
		tx.record(kluis.AuditEntry{Action: "update", Entity: "users", EntityID: id, Fields: totpFields})
		return endAccess(ctx, tx, tenant, id, nil)
	})
}

// totpFields are the columns of two-factor log-in, as the audit log names them.
var totpFields = []string{"totp_secret", "totp_since"}

const totpCleared = "totp_secret = '', totp_pending = '', totp_since = NULL, totp_last_step = 0"

// Unlock lifts a lock-out after failed log-ins.
func (db *DB) Unlock(ctx context.Context, a kluis.Actor, id kluis.ID, version int64) error {
	return db.write(ctx, a, func(tx *writeTx) error {
		if err := bumpUser(ctx, tx, a.TenantID, id, version, "failed_logins = 0, lock_count = 0, locked_until = NULL"); err != nil {
			return err
		}
		tx.record(kluis.AuditEntry{Action: "update", Entity: "users", EntityID: id, Fields: []string{"locked_until"}})
		return nil
	})
}

func refuseIntegration(ctx context.Context, db *DB, tx querier, tenant, id kluis.ID) error {
	a, err := users.get(ctx, db, tx, tenant, id)
	if err != nil {
		return err
	}
	if a.Role == kluis.RoleIntegration {
		return errIntegrationAccount
	}
	return nil
}

// ChangePassword sets the password the user (actor) chose themselves.
// Their other sessions end (keepSession is the secret of the one they
// changed it in; "" ends all).
func (db *DB) ChangePassword(ctx context.Context, a kluis.Actor, hash, keepSession string) error {
	var keep []byte
	if keepSession != "" {
		keep = hashToken(keepSession)
	}
	return db.write(ctx, a, func(tx *writeTx) error {
		res, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = $1, must_change_password = $2, version = version + 1 WHERE tenant_id = $3 AND id = $4",
			hash, false, a.TenantID, a.UserID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kluis.NotFound("user")
		}
		tx.record(kluis.AuditEntry{Action: "update", Entity: "users", EntityID: a.UserID, Fields: []string{"password_hash", "must_change_password"}})
		return endAccess(ctx, tx, a.TenantID, a.UserID, keep)
	})
}

// Account returns a user of the tenant with the state of their log-in.
func (db *DB) Account(ctx context.Context, tenant, id kluis.ID) (*Account, error) {
	var out *Account
	err := db.view(ctx, forAgency(tenant), func(tx *sql.Tx) (err error) {
		out, err = users.get(ctx, db, tx, tenant, id)
		return err
	})
	return out, err
}

// Accounts lists the tenant's users by name, with the state of their log-in.
func (db *DB) Accounts(ctx context.Context, tenant kluis.ID) ([]Account, error) {
	var out []Account
	err := db.view(ctx, forAgency(tenant), func(tx *sql.Tx) (err error) {
		out, _, err = users.list(ctx, db, tx, tenantWhere(tenant), "lower(name), email", kluis.Page{Limit: kluis.MaxPageSize})
		return err
	})
	return out, err
}

// AccountByEmail finds a user of the tenant by e-mail address.
func (db *DB) AccountByEmail(ctx context.Context, tenant kluis.ID, email string) (*Account, error) {
	var out []Account
	err := db.view(ctx, forAgency(tenant), func(tx *sql.Tx) (err error) {
		w := tenantWhere(tenant)
		w.add("email = ?", strings.ToLower(strings.TrimSpace(email)))
		out, _, err = users.list(ctx, db, tx, w, "id", kluis.Page{Limit: 1})
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, kluis.NotFound("user")
	}
	return &out[0], nil
}

// UserByEmail finds a user of the tenant.
func (db *DB) UserByEmail(ctx context.Context, tenant kluis.ID, email string) (*kluis.User, error) {
	a, err := db.AccountByEmail(ctx, tenant, email)
	if err != nil {
		return nil, err
	}
	return &a.User, nil
}

// Users lists the tenant's users.
func (db *DB) Users(ctx context.Context, tenant kluis.ID) ([]kluis.User, error) {
	var out []Account
	err := db.view(ctx, forAgency(tenant), func(tx *sql.Tx) (err error) {
		out, _, err = users.list(ctx, db, tx, tenantWhere(tenant), "email", kluis.Page{Limit: kluis.MaxPageSize})
		return err
	})
	us := make([]kluis.User, len(out))
	for i := range out {
		us[i] = out[i].User
	}
	return us, err
}

// SetPassword replaces a user's password hash.
func (db *DB) SetPassword(ctx context.Context, tenant, user kluis.ID, hash string) error {
	return db.update(ctx, forAgency(tenant), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = $1 WHERE tenant_id = $2 AND id = $3", hash, tenant, user)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kluis.NotFound("user")
		}
		return nil
	})
}

// DemoUsersExist reports whether any tenant has a user of the demo data set;
// serve refuses to run in production with their well-known password.
func (db *DB) DemoUsersExist(ctx context.Context) (bool, error) {
	rd, _, done, err := db.reader(ctx, acrossAgencies())
	if err != nil {
		return false, err
	}
	defer done()
	var n int
	err = rd.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE email LIKE $1", "%@"+DemoDomain).Scan(&n)
	return n > 0, err
}

// DemoDomain is the e-mail domain of the demo users.
const DemoDomain = "demo.kluis.test"

// tokenPrefix marks kluis tokens so secret scanners can find leaked ones.
const tokenPrefix = "kluis_"

func hashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// CreateToken makes an API token for a user with every scope (what the
// user's role allows) and returns its secret, which is shown once and
// stored only as a hash.
func (db *DB) CreateToken(ctx context.Context, tenant, user kluis.ID, name string, ttl time.Duration) (string, *kluis.Token, error) {
	return db.CreateScopedToken(ctx, tenant, user, name, ttl, kluis.AllScopes)
}

// CreateScopedToken makes an API token limited to scopes (see
// kluis.ParseScopes).
func (db *DB) CreateScopedToken(ctx context.Context, tenant, user kluis.ID, name string, ttl time.Duration, scopes string) (string, *kluis.Token, error) {
	scopes, err := kluis.ParseScopes(scopes)
	if err != nil {
		return "", nil, err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", nil, err
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	name, _ = kluis.CleanLine(name, 100)
	t := &kluis.Token{TenantID: tenant, ID: db.ids.Next(), UserID: user, Name: name, Hash: hashToken(secret), CreatedAt: db.now(), Scopes: scopes}
	if ttl > 0 {
		exp := t.CreatedAt.Add(ttl)
		t.ExpiresAt = &exp
	}
	err = db.update(ctx, forAgency(tenant), func(tx *sql.Tx) error {
		if ok, err := users.exists(ctx, tx, tenant, user); err != nil {
			return err
		} else if !ok {
			return kluis.NotFound("user")
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO api_tokens (tenant_id, id, user_id, name, hash, created_at, expires_at, scopes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
			t.TenantID, t.ID, t.UserID, t.Name, t.Hash, t.CreatedAt, t.ExpiresAt, t.Scopes)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// DeleteTokens removes the tokens of a user that carry the given name.
func (db *DB) DeleteTokens(ctx context.Context, tenant, user kluis.ID, name string) error {
	return db.update(ctx, forAgency(tenant), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM api_tokens WHERE tenant_id = $1 AND user_id = $2 AND name = $3", tenant, user, name)
		return err
	})
}

// Authenticate resolves a bearer token to the actor it speaks for.
func (db *DB) Authenticate(ctx context.Context, secret string) (kluis.Actor, error) {
	_, rdp, done, err := db.reader(ctx, acrossAgencies())
	if err != nil {
		return kluis.Actor{}, err
	}
	defer done()
	unauth := kluis.Errorf(kluis.EUnauthorized, "Log in met een geldig token.", "Authenticate with a valid token.")
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 100 {
		return kluis.Actor{}, unauth
	}
	var a kluis.Actor
	var tokenID, branch kluis.ID
	var expires *time.Time
	err = rdp.QueryRowContext(ctx, `SELECT t.tenant_id, t.id, t.user_id, u.role, u.branch_id, t.expires_at, t.scopes
		FROM api_tokens t JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.user_id
		WHERE t.hash = $1`, hashToken(secret)).Scan(&a.TenantID, &tokenID, &a.UserID, &a.Role, (*nullID)(&branch), &expires, &a.Scopes)
	if errors.Is(err, sql.ErrNoRows) {
		return kluis.Actor{}, unauth
	}
	if err != nil {
		return kluis.Actor{}, fmt.Errorf("authenticate: %w", err)
	}
	if expires != nil && !db.now().Before(*expires) {
		return kluis.Actor{}, unauth
	}
	if kluis.BranchBound(a.Role) {
		a.Branch = branch
	}
	return a, nil
}
