package cli

import (
	"context"
	"errors"
	"fmt"

	"kluis/internal/vault"
)

func runKeys(ctx context.Context, e *env, args []string) error {
	if err := verb(e, args, "Usage: kluis keys init --out FILE\n       kluis keys rotate --master-key-file OLD --new-master-key-file NEW [--data DIR] [--db URL] [--keys URL]", "init", "rotate"); err != nil {
		return err
	}
	if args[0] == "init" {
		f := newFlags(e, "keys init", "keys init --out FILE")
		out := f.String("out", "", "where to write the new master key (the file must not exist; mode 0600)")
		if err := f.parse(args[1:]); err != nil {
			return err
		}
		if *out == "" {
			return errors.New("say where the key goes with --out")
		}
		m, err := vault.WriteMasterKey(*out)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "wrote master key %s to %s; keep it apart from the data and its backups\n", m.ID, *out)
		return nil
	}
	f := newFlags(e, "keys rotate", "keys rotate [flags]\n\n"+
		"Re-wraps every subject key under a new master key, in batches, while kluis serves.\n"+
		"Restart the servers with --master-key-file NEW --previous-master-key-file OLD first,\n"+
		"run this, then restart them with the new key alone and retire the old one.")
	st := storageFlags(f, "kluis-data")
	next := f.string("new-master-key-file", "", "the master key to re-wrap under (create it with `kluis keys init`)")
	if err := f.parse(args[1:]); err != nil {
		return err
	}
	if *st.master == "" || *next == "" {
		return errors.New("give the current key with --master-key-file and the new one with --new-master-key-file")
	}
	nm, err := vault.LoadMasterKey(*next)
	if err != nil {
		return err
	}
	db, err := st.open(ctx, e, true)
	if err != nil {
		return err
	}
	defer st.close(db)
	last := -1
	err = st.vault.Rotate(ctx, nm, func(done, total int) {
		if pct := done * 100 / max(total, 1); pct != last {
			last = pct
			fmt.Fprintf(e.stderr, "\rre-wrapping subject keys: %3d%% (%d of %d)", pct, done, total)
		}
	})
	if last >= 0 {
		fmt.Fprintln(e.stderr)
	}
	if err != nil {
		return err
	}
	by, err := st.vault.KeysByMaster(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "every subject key is now wrapped under master key %s (%v)\n", nm.ID, by)
	return nil
}
