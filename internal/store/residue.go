package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"kluis/internal/kluis"
)

// Identifier is one value to look for, and what it is (for the report; the
// value itself is never reported).
type Identifier struct {
	// Kind is one of IdentifierKinds.
	Kind  string
	Value string
}

// IdentifierKinds are the kinds of identifier ScanResidue knows, with the
// words a report uses for them.
var IdentifierKinds = map[string]string{
	"name":            "name",
	"email":           "e-mail",
	"phone":           "phone",
	"bsn":             "BSN",
	"iban":            "IBAN",
	"document-number": "document number",
	"file-hash":       "file hash",
	"other":           "other",
}

// minIdentifierLen is the shortest value worth looking for: shorter ones
// would match almost everywhere and drown the real residue.
const minIdentifierLen = 4

// ResidueOptions say where ScanResidue looks besides the tables and blobs.
type ResidueOptions struct {
	LogFiles []string // application log files to scan line by line
	// RawFiles reads the SQLite database file and its -wal byte by byte.
	// On PostgreSQL it does nothing: the server's files are not ours to
	// read (often not even on this machine). There deleted row versions stay
	// in the table files until VACUUM removes them, and in the WAL segments
	// until they are recycled; the sensitive columns are sealed so that
	// those copies are unreadable once the subject's key is shredded.
	RawFiles bool
	Tenant   kluis.ID // 0: all agencies
}

// A Hit is one place an identifier was found.
type Hit struct {
	Identifier int // index into the identifiers
	Kind       string
	// Place says where, never what: "table candidates, column last_name,
	// row 123", "database file kluis.db, byte 40960", "blob t1/d2-…",
	// "log kluis.log, line 12".
	Place string
}

// IdentifiersOf gathers what identifies a candidate, from their record and
// documents, before an erasure (afterwards kluis no longer knows it): the
// names, e-mail, phone, BSN, IBAN, ID document number and the sha256 of each
// document. Values shorter than four characters are left out, as are
// duplicates (compared without regard to case).
func IdentifiersOf(c *kluis.Candidate, docs []kluis.Document) []Identifier {
	var out []Identifier
	seen := map[string]bool{}
	add := func(kind, v string) {
		v = strings.TrimSpace(v)
		k := strings.ToLower(v)
		if len([]rune(v)) < minIdentifierLen || seen[k] {
			return
		}
		seen[k] = true
		out = append(out, Identifier{Kind: kind, Value: v})
	}
	if c != nil {
		add("name", c.FirstName)
		add("name", c.LastName)
		add("name", c.Name())
		add("email", c.Email)
		add("phone", c.Phone)
		add("bsn", c.BSN)
		add("iban", c.IBAN)
		add("document-number", c.IDDocumentNumber)
	}
	for _, d := range docs {
		add("file-hash", d.SHA256)
	}
	return out
}

// ScanResidue looks for the identifiers in every table of the database (as
// its own catalogue lists them), every blob, and, as opt says, the raw
// database files and log files. Each table is read once, row by row, for all
// identifiers at once; files and blobs are streamed. Text is compared
// without regard to case, together with normalised forms (digits only for
// BSN and phone numbers, IBANs without spaces).
//
// Sealed columns and sealed blobs hold ciphertext, so the plaintext is not
// found there — which is the point: shredding the subject's key leaves
// nothing readable. Tables without a tenant_id column and blobs are scanned
// whole even when opt.Tenant is set, since what does not say whose it is
// may be anyone's.
func (db *DB) ScanResidue(ctx context.Context, ids []Identifier, opt ResidueOptions) ([]Hit, error) {
	m, err := newMatcher(ids)
	if err != nil {
		return nil, err
	}
	r := &residueScan{ids: ids, m: m}
	if err := db.scanTables(ctx, r, opt.Tenant); err != nil {
		return r.hits, err
	}
	if err := db.scanBlobs(ctx, r); err != nil {
		return r.hits, err
	}
	if opt.RawFiles && db.Dialect == SQLite {
		files, err := db.sqliteFiles(ctx)
		if err != nil {
			return r.hits, err
		}
		for _, f := range files {
			if err := r.scanFile(ctx, f, "database file "+f+", byte %d", false); err != nil {
				return r.hits, err
			}
		}
	}
	for _, f := range opt.LogFiles {
		if err := r.scanFile(ctx, f, "log "+f+", line %d", true); err != nil {
			return r.hits, err
		}
	}
	return r.hits, nil
}

