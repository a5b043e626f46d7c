package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"kluis/internal/auth"
	"kluis/internal/kluis"
	"kluis/internal/vault"
)

// Two-factor log-in. A user's TOTP secret is personal data and a secret:
// it is sealed with the agency's own key (subject 0 in the key store, as
// the BSN fingerprints are), bound to its column and user, so that neither
// the database file nor a backup of it gives it away. A staff member has
// no key of their own: when they leave, their row is deleted, secret and
// all.

// tenantKey returns the agency's own key, made at its first use.
func (db *DB) tenantKey(ctx context.Context, tenant kluis.ID) (*vault.SubjectKey, error) {
	if db.vault == nil {
		return nil, errNoVault
	}
	k, err := db.vault.Key(ctx, tenant, tenantKeySubject)
	if errors.Is(err, vault.ErrNoKey) {
		if err := db.vault.Create(ctx, tenant, tenantKeySubject); err != nil {
			return nil, err
		}
		k, err = db.vault.Key(ctx, tenant, tenantKeySubject)
	}
	return k, err
}

// StartTOTPSetup gives a user a new TOTP secret to add to their app. It is
// kept aside until ConfirmTOTP sees a first code made with it; two-factor
// log-in as it was (if any) goes on working until then.
func (db *DB) StartTOTPSetup(ctx context.Context, tenant, user kluis.ID) (string, error) {
	secret, err := auth.NewTOTPSecret()
	if err != nil {
		return "", err
	}
	if err := db.SetPendingTOTP(ctx, tenant, user, secret); err != nil {
		return "", err
	}
	return secret, nil
}

// SetPendingTOTP starts a set-up with a given secret, for a program that
// must show the same one each time (the screenshots of the manual).
func (db *DB) SetPendingTOTP(ctx context.Context, tenant, user kluis.ID, secret string) error {
	if !auth.ValidTOTPSecret(secret) {
		return kluis.Errorf(kluis.EInvalid, "Geen bruikbaar TOTP-geheim.", "Not a usable TOTP secret.")
	}
	k, err := db.tenantKey(ctx, tenant)
	if err != nil {
		return err
	}
	sealed, err := k.Seal(secret, sealedAAD("users", "totp_pending", tenant, user))
	if err != nil {
		return err
	}
	return db.update(ctx, forAgency(tenant), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE users SET totp_pending = $1 WHERE tenant_id = $2 AND id = $3", sealed, tenant, user)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kluis.NotFound("user")
		}
		return nil
	})
}

// PendingTOTP returns the secret being set up, "" when none is.
func (db *DB) PendingTOTP(ctx context.Context, tenant, user kluis.ID) (string, error) {
	rd, _, done, err := db.reader(ctx, forAgency(tenant))
	if err != nil {
		return "", err
	}
	defer done()
	var sealed string
	err = rd.QueryRowContext(ctx, "SELECT totp_pending FROM users WHERE tenant_id = $1 AND id = $2", tenant, user).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", kluis.NotFound("user")
	}
	if err != nil || sealed == "" {
		return "", err
	}
	return db.openTOTP(ctx, tenant, user, "totp_pending", sealed)
}

func (db *DB) openTOTP(ctx context.Context, tenant, user kluis.ID, column, sealed string) (string, error) {
	k, err := db.tenantKey(ctx, tenant)
	if err != nil {
		return "", err
	}
	plain, err := k.Open(sealed, sealedAAD("users", column, tenant, user))
	if err != nil {
		return "", fmt.Errorf("open users.%s of user %d: %w", column, user, err)
	}
	return plain, nil
}

