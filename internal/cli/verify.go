package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"kluis/internal/store"
)

// runVerifyErasure is `kluis verify-erasure`: it looks for what is left of
// an erased candidate in every table, every blob, the SQLite database files
// and the given log files. After an erasure kluis no longer knows who the
// candidate was, so the identifiers are given — best in a file, so that they
// stay out of the process list and the shell history. The report names
// places and identifier numbers, never the values; finding anything is an
// error (exit status 1).
func runVerifyErasure(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "verify-erasure", "verify-erasure [flags] --from-file FILE")
	st := storageFlags(f, "kluis-data")
	slug := tenantFlag(f)
	from := f.string("from-file", "", "file with the identifiers to look for, one 'kind: value' a line, numbered from 1 before the identifiers given by flags (kinds: "+kindList()+"); - reads standard input; lines starting with # are skipped")
	var ids []store.Identifier
	for _, k := range []string{"name", "email", "phone", "bsn", "iban", "document-number", "file-hash"} {
		f.Var(&identifierFlag{kind: k, ids: &ids}, k, "look for this "+store.IdentifierKinds[k]+" (repeatable; prefer --from-file: values given here end up in the process list and the shell history)")
	}
	var logs stringList
	f.Var(&logs, "log", "an application log file to search line by line (repeatable)")
	raw := f.Bool("raw", true, "SQLite: also read the database file and its write-ahead log byte by byte (ignored with PostgreSQL)")
	if err := f.parse(args); err != nil {
		return err
	}
	if f.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q: identifiers are given with --from-file or the flags", f.Arg(0))
	}
	if *from != "" {
		fromFile, err := readIdentifiers(e, *from)
		if err != nil {
			return err
		}
		ids = append(fromFile, ids...)
	}
	if len(ids) == 0 {
		return errors.New("nothing to look for: give the identifiers with --from-file (or --name, --email, …)")
	}
	if err := mustExist(st); err != nil {
		return err
	}
	db, err := st.open(ctx, e, false)
	if err != nil {
		return err
	}
	defer st.close(db)
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	opt := store.ResidueOptions{LogFiles: logs, RawFiles: *raw && db.Dialect == store.SQLite}
	if *slug != "" {
		t, err := db.TenantBySlug(ctx, *slug)
		if err != nil {
			return err
		}
		opt.Tenant = t.ID
	}
	hits, err := db.ScanResidue(ctx, ids, opt)
	if err != nil {
		return err
	}
	if *raw && db.Dialect == store.Postgres {
		fmt.Fprintln(e.stdout, "note: the PostgreSQL server's own files are not read: deleted row versions stay in them until VACUUM removes them, and in the write-ahead log until it is recycled; the sensitive data in them is sealed with the candidate's shredded key")
	}
	for _, h := range hits {
		fmt.Fprintf(e.stdout, "%s: identifier %d (%s)\n", h.Place, h.Identifier+1, store.IdentifierKinds[h.Kind])
	}
	where := "every table and every blob"
	if opt.RawFiles {
		where = "every table, every blob and the database files"
	}
	if len(logs) > 0 {
		where += fmt.Sprintf(", and %d log files", len(logs))
	}
	if len(hits) == 0 {
		fmt.Fprintf(e.stdout, "nothing found: %d identifiers looked for in %s\n", len(ids), where)
		return nil
	}
	found := map[int]bool{}
	for _, h := range hits {
		found[h.Identifier] = true
	}
	nums := make([]int, 0, len(found))
	for i := range found {
		nums = append(nums, i+1)
	}
	sort.Ints(nums)
	fmt.Fprintf(e.stdout, "found: %d places hold identifiers %s of the %d looked for in %s\n",
		len(hits), strings.Trim(fmt.Sprint(nums), "[]"), len(ids), where)
	return fmt.Errorf("residue found in %d places", len(hits))
}

// mustExist refuses a SQLite file that is not there: opening it would make
// an empty database, in which nothing is found — a false all-clear.
func mustExist(st *storage) error {
	dsn := *st.db
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return nil
	}
	if dsn == "" {
		dsn = filepath.Join(*st.data, "kluis.db")
	}
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "file:")
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no database to search: %w", err)
	}
	return nil
}

func kindList() string {
	kinds := make([]string, 0, len(store.IdentifierKinds))
	for k := range store.IdentifierKinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return strings.Join(kinds, ", ")
}

// readIdentifiers reads `kind: value` lines. Errors name the line, never
// its value.
func readIdentifiers(e *env, name string) ([]store.Identifier, error) {
	var r io.Reader = e.stdin
	if name != "-" {
		f, err := os.Open(name) // #nosec G304 -- the operator names the file on the command line
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	var ids []store.Identifier
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		kind, value, ok := strings.Cut(line, ":")
		kind = strings.ToLower(strings.TrimSpace(kind))
		if kind == "e-mail" {
			kind = "email"
		}
		if _, known := store.IdentifierKinds[kind]; !ok || !known {
			return nil, fmt.Errorf("%s, line %d: say `kind: value`, with kind one of %s", name, n, kindList())
		}
		ids = append(ids, store.Identifier{Kind: kind, Value: strings.TrimSpace(value)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return ids, nil
}

// identifierFlag adds each value given to a flag to one list, so that the
// identifiers keep the order of the command line.
type identifierFlag struct {
	kind string
	ids  *[]store.Identifier
}

func (f *identifierFlag) String() string { return "" }

func (f *identifierFlag) Set(v string) error {
	*f.ids = append(*f.ids, store.Identifier{Kind: f.kind, Value: v})
	return nil
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ", ") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}