// residueScan collects the hits of one ScanResidue call.
type residueScan struct {
	ids  []Identifier
	m    *matcher
	hits []Hit
}

func (r *residueScan) hit(id int, place string) {
	r.hits = append(r.hits, Hit{Identifier: id, Kind: r.ids[id].Kind, Place: place})
}

// scanTables reads every text and binary column of every table.
func (db *DB) scanTables(ctx context.Context, r *residueScan, tenant kluis.ID) error {
	return db.view(ctx, acrossAgencies(), func(tx *sql.Tx) error {
		tables, err := db.residueTables(ctx, tx)
		if err != nil {
			return err
		}
		for _, t := range tables {
			if err := r.scanTable(ctx, tx, t, tenant); err != nil {
				return fmt.Errorf("scan table %s: %w", t.name, err)
			}
		}
		return nil
	})
}

// residueTable is a table as the database's catalogue describes it.
type residueTable struct {
	name      string
	columns   []string // the text and binary columns, to search
	selects   []string // how each of columns is selected
	key       []string // the columns that name a row: id, else the primary key
	hasTenant bool
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// residueTables lists the tables from the catalogue of the database itself,
// not from kluis's own idea of its schema, so that a table kluis forgot
// about is searched too.
func (db *DB) residueTables(ctx context.Context, tx *sql.Tx) ([]residueTable, error) {
	if db.Dialect == SQLite {
		return sqliteResidueTables(ctx, tx)
	}
	return postgresResidueTables(ctx, tx)
}

func sqliteResidueTables(ctx context.Context, tx *sql.Tx) ([]residueTable, error) {
	names, err := strings1(ctx, tx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var out []residueTable
	for _, name := range names {
		rows, err := tx.QueryContext(ctx, `SELECT name, type, pk FROM pragma_table_info($1)`, name)
		if err != nil {
			return nil, err
		}
		t := residueTable{name: name}
		type pkCol struct {
			name string
			pos  int
		}
		var pks []pkCol
		hasID := false
		for rows.Next() {
			var col, typ string
			var pk int
			if err := rows.Scan(&col, &typ, &pk); err != nil {
				rows.Close()
				return nil, err
			}
			switch col {
			case "id":
				hasID = true
			case "tenant_id":
				t.hasTenant = true
			}
			if pk > 0 {
				pks = append(pks, pkCol{col, pk})
			}
			// Text and blob affinity (SQLite's rules, section 3.1 of
			// "Datatypes In SQLite"): numbers and dates are skipped, a
			// 9-digit BSN would otherwise match inside every long id. The raw
			// file scan reads those too.
			u := strings.ToUpper(typ)
			if strings.Contains(u, "CHAR") || strings.Contains(u, "CLOB") || strings.Contains(u, "TEXT") ||
				strings.Contains(u, "BLOB") || u == "" || strings.Contains(u, "JSON") {
				t.columns = append(t.columns, col)
				t.selects = append(t.selects, quoteIdent(col))
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		slices.SortFunc(pks, func(a, b pkCol) int { return a.pos - b.pos })
		if hasID {
			t.key = []string{"id"}
		} else {
			for _, p := range pks {
				t.key = append(t.key, p.name)
			}
		}
		if len(t.columns) > 0 {
			out = append(out, t)
		}
	}
	return out, nil
}

func postgresResidueTables(ctx context.Context, tx *sql.Tx) ([]residueTable, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT c.table_name, c.column_name, c.data_type, c.udt_name
		FROM information_schema.columns c
		JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
		ORDER BY c.table_name, c.ordinal_position`)
	if err != nil {
		return nil, err
	}
	var out []residueTable
	hasID := map[string]bool{}
	for rows.Next() {
		var table, col, typ, udt string
		if err := rows.Scan(&table, &col, &typ, &udt); err != nil {
			rows.Close()
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].name != table {
			out = append(out, residueTable{name: table})
		}
		t := &out[len(out)-1]
		switch col {
		case "id":
			hasID[table] = true
		case "tenant_id":
			t.hasTenant = true
		}
		sel := ""
		switch {
		case typ == "bytea":
			sel = quoteIdent(col)
		case typ == "text" || typ == "character varying" || typ == "character":
			sel = quoteIdent(col) + "::text"
		case typ == "json" || typ == "jsonb" || typ == "xml" || typ == "ARRAY" || udt == "citext":
			// Arrays and documents are searched in their text form.
			sel = quoteIdent(col) + "::text"
		}
		if sel != "" {
			t.columns = append(t.columns, col)
			t.selects = append(t.selects, sel)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	pkRows, err := tx.QueryContext(ctx, `
		SELECT k.table_name, k.column_name
		FROM information_schema.table_constraints c
		JOIN information_schema.key_column_usage k
		  ON k.constraint_schema = c.constraint_schema AND k.constraint_name = c.constraint_name AND k.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND c.constraint_type = 'PRIMARY KEY'
		ORDER BY k.table_name, k.ordinal_position`)
	if err != nil {
		return nil, err
	}
	pks := map[string][]string{}
	for pkRows.Next() {
		var table, col string
		if err := pkRows.Scan(&table, &col); err != nil {
			pkRows.Close()
			return nil, err
		}
		pks[table] = append(pks[table], col)
	}
	pkRows.Close()
	if err := pkRows.Err(); err != nil {
		return nil, err
	}
	kept := out[:0]
	for _, t := range out {
		if hasID[t.name] {
			t.key = []string{"id"}
		} else {
			t.key = pks[t.name]
		}
		if len(t.columns) > 0 {
			kept = append(kept, t)
		}
	}
	return kept, nil
}

// strings1 returns the first column of every row of a query.
func strings1(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// scanTable streams one table: the key columns, then the searched columns,
// as raw bytes, so that memory stays at one row whatever the table's size.
func (r *residueScan) scanTable(ctx context.Context, tx *sql.Tx, t residueTable, tenant kluis.ID) error {
	sel := make([]string, 0, len(t.key)+len(t.selects))
	for _, k := range t.key {
		// Cast so that a key of any type reads as text, for the report.
		sel = append(sel, "CAST("+quoteIdent(k)+" AS TEXT)")
	}
	sel = append(sel, t.selects...)
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + quoteIdent(t.name) // #nosec G202 -- table and column names come from the live schema and are quoted by quoteIdent
	var args []any
	if tenant != 0 && t.hasTenant {
		q += " WHERE tenant_id = $1"
		args = append(args, tenant)
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]sql.RawBytes, len(sel))
	dest := make([]any, len(sel))
	for i := range vals {
		dest[i] = &vals[i]
	}
	var fold []byte
	found := make([]bool, len(r.ids))
	n := 0
	for rows.Next() {
		n++
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		label := ""
		for i, c := range t.columns {
			v := vals[len(t.key)+i]
			if len(v) == 0 {
				continue
			}
			fold = asciiLower(fold[:0], v)
			clear(found)
			hit := false
			r.m.each(fold, func(id, _, _ int) {
				found[id], hit = true, true
			})
			if !hit {
				continue
			}
			if label == "" {
				label = r.rowLabel(t.key, vals[:len(t.key)], n)
			}
			for id, f := range found {
				if f {
					r.hit(id, "table "+t.name+", column "+c+", "+label)
				}
			}
		}
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	return rows.Err()
}

// rowLabel names a row by its id or primary key; when those hold an
// identifier themselves (a key that is an e-mail address), by its position,
// so that the report never repeats what it looks for.
func (r *residueScan) rowLabel(key []string, vals []sql.RawBytes, n int) string {
	if len(key) == 1 && key[0] == "id" && len(vals[0]) > 0 && !r.m.matches(asciiLower(nil, vals[0])) {
		return "row " + string(vals[0])
	}
	if len(key) > 0 {
		parts := make([]string, len(key))
		ok := true
		for i, k := range key {
			if r.m.matches(asciiLower(nil, vals[i])) {
				ok = false
				break
			}
			parts[i] = k + "=" + strconv.Quote(string(vals[i]))
		}
		if ok {
			return "row (" + strings.Join(parts, ", ") + ")"
		}
	}
	return "row number " + strconv.Itoa(n)
}

// scanBlobs reads every blob of the blob store: its sha256 is compared with
// the file hashes, its bytes are searched for everything else. Blobs are
// normally sealed, so only a plain copy (say, restored from elsewhere or
// written by a bug) can match.
func (db *DB) scanBlobs(ctx context.Context, r *residueScan) error {
	if db.blobs == nil {
		return nil
	}
	hashes := map[string][]int{}
	for i, id := range r.ids {
		if id.Kind == "file-hash" {
			h := strings.ToLower(strings.Join(strings.Fields(id.Value), ""))
			hashes[h] = append(hashes[h], i)
		}
	}
	return db.blobs.List(ctx, func(key string) error {
		rc, err := db.blobs.Open(ctx, key)
		if err != nil {
			return fmt.Errorf("scan blob %s: %w", key, err)
		}
		defer rc.Close()
		h := sha256.New()
		place := "blob " + key
		seen := make([]bool, len(r.ids))
		err = r.m.stream(ctx, io.TeeReader(rc, h), func(id int, _ int64, _, _ int) {
			if !seen[id] {
				seen[id] = true
				r.hit(id, place)
			}
		})
		if err != nil {
			return fmt.Errorf("scan blob %s: %w", key, err)
		}
		for _, id := range hashes[hex.EncodeToString(h.Sum(nil))] {
			if !seen[id] {
				seen[id] = true
				r.hit(id, place+" (its sha256)")
			}
		}
		return nil
	})
}

// sqliteFiles returns the database file and, if there is one, its
// write-ahead log: both hold page images, old ones included.
func (db *DB) sqliteFiles(ctx context.Context) ([]string, error) {
	var path string
	err := db.r.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path)
	if err != nil {
		return nil, fmt.Errorf("find the database file: %w", err)
	}
	if path == "" {
		return nil, nil // an in-memory database has no file
	}
	files := []string{path}
	if _, err := os.Stat(path + "-wal"); err == nil {
		files = append(files, path+"-wal")
	}
	return files, nil
}

// scanFile searches a file as a stream; place is formatted with the byte
// offset of each hit, or with its line number when lines is set. A hit is
// reported once per identifier and line, and overlapping hits of one
// identifier (a phone number in two forms) once.
func (r *residueScan) scanFile(ctx context.Context, path, place string, lines bool) error {
	f, err := os.Open(path) // #nosec G304 -- files of the data directory and log files the operator names
	if err != nil {
		return fmt.Errorf("scan %s: %w", path, err)
	}
	defer f.Close()
	lastEnd := make([]int64, len(r.ids))
	lastLine := make([]int, len(r.ids))
	err = r.m.stream(ctx, f, func(id int, off int64, length, line int) {
		if lines {
			if lastLine[id] == line {
				return
			}
			lastLine[id] = line
			r.hit(id, fmt.Sprintf(place, line))
			return
		}
		if off < lastEnd[id] {
			return
		}
		lastEnd[id] = off + int64(length)
		r.hit(id, fmt.Sprintf(place, off))
	})
	if err != nil {
		return fmt.Errorf("scan %s: %w", path, err)
	}
	return nil
}