// ConfirmTOTP finishes the set-up by the user (actor): when code was made
// with the pending secret, it becomes the user's secret (the code counts as
// used), and the user gets new recovery codes, returned here once and
// stored as hashes. A wrong code is a field error on "code".
func (db *DB) ConfirmTOTP(ctx context.Context, a kluis.Actor, code string) ([]string, error) {
	tenant, user := a.TenantID, a.UserID
	k, err := db.tenantKey(ctx, tenant)
	if err != nil {
		return nil, err
	}
	codes, err := auth.NewRecoveryCodes(auth.RecoveryCodes)
	if err != nil {
		return nil, err
	}
	err = db.write(ctx, a, func(tx *writeTx) error {
		var pending string
		err := tx.QueryRowContext(ctx, "SELECT totp_pending FROM users WHERE tenant_id = $1 AND id = $2", tenant, user).Scan(&pending)
		if errors.Is(err, sql.ErrNoRows) {
			return kluis.NotFound("user")
		}
		if err != nil {
			return err
		}
		p := kluis.Problems{}
		if pending == "" {
			p.Add("code", "Begin opnieuw met instellen.", "Start the set-up again.")
			return p.Err()
		}
		secret, err := k.Open(pending, sealedAAD("users", "totp_pending", tenant, user))
		if err != nil {
			return fmt.Errorf("open users.totp_pending of user %d: %w", user, err)
		}
		step, ok := auth.MatchTOTP(secret, code, db.now(), 0)
		if !ok {
			p.Add("code", "Deze code klopt niet. Vul de zes cijfers in die de app nu toont.",
				"This code is not right. Fill in the six digits the app shows now.")
			return p.Err()
		}
		sealed, err := k.Seal(secret, sealedAAD("users", "totp_secret", tenant, user))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = $1, totp_pending = '', totp_since = $2, totp_last_step = $3,
			version = version + 1 WHERE tenant_id = $4 AND id = $5`, sealed, db.now(), step, tenant, user); err != nil {
			return err
		}
		tx.record(kluis.AuditEntry{Action: "update", Entity: "users", EntityID: user, Fields: totpFields})
		return db.replaceRecoveryCodes(ctx, tx, tenant, user, codes)
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

func (db *DB) replaceRecoveryCodes(ctx context.Context, tx querier, tenant, user kluis.ID, codes []string) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM recovery_codes WHERE tenant_id = $1 AND user_id = $2", tenant, user); err != nil {
		return err
	}
	now := db.now()
	for _, c := range codes {
		if _, err := tx.ExecContext(ctx, "INSERT INTO recovery_codes (tenant_id, id, user_id, code_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
			tenant, db.ids.Next(), user, auth.HashRecoveryCode(c), now); err != nil {
			return err
		}
	}
	return nil
}

// SetTOTPSecret sets a user's TOTP secret without a first code, for an
// installation that provisions it (the demo data set, whose secret is
// published). People set it up with StartTOTPSetup and ConfirmTOTP.
func (db *DB) SetTOTPSecret(ctx context.Context, tenant, user kluis.ID, secret string) error {
	if !auth.ValidTOTPSecret(secret) {
		return kluis.Errorf(kluis.EInvalid, "Geen bruikbaar TOTP-geheim.", "Not a usable TOTP secret.")
	}
	k, err := db.tenantKey(ctx, tenant)
	if err != nil {
		return err
	}
	sealed, err := k.Seal(secret, sealedAAD("users", "totp_secret", tenant, user))
	if err != nil {
		return err
	}
	return db.update(ctx, forAgency(tenant), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = $1, totp_pending = '', totp_since = $2, totp_last_step = 0,
			version = version + 1 WHERE tenant_id = $3 AND id = $4`, sealed, db.now(), tenant, user)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kluis.NotFound("user")
		}
		return nil
	})
}

