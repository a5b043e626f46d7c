package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
)

// collectables are the optional candidate data of the catalogue.
var collectables = catalog.New()

// optionalColumns reads each optional candidate column from a candidate;
// a test keeps it equal to the catalogue's list.
var optionalColumns = map[string]func(*kluis.Candidate) string{
	"nationality":  func(c *kluis.Candidate) string { return c.Nationality },
	"phone":        func(c *kluis.Candidate) string { return c.Phone },
	"functions":    func(c *kluis.Candidate) string { return strings.Join(c.Functions, ";") },
	"availability": func(c *kluis.Candidate) string { return c.Availability },
}

func knownCollectable(key string) bool {
	_, ok := collectables.Collectable(key)
	return ok
}

// The clean-up's defaults, until an agency chooses otherwise.
const (
	DefaultCleanupGraceDays    = 7
	DefaultCleanupVerifySample = 10
	DefaultConsentNoticeDays   = 30
)

// Settings returns the agency's settings; an agency that never saved any
// gets the defaults (everything collected), with version 0.
func (db *DB) Settings(ctx context.Context, tenant kluis.ID) (*kluis.Settings, error) {
	rd, _, done, err := db.reader(ctx, forAgency(tenant))
	if err != nil {
		return nil, err
	}
	defer done()
	return settingsOf(ctx, rd, tenant)
}

func settingsOf(ctx context.Context, q querier, tenant kluis.ID) (*kluis.Settings, error) {
	s := &kluis.Settings{TenantID: tenant, NotCollected: map[string]kluis.Date{}, FieldAccess: map[string]string{},
		CleanupGraceDays: DefaultCleanupGraceDays, CleanupVerifySample: DefaultCleanupVerifySample, ConsentNoticeDays: DefaultConsentNoticeDays}
	var off, fa string
	var by sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT address, kvk_number, dpo_name, dpo_email, dpo_phone, not_collected, field_access, r1_months, r3_months,
		cleanup_nightly, cleanup_grace_days, cleanup_verify_sample, consent_notice_days, version, updated_at, updated_by FROM tenant_settings WHERE tenant_id = $1`, tenant).
		Scan(&s.Address, &s.KvK, &s.DPOName, &s.DPOEmail, &s.DPOPhone, &off, &fa, &s.R1Months, &s.R3Months,
			&s.CleanupNightly, &s.CleanupGraceDays, &s.CleanupVerifySample, &s.ConsentNoticeDays, &s.Version, &s.UpdatedAt, &by)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	s.UpdatedBy = kluis.ID(by.Int64)
	for _, item := range strings.Split(off, ";") {
		if k, d, ok := strings.Cut(item, "="); ok {
			s.NotCollected[k] = kluis.Date(d)
		}
	}
	for _, item := range strings.Split(fa, ";") {
		if k, v, ok := strings.Cut(item, "="); ok {
			s.FieldAccess[k] = v
		}
	}
	return s, nil
}

func encodeFieldAccess(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for k, v := range m {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ";")
}

func encodeNotCollected(m map[string]kluis.Date) string {
	parts := make([]string, 0, len(m))
	for k, d := range m {
		parts = append(parts, k+"="+string(d))
	}
	sort.Strings(parts)
	return strings.Join(parts, ";")
}

// SaveSettings stores s if version is still the stored one (0 for an
// agency without settings). Of s.NotCollected only the keys count: an item
// switched off today is dated today, one that was off already keeps its day.
func (db *DB) SaveSettings(ctx context.Context, a kluis.Actor, s *kluis.Settings, version int64) error {
	s.TenantID = a.TenantID
	if err := s.Validate(knownCollectable); err != nil {
		return err
	}
	return db.saveSettings(ctx, a, version, func(old *kluis.Settings) *kluis.Settings {
		s.FieldAccess = old.FieldAccess
		return s
	})
}

// SaveFieldAccess replaces the agency's own field permissions (see
// kluis.Settings.FieldAccess), keeping its other settings, if version is
// still the stored one.
func (db *DB) SaveFieldAccess(ctx context.Context, a kluis.Actor, access map[string]string, version int64) error {
	if err := validFieldAccess(access); err != nil {
		return err
	}
	return db.saveSettings(ctx, a, version, func(old *kluis.Settings) *kluis.Settings {
		s := *old
		s.FieldAccess = access
		return &s
	})
}

// saveSettings stores the settings that build makes from the stored ones,
// if version is still the stored one.
func (db *DB) saveSettings(ctx context.Context, a kluis.Actor, version int64, build func(old *kluis.Settings) *kluis.Settings) error {
	return db.write(ctx, a, func(tx *writeTx) error {
		old, err := settingsOf(ctx, tx, a.TenantID)
		if err != nil {
			return err
		}
		if old.Version != version {
			return kluis.StaleVersion("settings")
		}
		s := build(old)
		s.TenantID = a.TenantID
		off := map[string]kluis.Date{}
		for k := range s.NotCollected {
			if d, was := old.NotCollected[k]; was {
				off[k] = d
			} else {
				off[k] = db.today()
			}
		}
		s.NotCollected, s.Version, s.UpdatedAt, s.UpdatedBy = off, version+1, db.now(), a.UserID
		tx.record(kluis.AuditEntry{Action: "settings", Entity: "tenant_settings", Fields: settingsChanged(old, s)})
		args := []any{a.TenantID, s.Address, s.KvK, s.DPOName, s.DPOEmail, s.DPOPhone, encodeNotCollected(off), s.Version, s.UpdatedAt, nullID(a.UserID),
			encodeFieldAccess(s.FieldAccess), s.R1Months, s.R3Months, s.CleanupNightly, s.CleanupGraceDays, s.CleanupVerifySample, s.ConsentNoticeDays}
		if version == 0 {
			_, err = tx.ExecContext(ctx, `INSERT INTO tenant_settings (tenant_id, address, kvk_number, dpo_name, dpo_email, dpo_phone, not_collected, version, updated_at, updated_by, field_access,
				r1_months, r3_months, cleanup_nightly, cleanup_grace_days, cleanup_verify_sample, consent_notice_days)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`, args...)
			if err != nil && kluis.ErrorCode(classify(err)) == kluis.EConflict {
				return kluis.StaleVersion("settings")
			}
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE tenant_settings SET address = $2, kvk_number = $3, dpo_name = $4, dpo_email = $5, dpo_phone = $6,
			not_collected = $7, version = $8, updated_at = $9, updated_by = $10, field_access = $11, r1_months = $12, r3_months = $13,
			cleanup_nightly = $14, cleanup_grace_days = $15, cleanup_verify_sample = $16, consent_notice_days = $17
			WHERE tenant_id = $1 AND version = $18`, append(args, version)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return kluis.StaleVersion("settings")
		}
		return nil
	})
}

