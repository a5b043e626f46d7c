package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"kluis/internal/importer"
)

func runImport(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "import", "import [flags] [KIND=]FILE...\n\n"+
		"Imports one set of files from a previous system, all or nothing. KIND is one of\n"+
		"candidates, clients, placements, contact-moments (Dutch names work too); without it\n"+
		"the kind is read from the header row. The column layout is in docs/IMPORT.md.\n"+
		"Example: kluis import --tenant mijn-bureau --user p.jansen@mijnbureau.nl --dry-run \\\n"+
		"           clients=relaties.csv candidates=kandidaten.xlsx placements.csv")
	st := storageFlags(f, "kluis-data")
	tenant := tenantFlag(f)
	email := f.string("user", "", "e-mail address of the staff user the import is recorded for")
	dryRun := f.Bool("dry-run", false, "check every file and report every bad row; write nothing")
	if err := f.parse(args); err != nil {
		return err
	}
	if f.NArg() == 0 {
		f.Usage()
		return errors.New("name at least one file")
	}
	var files []importer.File
	for _, arg := range f.Args() {
		kind, path := "", arg
		if k, p, ok := strings.Cut(arg, "="); ok && !strings.ContainsAny(k, `/\.`) {
			kind, path = k, p
		}
		file := importer.File{Name: filepath.Base(path)}
		if kind != "" {
			k, err := importer.ParseKind(kind)
			if err != nil {
				return err
			}
			file.Kind = k
		}
		fh, err := os.Open(path) // #nosec G304 -- the operator names the file on the command line
		if err != nil {
			return fmt.Errorf("open %s: %w", path, err)
		}
		defer fh.Close()
		file.Body = fh
		files = append(files, file)
	}
	db, t, err := st.openTenant(ctx, e, *tenant, true)
	if err != nil {
		return err
	}
	defer st.close(db)
	if *email == "" {
		return errors.New("name the staff user the import is recorded for with --user")
	}
	a, err := actorFor(ctx, db, t.ID, *email)
	if err != nil {
		return err
	}
	last := -1
	rep, err := importer.Run(ctx, db, a, files, importer.Options{DryRun: *dryRun, Progress: func(done, total int) {
		if pct := done * 100 / max(total, 1); pct != last {
			last = pct
			fmt.Fprintf(e.stderr, "\r%3d%% (%d of %d steps)", pct, done, total)
		}
	}})
	if last >= 0 {
		fmt.Fprintln(e.stderr)
	}
	if err != nil {
		return err
	}
	for _, fr := range rep.Files {
		fmt.Fprintf(e.stdout, "%s: %s, %d rows, %d problems\n", fr.Name, fr.Kind, fr.Rows, len(fr.Problems)+fr.Unlisted)
		for _, p := range fr.Problems {
			where := fmt.Sprintf("line %d", p.Line)
			if p.Field != "" {
				where += ", " + p.Field
			}
			fmt.Fprintf(e.stdout, "  %s: %s\n", where, p.Message.EN)
		}
		if fr.Unlisted > 0 {
			fmt.Fprintf(e.stdout, "  … and %d more\n", fr.Unlisted)
		}
	}
	if err := rep.Err(); err != nil {
		return err
	}
	if rep.DryRun {
		fmt.Fprintln(e.stdout, "dry run: no problems found, nothing written")
	} else {
		fmt.Fprintln(e.stdout, "imported")
	}
	return nil
}
