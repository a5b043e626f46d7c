package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"kluis/internal/kluis"
)

// writeTx is a write transaction on behalf of an actor. The table methods
// record what they create, change and delete on it; the entries are
// appended to the agency's audit chain in the same transaction, so a change
// and its audit entry are committed together or not at all.
type writeTx struct {
	*sql.Tx
	actor   kluis.Actor
	entries []kluis.AuditEntry
	// ws, on SQLite, holds the statements prepared once on the writer
	// connection: a statement run in the transaction is not parsed anew
	// (a clean-up run's erasures are ~20 statements a candidate).
	ws *dbStmts
	// overridden holds the candidates whose art. 18 restriction this
	// transaction processes anyway, recorded once each (restrictions.go).
	overridden map[kluis.ID]bool
	// locked holds the candidates whose row this transaction locked on
	// PostgreSQL, and how (lockCandidate).
	locked map[kluis.ID]string
	db     *DB
}

// ExecContext runs a statement in the transaction, prepared once on SQLite.
func (w *writeTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := w.prepared(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return w.Tx.ExecContext(ctx, query, args...)
}

// QueryContext runs a query in the transaction, prepared once on SQLite.
func (w *writeTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := w.prepared(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return w.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query for one row in the transaction, prepared
// once on SQLite.
func (w *writeTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := w.prepared(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return w.Tx.QueryRowContext(ctx, query, args...)
}

// prepared returns the statement of query bound to the transaction, or
// nil to run it unprepared (PostgreSQL's driver caches statements itself).
func (w *writeTx) prepared(ctx context.Context, query string) *sql.Stmt {
	if w.ws == nil {
		return nil
	}
	s := w.ws.cached(query)
	if s == nil {
		return nil // prepared after the commit, for the next time
	}
	return w.Tx.StmtContext(ctx, s)
}

// record adds an entry, stamped with the actor.
func (w *writeTx) record(e kluis.AuditEntry) {
	e.TenantID, e.UserID, e.Role = w.actor.TenantID, w.actor.UserID, w.actor.Role
	w.entries = append(w.entries, e)
}

type requestIDKey struct{}

// WithRequestID lets the audit entries of a request name it.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

func requestIDOf(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey{}).(string)
	return s
}

// write runs fn in a write transaction on behalf of a and appends what fn
// recorded to the audit chain before it commits.
func (db *DB) write(ctx context.Context, a kluis.Actor, fn func(tx *writeTx) error) error {
	err := db.update(ctx, forAgency(a.TenantID), func(tx *sql.Tx) error {
		w := &writeTx{Tx: tx, actor: a, ws: db.ws, db: db}
		if err := fn(w); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, a.TenantID, requestIDOf(ctx), w.entries)
	})
	if db.ws != nil {
		// The writer connection is free again: prepare what the
		// transaction ran unprepared.
		db.ws.grantWishes(context.WithoutCancel(ctx))
	}
	return err
}

// auditRowsPerInsert keeps an INSERT of entries well under the databases'
// limits on parameters (14 a row).
const auditRowsPerInsert = 200

// appendAudit chains entries onto the agency's log. Taking the chain's head
// with an UPDATE locks it until commit, so appends of one agency follow one
// another even on PostgreSQL with many writers.
func (db *DB) appendAudit(ctx context.Context, tx *sql.Tx, tenant kluis.ID, requestID string, entries []kluis.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	var seq int64
	var prev []byte
	err := tx.QueryRowContext(ctx, "UPDATE audit_heads SET seq = seq WHERE tenant_id = $1 RETURNING seq, hash", tenant).Scan(&seq, &prev)
	if errors.Is(err, sql.ErrNoRows) {
		// The first entry of the agency: its chain starts from zeros.
		seq, prev = 0, make([]byte, sha256.Size)
		if _, err := tx.ExecContext(ctx, "INSERT INTO audit_heads (tenant_id, seq, hash) VALUES ($1, 0, $2)", tenant, prev); err != nil {
			return fmt.Errorf("start audit chain: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	now := db.now()
	// The entries are chained in order, then written: on PostgreSQL a few
	// hundred rows to a statement (one round trip each, not one per
	// entry); on SQLite, which has no round trips but parses every
	// statement, with one prepared single-row INSERT — a long multi-row
	// INSERT costs it more to parse than it saves (measured: the access
	// log went from 16 % to 52 % of kluis's CPU under read load).
	rows := make([][]any, len(entries))
	for i := range entries {
		e := &entries[i]
		seq++
		e.TenantID, e.Seq = tenant, seq
		if e.At.IsZero() {
			e.At = now
		}
		e.At = e.At.UTC().Truncate(time.Microsecond)
		if e.RequestID == "" {
			e.RequestID = requestID
		}
		h := auditHash(prev, e)
		rows[i] = []any{tenant, e.Seq, e.At, nullID(e.UserID), string(e.Role), e.Action, e.Entity, nullID(e.EntityID), nullID(e.CandidateID),
			strings.Join(e.Fields, ","), e.Reason, e.RequestID, prev, h}
		prev = h
	}
	const columns = `INSERT INTO audit_log (tenant_id, seq, at, user_id, role, action, entity, entity_id, candidate_id,
		fields, reason, request_id, prev_hash, hash) VALUES `
	if db.Dialect == SQLite {
		ins, err := tx.PrepareContext(ctx, columns+"("+placeholders(1, 14)+")")
		if err != nil {
			return fmt.Errorf("prepare audit entry: %w", err)
		}
		defer ins.Close()
		for _, r := range rows {
			if _, err := ins.ExecContext(ctx, r...); err != nil {
				return fmt.Errorf("append audit entry: %w", err)
			}
		}
		rows = nil
	}
	for len(rows) > 0 {
		chunk := rows[:min(len(rows), auditRowsPerInsert)]
		rows = rows[len(chunk):]
		var q strings.Builder
		q.WriteString(columns)
		args := make([]any, 0, len(chunk)*14)
		for i, r := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(" + placeholders(len(args)+1, len(r)) + ")")
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("append audit entries: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE audit_heads SET seq = $2, hash = $3 WHERE tenant_id = $1", tenant, seq, prev); err != nil {
		return fmt.Errorf("move audit head: %w", err)
	}
	return nil
}

// auditHash is SHA-256 over the previous hash and every field of the entry,
// each prefixed with its length, so no two entries encode alike.
func auditHash(prev []byte, e *kluis.AuditEntry) []byte {
	h := sha256.New()
	h.Write(prev)
	var buf []byte
	for _, s := range []string{
		strconv.FormatInt(int64(e.TenantID), 10), strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano),
		strconv.FormatInt(int64(e.UserID), 10), string(e.Role), e.Action, e.Entity, strconv.FormatInt(int64(e.EntityID), 10),
		strconv.FormatInt(int64(e.CandidateID), 10), strings.Join(e.Fields, ","), e.Reason, e.RequestID,
	} {
		buf = binary.AppendUvarint(buf[:0], uint64(len(s)))
		h.Write(buf)
		h.Write([]byte(s))
	}
	return h.Sum(nil)
}

// LogAccess appends entries about what was viewed, revealed or downloaded:
// entries of one agency, in one transaction.
func (db *DB) LogAccess(ctx context.Context, tenant kluis.ID, entries []kluis.AuditEntry) error {
	return db.update(ctx, forAgency(tenant), func(tx *sql.Tx) error {
		return db.appendAudit(ctx, tx, tenant, "", entries)
	})
}

// AuditFilter narrows the log.
type AuditFilter struct {
	UserID      kluis.ID
	CandidateID kluis.ID
	Action      string
	// Field keeps the reveals that showed a field ("bsn", "iban",
	// "id_document_number"), among others or alone.
	Field    string
	From, To time.Time // [From, To); zero for open
	Page     kluis.Page
}

// AuditLog lists entries, newest first.
func (db *DB) AuditLog(ctx context.Context, a kluis.Actor, f AuditFilter) ([]kluis.AuditEntry, int, error) {
	w := tenantWhere(a.TenantID)
	if f.UserID != 0 {
		w.add("user_id = ?", f.UserID)
	}
	if f.CandidateID != 0 {
		w.add("candidate_id = ?", f.CandidateID)
	}
	if f.Action != "" {
		w.add("action = ?", f.Action)
	}
	if f.Field != "" {
		w.add("action = 'reveal' AND ',' || fields || ',' LIKE ?", "%,"+f.Field+",%")
	}
	if !f.From.IsZero() {
		w.add("at >= ?", f.From)
	}
	if !f.To.IsZero() {
		w.add("at < ?", f.To)
	}
	page := f.Page.Normalize()
	var out []kluis.AuditEntry
	var total int
	err := db.view(ctx, forAgency(a.TenantID), func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM audit_log"+w.sql(), w.args...).Scan(&total); err != nil {
			return err
		}
		n := len(w.args)
		args := append(append([]any{}, w.args...), page.Limit, page.Offset)
		// #nosec G202 -- only placeholders and constant column lists are joined; values are parameters
		rows, err := tx.QueryContext(ctx, `SELECT seq, at, user_id, role, action, entity, entity_id, candidate_id, fields, reason, request_id
			FROM audit_log`+w.sql()+" ORDER BY seq DESC LIMIT $"+strconv.Itoa(n+1)+" OFFSET $"+strconv.Itoa(n+2), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e := kluis.AuditEntry{TenantID: a.TenantID}
			var fields string
			var role string
			if err := rows.Scan(&e.Seq, &e.At, (*nullID)(&e.UserID), &role, &e.Action, &e.Entity, (*nullID)(&e.EntityID),
				(*nullID)(&e.CandidateID), &fields, &e.Reason, &e.RequestID); err != nil {
				return err
			}
			e.Role = kluis.Role(role)
			e.Fields = []string{}
			if fields != "" {
				e.Fields = strings.Split(fields, ",")
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, total, err
}

// ChainProblem is where an agency's audit chain is broken.
type ChainProblem struct {
	TenantID kluis.ID
	Seq      int64
	Why      string
}

func (p ChainProblem) Error() string {
	return fmt.Sprintf("audit chain of agency %d broken at entry %d: %s", p.TenantID, p.Seq, p.Why)
}

// VerifyAudit recomputes the chain of an agency from its first entry and
// reports the first entry that was changed, removed or inserted, and a
// head that does not match the last entry. It returns how many entries it
// checked.
func (db *DB) VerifyAudit(ctx context.Context, tenant kluis.ID) (int64, error) {
	var n int64
	err := db.view(ctx, forAgency(tenant), func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT seq, at, user_id, role, action, entity, entity_id, candidate_id, fields, reason, request_id, prev_hash, hash
			FROM audit_log WHERE tenant_id = $1 ORDER BY seq`, tenant)
		if err != nil {
			return err
		}
		defer rows.Close()
		var prev []byte
		var last int64
		for rows.Next() {
			e := kluis.AuditEntry{TenantID: tenant}
			var fields, role string
			var stored, hash []byte
			if err := rows.Scan(&e.Seq, &e.At, (*nullID)(&e.UserID), &role, &e.Action, &e.Entity, (*nullID)(&e.EntityID),
				(*nullID)(&e.CandidateID), &fields, &e.Reason, &e.RequestID, &stored, &hash); err != nil {
				return err
			}
			e.Role = kluis.Role(role)
			if fields != "" {
				e.Fields = strings.Split(fields, ",")
			}
			switch {
			case n == 0 && e.Seq == 1 && !bytes.Equal(stored, make([]byte, sha256.Size)):
				return ChainProblem{tenant, e.Seq, "the first entry does not start the chain"}
			case n == 0:
				// A log whose oldest entries were pruned (R7) starts later;
				// its first kept entry anchors the chain.
			case e.Seq != last+1:
				return ChainProblem{tenant, last + 1, "the entry is missing"}
			case !bytes.Equal(stored, prev):
				return ChainProblem{tenant, e.Seq, "it does not follow the entry before it"}
			}
			if !bytes.Equal(auditHash(stored, &e), hash) {
				return ChainProblem{tenant, e.Seq, "the entry was changed"}
			}
			prev, last = hash, e.Seq
			n++
		}
		if err := rows.Err(); err != nil {
			return err
		}
		var headSeq int64
		var headHash []byte
		err = tx.QueryRowContext(ctx, "SELECT seq, hash FROM audit_heads WHERE tenant_id = $1", tenant).Scan(&headSeq, &headHash)
		if errors.Is(err, sql.ErrNoRows) {
			if n > 0 {
				return ChainProblem{tenant, last, "the chain has no head"}
			}
			return nil
		}
		if err != nil {
			return err
		}
		if headSeq != last || !bytes.Equal(headHash, prev) {
			return ChainProblem{tenant, last + 1, "entries after it were removed"}
		}
		return nil
	})
	return n, err
}

// changedColumns names the columns of t whose values differ between old and
// rec, leaving out the bookkeeping columns.
func changedColumns[T any](t *table[T], old, rec *T) []string {
	a, b := t.values(old), t.values(rec)
	var out []string
	for i, c := range t.columns {
		if c == "version" || c == "created_at" || c == "updated_at" {
			continue
		}
		if !sameValue(a[i], b[i]) {
			out = append(out, c)
		}
	}
	return out
}

// setColumns names the columns of t that rec gives a value.
func setColumns[T any](t *table[T], rec *T) []string {
	vals := t.values(rec)
	var out []string
	for i, c := range t.columns {
		if c == "version" || c == "created_at" || c == "updated_at" {
			continue
		}
		if !isZero(vals[i]) {
			out = append(out, c)
		}
	}
	return out
}

func plain(v any) any {
	if dv, ok := v.(driver.Valuer); ok {
		if x, err := dv.Value(); err == nil {
			return x
		}
	}
	return v
}

func sameValue(a, b any) bool {
	a, b = plain(a), plain(b)
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb)
	}
	if ba, ok := a.([]byte); ok {
		bb, ok := b.([]byte)
		return ok && bytes.Equal(ba, bb)
	}
	return reflect.DeepEqual(a, b)
}

func isZero(v any) bool {
	v = plain(v)
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.IsZero() || (rv.Kind() == reflect.Slice && rv.Len() == 0) || (rv.Kind() == reflect.String && rv.Len() == 0)
}

// AccessCount is how much one staff member looked at in a period.
type AccessCount struct {
	UserID     kluis.ID
	Candidates int // distinct candidates viewed or downloaded from
	Reveals    int // masked values revealed (BSN, IBAN, ID number)
	BSNReveals int // of which BSNs
}

// AccessCounts counts, per staff member, the candidates viewed, the
// values revealed and the BSNs among them since a moment, most candidates
// first. A reveal of several fields at once is one reveal, and one BSN
// reveal when the BSN is among them.
func (db *DB) AccessCounts(ctx context.Context, a kluis.Actor, since time.Time) ([]AccessCount, error) {
	rd, _, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := rd.QueryContext(ctx, `SELECT user_id,
			count(DISTINCT CASE WHEN action IN ('view', 'download') THEN candidate_id END),
			COALESCE(SUM(CASE WHEN action = 'reveal' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN action = 'reveal' AND ',' || fields || ',' LIKE '%,bsn,%' THEN 1 ELSE 0 END), 0)
		FROM audit_log WHERE tenant_id = $1 AND at >= $2 AND user_id IS NOT NULL AND action IN ('view', 'download', 'reveal')
		GROUP BY user_id ORDER BY 2 DESC, 3 DESC, user_id`, a.TenantID, since.UTC())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AccessCount
	for rows.Next() {
		var c AccessCount
		if err := rows.Scan(&c.UserID, &c.Candidates, &c.Reveals, &c.BSNReveals); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AuditTerm is how long entries of the access and audit log are kept
// (LEGAL.md R7, a maximum: the suggested 2 years).
const AuditTerm = 2 * 365 * 24 * time.Hour

// PruneAudit removes the entries of an agency's log older than before,
// all but the newest: the chain then starts at the oldest entry kept,
// whose stored link to the one before anchors it, and VerifyAudit still
// proves the rest whole. It returns how many entries went.
func (db *DB) PruneAudit(ctx context.Context, tenant kluis.ID, before time.Time) (int, error) {
	var n int64
	err := db.update(ctx, forAgency(tenant), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM audit_log WHERE tenant_id = $1 AND at < $2
			AND seq < (SELECT seq FROM audit_heads WHERE tenant_id = $1)`, tenant, before.UTC())
		if err != nil {
			return fmt.Errorf("prune audit log: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