// checkCollected refuses values for optional data the agency does not
// collect. A value that was stored before the item was switched off may stay
// as it is until it is removed; it may not be changed or added.
func (db *DB) checkCollected(ctx context.Context, tx querier, c, old *kluis.Candidate, p kluis.Problems) error {
	s, err := settingsOf(ctx, tx, c.TenantID)
	if err != nil || len(s.NotCollected) == 0 {
		return err
	}
	for _, key := range s.Off() {
		get, ok := optionalColumns[key]
		if !ok || get(c) == "" {
			continue
		}
		if old == nil || get(old) != get(c) {
			kluis.NotCollectedError(p, key)
		}
	}
	return nil
}

// checkCollectedKind refuses a document of a kind the agency does not collect.
func checkCollectedKind(ctx context.Context, q querier, tenant kluis.ID, kind string, p kluis.Problems) error {
	s, err := settingsOf(ctx, q, tenant)
	if err != nil {
		return err
	}
	if !s.Collects(kind) {
		kluis.NotCollectedError(p, "kind")
	}
	return nil
}

// HeldNotCollected counts, per item the agency no longer collects, the
// candidates who still have a value (for columns) or the documents still
// stored (for kinds of file).
func (db *DB) HeldNotCollected(ctx context.Context, tenant kluis.ID) (map[string]int, error) {
	rd, _, done, err := db.reader(ctx, forAgency(tenant))
	if err != nil {
		return nil, err
	}
	defer done()
	s, err := settingsOf(ctx, rd, tenant)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, key := range s.Off() {
		q, args, err := heldQuery(key, tenant)
		if err != nil {
			return nil, err
		}
		var n int
		if err := rd.QueryRowContext(ctx, "SELECT count(*) "+q, args...).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", key, err)
		}
		out[key] = n
	}
	return out, nil
}

// heldQuery is the FROM … WHERE of the rows holding a value of key.
func heldQuery(key string, tenant kluis.ID) (string, []any, error) {
	c, ok := collectables.Collectable(key)
	switch {
	case !ok:
		return "", nil, fmt.Errorf("store: %q is not an optional item", key)
	case c.Column != "":
		// The column name comes from the catalogue, never from input.
		return "FROM candidates WHERE tenant_id = $1 AND " + c.Column + " <> ''", []any{tenant}, nil
	default:
		return "FROM documents WHERE tenant_id = $1 AND kind = $2", []any{tenant, c.BlobKind}, nil
	}
}

