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
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	secret := base64.RawURLEncoding.EncodeToString(raw[:])
	now := db.now()
	err := db.update(ctx, func(tx *sql.Tx) error {
		// Expired sessions of this user go now, so the table cannot grow
		// without bound.
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2 AND (expires_at <= $3 OR last_seen_at <= $4)",
			tenant, user, now, now.Add(-SessionIdleTimeout)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO sessions (tenant_id, id, user_id, token_hash, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
			tenant, db.ids.Next(), user, hashToken(secret), now, now, now.Add(SessionMaxAge))
		return err
	})
	return secret, err
}

var errNoSession = kluis.Errorf(kluis.EUnauthorized, "Log opnieuw in.", "Please log in again.")

// SessionUser returns the user of a live session and keeps it alive.
func (db *DB) SessionUser(ctx context.Context, secret string) (*kluis.User, error) {
	if secret == "" || len(secret) > 100 {
		return nil, errNoSession
	}
	hash := hashToken(secret)
	var tenant, user kluis.ID
	var lastSeen, expires time.Time
	err := db.r.QueryRowContext(ctx, "SELECT tenant_id, user_id, last_seen_at, expires_at FROM sessions WHERE token_hash = $1", hash).
		Scan(&tenant, &user, &lastSeen, &expires)
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
		if err := db.update(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2", now, hash)
			return err
		}); err != nil {
			return nil, err
		}
	}
	var u *kluis.User
	err = db.view(ctx, func(tx *sql.Tx) (err error) {
		u, err = users.get(ctx, db, tx, tenant, user)
		return err
	})
	if kluis.ErrorCode(err) == kluis.ENotFound {
		return nil, errNoSession
	}
	return u, err
}

// EndSession logs a session out.
func (db *DB) EndSession(ctx context.Context, secret string) error {
	return db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = $1", hashToken(secret))
		return err
	})
}

// EndUserSessions logs a user out everywhere.
func (db *DB) EndUserSessions(ctx context.Context, tenant, user kluis.ID) error {
	return db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2", tenant, user)
		return err
	})
}

// LoginCandidates returns the users with this e-mail address: one per
// agency that has it. A log-in names the agency only when there are several.
func (db *DB) LoginCandidates(ctx context.Context, email string) ([]kluis.User, []kluis.Tenant, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	rows, err := db.r.QueryContext(ctx, "SELECT "+prefixed("u", users.selectList())+", t.slug, t.name FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.email = $1 ORDER BY t.slug", email)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var us []kluis.User
	var ts []kluis.Tenant
	for rows.Next() {
		var u kluis.User
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
	return db.update(ctx, func(tx *sql.Tx) error {
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
