package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"kluis/internal/auth"
	"kluis/internal/kluis"
)

// Session lifetimes: an idle session ends after IdleTimeout, any session
// after MaxAge, whatever its use.
const (
	SessionIdleTimeout = 30 * time.Minute
	SessionMaxAge      = 12 * time.Hour
)

// touchEvery limits the writes that keep a session alive to one a minute.
const touchEvery = time.Minute

// CreateSession starts a log-in session and returns its secret for the
// cookie; only a hash of it is stored.
func (db *DB) CreateSession(ctx context.Context, tenant, user kluis.ID) (string, error) {
	var secret string
	err := db.update(ctx, forAgency(tenant), func(tx *sql.Tx) (err error) {
		secret, err = db.createSession(ctx, tx, tenant, user)
		return err
	})
	return secret, err
}

func (db *DB) createSession(ctx context.Context, tx *sql.Tx, tenant, user kluis.ID) (string, error) {
	secret, err := newSecret()
	if err != nil {
		return "", err
	}
	now := db.now()
	// Expired sessions of this user go now, so the table cannot grow
	// without bound.
	if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2 AND (expires_at <= $3 OR last_seen_at <= $4)",
		tenant, user, now, now.Add(-SessionIdleTimeout)); err != nil {
		return "", err
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO sessions (tenant_id, id, user_id, token_hash, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
		tenant, db.ids.Next(), user, hashToken(secret), now, now, now.Add(SessionMaxAge))
	return secret, err
}

// newSecret returns 256 random bits for a cookie.
func newSecret() (string, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(raw[:]), nil
}

// CompleteLogin ends a successful log-in: the count of failed log-ins and
// any lock-out are reset, the time is noted, and a session starts, all in
// one transaction. It returns the session's secret.
func (db *DB) CompleteLogin(ctx context.Context, tenant, user kluis.ID) (string, error) {
	var secret string
	err := db.update(ctx, forAgency(tenant), func(tx *sql.Tx) error {
		var role string
		err := tx.QueryRowContext(ctx, "UPDATE users SET failed_logins = 0, lock_count = 0, locked_until = NULL, last_login_at = $1 WHERE tenant_id = $2 AND id = $3 RETURNING role",
			db.now(), tenant, user).Scan(&role)
		if errors.Is(err, sql.ErrNoRows) {
			return errNoSession
		}
		if err != nil {
			return err
		}
		if secret, err = db.createSession(ctx, tx, tenant, user); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, tenant, requestIDOf(ctx), []kluis.AuditEntry{{UserID: user, Role: kluis.Role(role),
			Action: "login", Entity: "users", EntityID: user}})
	})
	return secret, err
}

// LoginFailed counts a failed log-in of a user — a wrong password or a
// wrong code alike — and locks the account after auth.LockAfter in a row,
// each lock-out in a row twice as long as the one before. It reports
// whether this failure locked the account. Failures while the account is
// locked are not to be counted: the caller refuses those without asking.
func (db *DB) LoginFailed(ctx context.Context, tenant, user kluis.ID) (bool, error) {
	locked := false
	err := db.update(ctx, forAgency(tenant), func(tx *sql.Tx) error {
		// One statement counts, so that two failures at once on
		// PostgreSQL are both counted; it also locks the row until commit.
		var failed, locks int
		var role string
		err := tx.QueryRowContext(ctx, "UPDATE users SET failed_logins = failed_logins + 1 WHERE tenant_id = $1 AND id = $2 RETURNING failed_logins, lock_count, role",
			tenant, user).Scan(&failed, &locks, &role)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		entry := kluis.AuditEntry{UserID: user, Role: kluis.Role(role), Action: "login-failed", Entity: "users", EntityID: user}
		if failed < auth.LockAfter {
			return db.appendAudit(ctx, tx, tenant, requestIDOf(ctx), []kluis.AuditEntry{entry})
		}
		locked = true
		if err := db.appendAudit(ctx, tx, tenant, requestIDOf(ctx), []kluis.AuditEntry{entry,
			{UserID: user, Role: kluis.Role(role), Action: "locked", Entity: "users", EntityID: user}}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET failed_logins = 0, lock_count = $1, locked_until = $2 WHERE tenant_id = $3 AND id = $4",
			locks+1, db.now().Add(auth.LockDuration(locks+1)), tenant, user); err != nil {
			return err
		}
		// A half-finished log-in ends with the lock-out.
		_, err = tx.ExecContext(ctx, "DELETE FROM login_challenges WHERE tenant_id = $1 AND user_id = $2", tenant, user)
		return err
	})
	return locked, err
}

// LoginChallengeTTL is how long a user has to give the code after the
// password.
const LoginChallengeTTL = 5 * time.Minute

// CreateLoginChallenge records that a user gave the right password and
// must now give a code: the half-logged-in state. It is no session and
// opens no page; its secret (for a cookie of its own) only lets the user
// give the code, once, within LoginChallengeTTL. A user has one at a time.
func (db *DB) CreateLoginChallenge(ctx context.Context, tenant, user kluis.ID) (string, error) {
	secret, err := newSecret()
	if err != nil {
		return "", err
	}
	now := db.now()
	err = db.update(ctx, forAgency(tenant), func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_challenges WHERE (tenant_id = $1 AND user_id = $2) OR expires_at <= $3", tenant, user, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO login_challenges (tenant_id, id, user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
			tenant, db.ids.Next(), user, hashToken(secret), now, now.Add(LoginChallengeTTL))
		return err
	})
	return secret, err
}