// CheckTOTP reports whether code is the user's current TOTP code and not
// used before. The step it belongs to is recorded in the same statement
// that checks it was not used yet, so two requests with one code (even on
// two servers) cannot both pass.
func (db *DB) CheckTOTP(ctx context.Context, tenant, user kluis.ID, code string) (bool, error) {
	rd, _, done, err := db.reader(ctx, forAgency(tenant))
	if err != nil {
		return false, err
	}
	defer done()
	var sealed string
	var used int64
	err = rd.QueryRowContext(ctx, "SELECT totp_secret, totp_last_step FROM users WHERE tenant_id = $1 AND id = $2", tenant, user).Scan(&sealed, &used)
	done()
	if errors.Is(err, sql.ErrNoRows) || (err == nil && sealed == "") {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	secret, err := db.openTOTP(ctx, tenant, user, "totp_secret", sealed)
	if err != nil {
		return false, err
	}
	step, ok := auth.MatchTOTP(secret, code, db.now(), used)
	if !ok {
		return false, nil
	}
	matched := false
	err = db.update(ctx, forAgency(tenant), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE users SET totp_last_step = $1 WHERE tenant_id = $2 AND id = $3 AND totp_last_step < $1 AND totp_secret = $4",
			step, tenant, user, sealed)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		matched = n == 1
		return err
	})
	return matched, err
}

// UseRecoveryCode reports whether code is one of the user's unused
// recovery codes, and uses it up.
func (db *DB) UseRecoveryCode(ctx context.Context, tenant, user kluis.ID, code string) (bool, error) {
	if !auth.IsRecoveryCode(code) {
		return false, nil
	}
	used := false
	err := db.update(ctx, forAgency(tenant), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM recovery_codes WHERE tenant_id = $1 AND user_id = $2 AND code_hash = $3",
			tenant, user, auth.HashRecoveryCode(code))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		used = n == 1
		return err
	})
	return used, err
}

// RecoveryCodesLeft counts the user's unused recovery codes.
func (db *DB) RecoveryCodesLeft(ctx context.Context, tenant, user kluis.ID) (int, error) {
	rd, _, done, err := db.reader(ctx, forAgency(tenant))
	if err != nil {
		return 0, err
	}
	defer done()
	var n int
	err = rd.QueryRowContext(ctx, "SELECT count(*) FROM recovery_codes WHERE tenant_id = $1 AND user_id = $2", tenant, user).Scan(&n)
	return n, err
}

// RenewRecoveryCodes replaces the user's (actor's) recovery codes with new
// ones, returned here once. It needs two-factor log-in to be set up.
func (db *DB) RenewRecoveryCodes(ctx context.Context, a kluis.Actor) ([]string, error) {
	tenant, user := a.TenantID, a.UserID
	codes, err := auth.NewRecoveryCodes(auth.RecoveryCodes)
	if err != nil {
		return nil, err
	}
	err = db.write(ctx, a, func(tx *writeTx) error {
		var since sql.NullTime
		err := tx.QueryRowContext(ctx, "SELECT totp_since FROM users WHERE tenant_id = $1 AND id = $2", tenant, user).Scan(&since)
		if errors.Is(err, sql.ErrNoRows) {
			return kluis.NotFound("user")
		}
		if err != nil {
			return err
		}
		if !since.Valid {
			return kluis.Errorf(kluis.EInvalid, "Stel eerst tweestapsverificatie in.", "Set up two-step verification first.")
		}
		tx.record(kluis.AuditEntry{Action: "update", Entity: "users", EntityID: user, Fields: []string{"recovery_codes"}})
		return db.replaceRecoveryCodes(ctx, tx, tenant, user, codes)
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// DisableTOTP turns the user's (actor's) two-factor log-in off, at their
// own request (the caller checks that their role allows it).
func (db *DB) DisableTOTP(ctx context.Context, a kluis.Actor) error {
	tenant, user := a.TenantID, a.UserID
	return db.write(ctx, a, func(tx *writeTx) error {
		res, err := tx.ExecContext(ctx, "UPDATE users SET "+totpCleared+", version = version + 1 WHERE tenant_id = $1 AND id = $2", tenant, user)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kluis.NotFound("user")
		}
		tx.record(kluis.AuditEntry{Action: "update", Entity: "users", EntityID: user, Fields: totpFields})
		_, err = tx.ExecContext(ctx, "DELETE FROM recovery_codes WHERE tenant_id = $1 AND user_id = $2", tenant, user)
		return err
	})
}
