package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// runBackup is `kluis backup --out DIR`: a consistent copy of the SQLite
// data database, taken while kluis serves, and then the document store
// beside it. The key store is left out on purpose (docs/OPERATIONS.md).
func runBackup(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "backup", "backup --out DIR [flags]")
	st := storageFlags(f, "kluis-data")
	out := f.string("out", "", "directory to write the backup to (it must not exist)")
	if err := f.parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("give the directory to write the backup to with --out")
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("%s exists already: a backup never overwrites anything", *out)
	}
	db, err := st.open(ctx, e, false)
	if err != nil {
		return err
	}
	defer st.close(db)
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o700); err != nil {
		return err
	}
	// The database first, then the documents: a document removed in
	// between was erased, and is rightly missing; one added in between is
	// an orphan the restore leaves unused.
	if err := db.BackupTo(ctx, filepath.Join(*out, "kluis.db")); err != nil {
		return err
	}
	n, err := copyTree(filepath.Join(*st.data, "documents"), filepath.Join(*out, "documents"), false)
	if err != nil {
		return fmt.Errorf("copy the documents: %w", err)
	}
	fmt.Fprintf(e.stdout, "backup written to %s: the database and %d document files\n", *out, n)
	fmt.Fprintln(e.stdout, "The key store (keys.db) and the master key are not in it: back them up apart from the data (docs/OPERATIONS.md).")
	return nil
}

// runRestore is `kluis restore --from DIR`: it puts a backup made by
// `kluis backup` in place of the data database (kluis must not be
// running), adds the documents the backup holds, and then erases again
// every candidate whose erasure came after the backup — the key store,
// which the restore leaves alone, remembers them.
func runRestore(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "restore", "restore --from DIR [--force] [flags]")
	st := storageFlags(f, "kluis-data")
	from := f.string("from", "", "directory of a backup made by `kluis backup`")
	force := f.Bool("force", false, "replace an existing database (stop kluis first)")
	if err := f.parse(args); err != nil {
		return err
	}
	if *from == "" {
		return errors.New("give the backup to restore with --from")
	}
	if *st.db != "" {
		return errors.New("kluis restore is for SQLite in the data directory; restore PostgreSQL with pg_restore (docs/OPERATIONS.md)")
	}
	src := filepath.Join(*from, "kluis.db")
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("%s holds no kluis backup (no kluis.db)", *from)
	}
	dst := filepath.Join(*st.data, "kluis.db")
	if _, err := os.Stat(dst); err == nil && !*force {
		return fmt.Errorf("%s exists: stop kluis, then give --force to replace it", dst)
	}
	if err := os.MkdirAll(*st.data, 0o700); err != nil {
		return err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(dst + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := copyFile(src, dst); err != nil {
		return fmt.Errorf("restore the database: %w", err)
	}
	n, err := copyTree(filepath.Join(*from, "documents"), filepath.Join(*st.data, "documents"), true)
	if err != nil {
		return fmt.Errorf("restore the documents: %w", err)
	}
	fmt.Fprintf(e.stdout, "restored the database and %d document files from %s\n", n, *from)
	db, err := st.open(ctx, e, true)
	if err != nil {
		return err
	}
	defer st.close(db)
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	again, err := db.ResumeErasures(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "erased again %d candidates whose erasure came after the backup\n", again)
	return nil
}

// copyTree copies the files below src to dst, keeping files dst has when
// keep is set; it returns how many files it copied.
func copyTree(src, dst string, keep bool) (int, error) {
	n := 0
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if errors.Is(err, os.ErrNotExist) && path == src {
			return filepath.SkipDir
		}
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		if keep {
			if _, err := os.Stat(target); err == nil {
				return nil
			}
		}
		n++
		return copyFile(path, target)
	})
	return n, err
}

func copyFile(src, dst string) error {
	in, err := os.Open(src) // #nosec G304 -- the operator names the backup on the command line
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".part"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600) // #nosec G304 -- the operator names the backup on the command line
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}