// PurgeNotCollected removes the values of optional data the agency stopped
// collecting at least kluis.MinimisationGrace ago: the column is emptied on
// every candidate (their version goes up, so an edit based on the old value
// fails instead of writing it back), and documents of a switched-off kind
// are deleted with their contents. It returns how many candidates or
// documents lost a value, per item.
func (db *DB) PurgeNotCollected(ctx context.Context, tenant kluis.ID) (map[string]int, error) {
	var s *kluis.Settings
	err := db.readOne(ctx, forAgency(tenant), func(rd querier) (err error) {
		s, err = settingsOf(ctx, rd, tenant)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	today := db.today()
	for _, key := range s.Off() {
		if s.RemovalDay(key) > today {
			continue
		}
		c, ok := collectables.Collectable(key)
		if !ok {
			continue
		}
		var keys []string
		err := db.write(ctx, kluis.Actor{TenantID: tenant}, func(tx *writeTx) error {
			if c.Column != "" {
				// Not of a candidate whose processing is restricted (art.
				// 18): their data are kept as they are until it is lifted,
				// and the next round removes them then.
				ids, err := queryIDs(ctx, tx, "UPDATE candidates SET "+c.Column+" = '', version = version + 1, updated_at = $2 WHERE tenant_id = $1 AND "+c.Column+" <> '' AND "+
					notProcessingRestricted("candidates", "id")+" RETURNING id", tenant, db.now())
				for _, id := range ids {
					tx.record(kluis.AuditEntry{Action: "remove", Entity: "candidates", EntityID: id, CandidateID: id, Fields: []string{c.Column}, Reason: "not-collected"})
				}
				out[key] = len(ids)
				return err
			}
			var err error
			if keys, err = removeDocuments(ctx, tx, "tenant_id = $1 AND kind = $2 AND "+notProcessingRestricted("documents", "candidate_id"), "not-collected", tenant, c.BlobKind); err != nil {
				return err
			}
			out[key] = len(keys)
			return nil
		})
		if err != nil {
			return out, fmt.Errorf("remove %s: %w", key, err)
		}
		if err := db.deleteBlobs(ctx, keys); err != nil {
			return out, err
		}
	}
	return out, nil
}

// OptionalColumns lists the optional candidate columns the store checks
// and removes, sorted.
func OptionalColumns() []string {
	out := make([]string, 0, len(optionalColumns))
	for k := range optionalColumns {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// settingsChanged names the settings that differ.
func settingsChanged(old, s *kluis.Settings) []string {
	var out []string
	for _, c := range []struct {
		name string
		a, b string
	}{
		{"address", old.Address, s.Address}, {"kvk_number", old.KvK, s.KvK}, {"dpo_name", old.DPOName, s.DPOName},
		{"dpo_email", old.DPOEmail, s.DPOEmail}, {"dpo_phone", old.DPOPhone, s.DPOPhone},
		{"not_collected", strings.Join(old.Off(), ","), strings.Join(s.Off(), ",")},
		{"r1_months", strconv.Itoa(old.R1Months), strconv.Itoa(s.R1Months)},
		{"r3_months", strconv.Itoa(old.R3Months), strconv.Itoa(s.R3Months)},
		{"cleanup_nightly", strconv.FormatBool(old.CleanupNightly), strconv.FormatBool(s.CleanupNightly)},
		{"cleanup_grace_days", strconv.Itoa(old.CleanupGraceDays), strconv.Itoa(s.CleanupGraceDays)},
		{"cleanup_verify_sample", strconv.Itoa(old.CleanupVerifySample), strconv.Itoa(s.CleanupVerifySample)},
		{"consent_notice_days", strconv.Itoa(old.ConsentNoticeDays), strconv.Itoa(s.ConsentNoticeDays)},
	} {
		if c.a != c.b {
			out = append(out, c.name)
		}
	}
	// Each permission changed is named: table.column/role.
	keys := map[string]bool{}
	for k := range old.FieldAccess {
		keys[k] = true
	}
	for k := range s.FieldAccess {
		keys[k] = true
	}
	var changed []string
	for k := range keys {
		if old.FieldAccess[k] != s.FieldAccess[k] {
			changed = append(changed, "field_access:"+k)
		}
	}
	sort.Strings(changed)
	return append(out, changed...)
}

// validFieldAccess checks an agency's own field permissions against the
// catalogue: known fields and roles, an access level, a mask only where the
// field has one. Secrets (hashes, fingerprints) are never shown to anyone.
func validFieldAccess(m map[string]string) error {
	p := kluis.Problems{}
	for k, v := range m {
		field, role, ok := strings.Cut(k, "/")
		table, column, ok2 := strings.Cut(field, ".")
		f, known := collectables.Field(table, column)
		switch {
		case !ok || !ok2 || !known || !slices.Contains(kluis.Roles, kluis.Role(role)):
			p.Add(k, "Onbekend veld of onbekende rol.", "Unknown field or role.")
		case catalog.IsSecret(f):
			p.Add(k, "Dit gegeven is geheim en voor niemand zichtbaar.", "This field is secret and shown to no one.")
		default:
			a, ok := catalog.ParseAccess(v)
			if !ok {
				p.Add(k, "Kies verborgen, afgeschermd, lezen of wijzigen.", "Choose hidden, masked, read or write.")
			} else if a == catalog.Masked && f.Mask == catalog.NoMask {
				p.Add(k, "Dit gegeven kan niet afgeschermd worden getoond.", "This field cannot be shown masked.")
			}
		}
	}
	return p.Err()
}
