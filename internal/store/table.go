package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"kluis/internal/kluis"
)

// querier is what both *sql.Tx and *sql.DB offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// table maps one record type onto one table whose key is (tenant_id, id).
// It writes the same SQL for both databases: $N placeholders work in each.
type table[T any] struct {
	name    string
	kind    string          // the record's name in error messages
	columns []string        // every column after tenant_id and id
	values  func(*T) []any  // values for columns, in order
	targets func(*T) []any  // scan targets for tenant_id, id, columns
	version func(*T) *int64 // nil for records that are never edited
	key     func(*T) (tenant, id *kluis.ID)
	// subject is the data subject whose key seals the row's sensitive
	// columns; only tables that have some need it.
	subject func(*T) kluis.ID
}

func (t *table[T]) selectList() string {
	return "tenant_id, id, " + strings.Join(t.columns, ", ")
}

func placeholders(from, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(from+i))
	}
	return b.String()
}

func (t *table[T]) insert(ctx context.Context, db *DB, q querier, rec *T) error {
	tenant, id := t.key(rec)
	if w, ok := q.(*writeTx); ok {
		if err := inScope(ctx, q, t, w.actor, rec); err != nil {
			return err
		}
		if err := notRestricted(ctx, q, t, *tenant, rec); err != nil {
			return err
		}
	}
	vals, err := t.row(ctx, db, rec)
	if err != nil {
		return err
	}
	args := append([]any{*tenant, *id}, vals...)
	_, err = q.ExecContext(ctx, "INSERT INTO "+t.name+" ("+t.selectList()+") VALUES ("+placeholders(1, len(args))+")", args...)
	if err != nil {
		return fmt.Errorf("insert %s: %w", t.name, err)
	}
	if w, ok := q.(*writeTx); ok {
		w.record(kluis.AuditEntry{Action: "create", Entity: t.name, EntityID: *id, CandidateID: t.ownerOf(rec), Fields: setColumns(t, rec)})
	}
	return nil
}

// ownerOf is the candidate a record belongs to, for the audit log: the
// candidate itself, or its candidate_id; 0 for other records.
func (t *table[T]) ownerOf(rec *T) kluis.ID {
	if t.name == "candidates" {
		_, id := t.key(rec)
		return *id
	}
	for i, c := range t.columns {
		if c == "candidate_id" {
			if v, ok := plain(t.values(rec)[i]).(int64); ok {
				return kluis.ID(v)
			}
		}
	}
	return 0
}

func (t *table[T]) get(ctx context.Context, db *DB, q querier, tenant, id kluis.ID) (*T, error) {
	rec := new(T)
	err := q.QueryRowContext(ctx, "SELECT "+t.selectList()+" FROM "+t.name+" WHERE tenant_id = $1 AND id = $2", tenant, id).Scan(t.targets(rec)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kluis.NotFound(t.kind)
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", t.name, err)
	}
	if err := t.open(ctx, db, rec); err != nil {
		return nil, err
	}
	return rec, nil
}