// LoginChallengeAccount returns the account of a live half-finished log-in.
func (db *DB) LoginChallengeAccount(ctx context.Context, secret string) (*Account, error) {
	rd, _, done, err := db.reader(ctx, acrossAgencies())
	if err != nil {
		return nil, err
	}
	defer done()
	if secret == "" || len(secret) > 100 {
		return nil, errNoSession
	}
	var tenant, user kluis.ID
	var expires time.Time
	err = rd.QueryRowContext(ctx, "SELECT tenant_id, user_id, expires_at FROM login_challenges WHERE token_hash = $1", hashToken(secret)).
		Scan(&tenant, &user, &expires)
	done()
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("read log-in challenge: %w", err)
	}
	if !db.now().Before(expires) {
		_, _ = db.EndLoginChallenge(ctx, secret)
		return nil, errNoSession
	}
	a, err := db.Account(ctx, tenant, user)
	if kluis.ErrorCode(err) == kluis.ENotFound {
		return nil, errNoSession
	}
	return a, err
}

// EndLoginChallenge ends a half-finished log-in. It reports whether the
// challenge was still there: of two requests with one challenge, only one
// may go on to a session.
func (db *DB) EndLoginChallenge(ctx context.Context, secret string) (bool, error) {
	ended := false
	err := db.update(ctx, acrossAgencies(), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM login_challenges WHERE token_hash = $1", hashToken(secret))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		ended = n == 1
		return err
	})
	return ended, err
}

var errNoSession = kluis.Errorf(kluis.EUnauthorized, "Log opnieuw in.", "Please log in again.")

// SessionUser returns the user of a live session and keeps it alive.
func (db *DB) SessionUser(ctx context.Context, secret string) (*kluis.User, error) {
	a, err := db.SessionAccount(ctx, secret)
	if err != nil {
		return nil, err
	}
	return &a.User, nil
}

// SessionAccount returns the account of a live session and keeps it alive.
func (db *DB) SessionAccount(ctx context.Context, secret string) (*Account, error) {
	if secret == "" || len(secret) > 100 {
		return nil, errNoSession
	}
	hash := hashToken(secret)
	var tenant, user kluis.ID
	var lastSeen, expires time.Time
	// The cookie is all there is to go on: the agency is what it finds.
	err := db.readOne(ctx, acrossAgencies(), func(rd querier) error {
		return rd.QueryRowContext(ctx, "SELECT tenant_id, user_id, last_seen_at, expires_at FROM sessions WHERE token_hash = $1", hash).
			Scan(&tenant, &user, &lastSeen, &expires)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("read session: %w", err)
	}
	now := db.now()
	if !now.Before(expires) || !now.Before(lastSeen.Add(SessionIdleTimeout)) {
		_ = db.EndSession(ctx, secret)
		return nil, errNoSession
	}
	if now.Sub(lastSeen) >= touchEvery {
		if err := db.update(ctx, forAgency(tenant), func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2", now, hash)
			return err
		}); err != nil {
			return nil, err
		}
	}
	a, err := db.Account(ctx, tenant, user)
	if kluis.ErrorCode(err) == kluis.ENotFound {
		return nil, errNoSession
	}
	return a, err
}

// EndSession logs a session out.
func (db *DB) EndSession(ctx context.Context, secret string) error {
	return db.update(ctx, acrossAgencies(), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = $1", hashToken(secret))
		return err
	})
}

// EndUserSessions logs a user out everywhere, half-finished log-ins included.
func (db *DB) EndUserSessions(ctx context.Context, tenant, user kluis.ID) error {
	return db.update(ctx, forAgency(tenant), func(tx *sql.Tx) error { return endAccess(ctx, tx, tenant, user, nil) })
}

// LoginCandidates returns the accounts with this e-mail address: one per
// agency that has it. A log-in names the agency only when there are several.
func (db *DB) LoginCandidates(ctx context.Context, email string) ([]Account, []kluis.Tenant, error) {
	rd, _, done, err := db.reader(ctx, acrossAgencies())
	if err != nil {
		return nil, nil, err
	}
	defer done()
	email = strings.ToLower(strings.TrimSpace(email))
	rows, err := rd.QueryContext(ctx, "SELECT "+prefixed("u", users.selectList())+", t.slug, t.name FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.email = $1 ORDER BY t.slug", email) // #nosec G202 -- a constant column list; values are parameters
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var us []Account
	var ts []kluis.Tenant
	for rows.Next() {
		var u Account
		var t kluis.Tenant
		if err := rows.Scan(append(users.targets(&u), &t.Slug, &t.Name)...); err != nil {
			return nil, nil, err
		}
		t.ID = u.TenantID
		us, ts = append(us, u), append(ts, t)
	}
	return us, ts, rows.Err()
}

// SetLanguage stores the user's choice of interface language.
func (db *DB) SetLanguage(ctx context.Context, tenant, user kluis.ID, lang string) error {
	if lang != "nl" && lang != "en" {
		p := kluis.Problems{}
		p.Add("language", "Kies nl of en.", "Choose nl or en.")
		return p.Err()
	}
	return db.update(ctx, forAgency(tenant), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE users SET language = $1 WHERE tenant_id = $2 AND id = $3", lang, tenant, user)
		return err
	})
}

func prefixed(alias, list string) string {
	cols := strings.Split(list, ", ")
	for i, c := range cols {
		cols[i] = alias + "." + c
	}
	return strings.Join(cols, ", ")
}