// exists reports whether the tenant has a record with id.
func (t *table[T]) exists(ctx context.Context, q querier, tenant, id kluis.ID) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, "SELECT 1 FROM "+t.name+" WHERE tenant_id = $1 AND id = $2", tenant, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// update writes rec if the stored version is still expected, and bumps the
// version; a stale edit is a conflict, never a silent overwrite.
func (t *table[T]) update(ctx context.Context, db *DB, q querier, rec *T, expected int64) error {
	tenant, id := t.key(rec)
	// An audited change names the fields it changes: the stored record is
	// read first, in the same transaction.
	w, audited := q.(*writeTx)
	var old *T
	if audited {
		var err error
		if old, err = t.get(ctx, db, q, *tenant, *id); err != nil {
			return err
		}
		// Both the record as it is and as it is to be must lie in the
		// actor's branch: nothing moves out of it, or in from elsewhere.
		if err := inScope(ctx, q, t, w.actor, old); err != nil {
			return err
		}
		if err := inScope(ctx, q, t, w.actor, rec); err != nil {
			return err
		}
		if err := notRestricted(ctx, q, t, *tenant, old); err != nil {
			return err
		}
	}
	vals, err := t.row(ctx, db, rec)
	if err != nil {
		return err
	}
	var set strings.Builder
	var args []any
	for i, v := range vals {
		if c := t.columns[i]; c != "version" && c != "created_at" {
			args = append(args, v)
			set.WriteString(c + " = $" + strconv.Itoa(len(args)) + ", ")
		}
	}
	n := len(args)
	args = append(args, *tenant, *id, expected)
	res, err := q.ExecContext(ctx, "UPDATE "+t.name+" SET "+set.String()+"version = version + 1 WHERE tenant_id = $"+strconv.Itoa(n+1)+" AND id = $"+strconv.Itoa(n+2)+" AND version = $"+strconv.Itoa(n+3), args...)
	if err != nil {
		return fmt.Errorf("update %s: %w", t.name, err)
	}
	if rows, err := res.RowsAffected(); err != nil {
		return err
	} else if rows == 0 {
		return t.missingOrStale(ctx, q, *tenant, *id)
	}
	*t.version(rec) = expected + 1
	if audited {
		w.record(kluis.AuditEntry{Action: "update", Entity: t.name, EntityID: *id, CandidateID: t.ownerOf(rec), Fields: changedColumns(t, old, rec)})
	}
	return nil
}

func (t *table[T]) missingOrStale(ctx context.Context, q querier, tenant, id kluis.ID) error {
	ok, err := t.exists(ctx, q, tenant, id)
	if err != nil {
		return err
	}
	if !ok {
		return kluis.NotFound(t.kind)
	}
	return kluis.StaleVersion(t.kind)
}

// delete removes a record; version 0 deletes whatever version is stored.
func (t *table[T]) delete(ctx context.Context, q querier, tenant, id kluis.ID, version int64) error {
	w, audited := q.(*writeTx)
	var owner kluis.ID
	if audited {
		if t.name == "candidates" {
			owner = id
		} else if slices.Contains(t.columns, "candidate_id") {
			if err := q.QueryRowContext(ctx, "SELECT candidate_id FROM "+t.name+" WHERE tenant_id = $1 AND id = $2", tenant, id).Scan((*nullID)(&owner)); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("delete %s: %w", t.name, err)
			}
		}
		if owner != 0 && t.name != "legal_holds" && !rightsTables[t.name] {
			if r, err := candidateRestriction(ctx, q, tenant, owner); err != nil {
				return err
			} else if r != "" {
				return errRestricted()
			}
			if err := w.mayProcess(ctx, owner, t.name); err != nil {
				return err
			}
		}
		if w.actor.Branch != 0 && owner != 0 {
			if b, err := candidateBranch(ctx, q, tenant, owner); err != nil {
				return err
			} else if b != 0 && b != w.actor.Branch {
				return kluis.OutOfScope(t.kind)
			}
		}
	}
	query := "DELETE FROM " + t.name + " WHERE tenant_id = $1 AND id = $2"
	args := []any{tenant, id}
	if version != 0 && t.version != nil {
		query += " AND version = $3"
		args = append(args, version)
	}
	res, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("delete %s: %w", t.name, err)
	}
	if rows, err := res.RowsAffected(); err != nil {
		return err
	} else if rows == 0 {
		return t.missingOrStale(ctx, q, tenant, id)
	}
	if audited {
		w.record(kluis.AuditEntry{Action: "delete", Entity: t.name, EntityID: id, CandidateID: owner})
	}
	return nil
}

// where builds a WHERE clause from conditions with $N placeholders numbered
// in order; the tenant is always the first condition.
type where struct {
	conds []string
	args  []any
}

func tenantWhere(tenant kluis.ID) *where {
	return &where{conds: []string{"tenant_id = $1"}, args: []any{tenant}}
}

// add appends a condition; each "?" in cond becomes the next placeholder.
func (w *where) add(cond string, args ...any) {
	for _, a := range args {
		w.args = append(w.args, a)
		cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(w.args)), 1)
	}
	w.conds = append(w.conds, cond)
}

func (w *where) sql() string { return " WHERE " + strings.Join(w.conds, " AND ") }

// list returns one page of records matching w in the given order, and the
// number of all matching records.
func (t *table[T]) list(ctx context.Context, db *DB, q querier, w *where, order string, page kluis.Page) ([]T, int, error) {
	return t.listCounting(ctx, db, q, w, order, page, 0)
}

// listCounting is list with a count that stops after upTo+1 matches when
// upTo is above 0.
func (t *table[T]) listCounting(ctx context.Context, db *DB, q querier, w *where, order string, page kluis.Page, upTo int) ([]T, int, error) {
	page = page.Normalize()
	var total int
	count := "SELECT count(*) FROM " + t.name + w.sql()
	if upTo > 0 {
		count = "SELECT count(*) FROM (SELECT 1 FROM " + t.name + w.sql() + " LIMIT " + strconv.Itoa(upTo+1) + ") AS matches"
	}
	if err := q.QueryRowContext(ctx, count, w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count %s: %w", t.name, err)
	}
	args := append(append([]any{}, w.args...), page.Limit, page.Offset)
	n := len(w.args)
	rows, err := q.QueryContext(ctx, "SELECT "+t.selectList()+" FROM "+t.name+w.sql()+" ORDER BY "+order+
		" LIMIT $"+strconv.Itoa(n+1)+" OFFSET $"+strconv.Itoa(n+2), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list %s: %w", t.name, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var rec T
		if err := rows.Scan(t.targets(&rec)...); err != nil {
			return nil, 0, fmt.Errorf("scan %s: %w", t.name, err)
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	for i := range out {
		if err := t.open(ctx, db, &out[i]); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// likePattern escapes s for a LIKE ... ESCAPE '\' prefix or infix search.
func likePattern(s string, prefix bool) string {
	s = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(strings.TrimSpace(s)))
	if prefix {
		return s + "%"
	}
	return "%" + s + "%"
}

// nullID stores 0 as NULL.
type nullID kluis.ID

func (n nullID) Value() (driver.Value, error) {
	if n == 0 {
		return nil, nil
	}
	return int64(n), nil
}

func (n *nullID) Scan(src any) error {
	var v sql.NullInt64
	if err := v.Scan(src); err != nil {
		return err
	}
	*n = nullID(v.Int64)
	return nil
}

// strList stores a list of strings without ";" as one text column.
type strList []string

func (l strList) Value() (driver.Value, error) { return strings.Join(l, ";"), nil }

func (l *strList) Scan(src any) error {
	var s sql.NullString
	if err := s.Scan(src); err != nil {
		return err
	}
	*l = []string{}
	if s.String != "" {
		*l = strings.Split(s.String, ";")
	}
	return nil
}

// Sort is an ORDER BY request from a user: a field name, optionally with a
// leading "-" for descending. Only fields in the allowed map are accepted.
func orderBy(sort string, allowed map[string]string, def string) (string, error) {
	if sort == "" {
		return def, nil
	}
	desc := strings.HasPrefix(sort, "-")
	col, ok := allowed[strings.TrimPrefix(sort, "-")]
	if !ok {
		keys := make([]string, 0, len(allowed))
		for k := range allowed {
			keys = append(keys, k)
		}
		p := kluis.Problems{}
		p.Add("sort", "Sorteer op een van: "+strings.Join(keys, ", ")+".", "Sort by one of: "+strings.Join(keys, ", ")+".")
		return "", p.Err()
	}
	if desc {
		return col + " DESC, id DESC", nil
	}
	return col + ", id", nil
}

// all returns every record matching w in the given order, with one query
// and no count: for what must be read whole (a candidate's history on the
// record card), which pages of kluis.MaxPageSize would read and sort again
// from the start for every page.
func (t *table[T]) all(ctx context.Context, db *DB, q querier, w *where, order string) ([]T, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+t.selectList()+" FROM "+t.name+w.sql()+" ORDER BY "+order, w.args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", t.name, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var rec T
		if err := rows.Scan(t.targets(&rec)...); err != nil {
			return nil, fmt.Errorf("scan %s: %w", t.name, err)
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", t.name, err)
	}
	for i := range out {
		if err := t.open(ctx, db, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}
