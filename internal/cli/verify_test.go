package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/store/storetest"
)

// TestVerifyErasureReportsPlacesNeverValues runs `kluis verify-erasure`
// before and after a candidate is deleted: first it names the places that
// still hold them and fails, then it finds nothing and succeeds. The values
// looked for never appear in what it prints.
func TestVerifyErasureReportsPlacesNeverValues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		ctx := context.Background()
		c := &kluis.Candidate{BranchID: e.Branch.ID, FirstName: "Wilhelmina", LastName: "Zwanenburg",
			Email: "w.zwanenburg@voorbeeld.nl", Phone: "06-98765432", Source: "walk-in"}
		if err := e.DB.CreateCandidate(ctx, e.Actor, c); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		idFile := filepath.Join(dir, "ids.txt")
		idText := "# the erased candidate\nname: Zwanenburg\ne-mail: W.Zwanenburg@voorbeeld.nl\n\nphone: 0698765432\n"
		if err := os.WriteFile(idFile, []byte(idText), 0o600); err != nil {
			t.Fatal(err)
		}
		logFile := filepath.Join(dir, "kluis.log")
		if err := os.WriteFile(logFile, []byte("{\"msg\":\"start\"}\n{\"msg\":\"mail\",\"to\":\"w.zwanenburg@voorbeeld.nl\"}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		values := []string{"zwanenburg", "0698765432", "nl91abna"}
		run := func(stdin string, args ...string) (int, string) {
			var out, errb bytes.Buffer
			args = append(append([]string{"verify-erasure"}, args...), "--data", e.Dir, "--db", e.DSN)
			code := Main(ctx, args, strings.NewReader(stdin), &out, &errb)
			all := out.String() + errb.String()
			for _, v := range values {
				if strings.Contains(strings.ToLower(all), v) {
					t.Errorf("the output repeats a value looked for:\n%s", all)
				}
			}
			return code, all
		}

		code, out := run("", "--from-file", idFile, "--iban", "NL91 ABNA 0417 1643 00", "--log", logFile)
		row := fmt.Sprintf(", row %d", c.ID)
		for _, want := range []string{
			"table candidates, column last_name" + row + ": identifier 1 (name)",
			"table candidates, column email" + row + ": identifier 2 (e-mail)",
			"table candidates, column phone" + row + ": identifier 3 (phone)",
			"log " + logFile + ", line 2: identifier 2 (e-mail)",
			"found: ",
			"identifiers 1 2 3 of the 4 looked for",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("before the delete, no %q in\n%s", want, out)
			}
		}
		if code != 1 {
			t.Errorf("exit %d with residue found", code)
		}

		if err := e.DB.DeleteCandidate(ctx, e.Actor, c.ID, 1); err != nil {
			t.Fatal(err)
		}
		if e.DB.Dialect == store.SQLite {
			if _, err := storetest.Raw(t, e).ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
				t.Fatal(err)
			}
		}
		// Identifiers from standard input this time.
		code, out = run(idText, "--from-file", "-")
		if code != 0 || !strings.Contains(out, "nothing found: 3 identifiers looked for") {
			t.Errorf("after the delete: exit %d\n%s", code, out)
		}
		if e.DB.Dialect == store.SQLite && !strings.Contains(out, "the database files") {
			t.Errorf("the database files were not read on SQLite:\n%s", out)
		}

		// A plain copy left in the document store is found there.
		stray := filepath.Join(e.Dir, "documents", "stray")
		if err := os.MkdirAll(stray, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(stray, "cv.txt"), []byte("CV van W. ZWANENBURG"), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out = run(idText, "--from-file", "-")
		if code != 1 || !strings.Contains(out, "blob stray/cv.txt: identifier 1 (name)") {
			t.Errorf("a stray document: exit %d\n%s", code, out)
		}
	})
}

func TestVerifyErasureRefusesWhatItCannotCheck(t *testing.T) {
	e := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		want  string
	}{
		{"no identifiers", []string{"--data", e.Dir, "--db", e.DSN}, "", "nothing to look for"},
		{"a line without a kind", []string{"--data", e.Dir, "--db", e.DSN, "--from-file", "-"}, "name: Zwanenburg\nGeheimWaarde\n", "-, line 2: say `kind: value`"},
		{"an unknown kind", []string{"--data", e.Dir, "--db", e.DSN, "--from-file", "-"}, "bijnaam: GeheimWaarde\n", "line 1"},
		{"a value that matches everywhere", []string{"--data", e.Dir, "--db", e.DSN, "--name", "Li"}, "", "shorter than 4 characters"},
		{"a database that is not there", []string{"--data", filepath.Join(t.TempDir(), "typo"), "--name", "Zwanenburg"}, "", "no database to search"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "a database that is not there" {
				defer func() {
					if _, err := os.Stat(tc.args[1]); err == nil {
						t.Error("the search made the data directory it was pointed at by mistake")
					}
				}()
			}
			var out, errb bytes.Buffer
			code := Main(ctx, append([]string{"verify-erasure"}, tc.args...), strings.NewReader(tc.stdin), &out, &errb)
			all := out.String() + errb.String()
			if code != 1 || !strings.Contains(all, tc.want) || strings.Contains(all, "GeheimWaarde") {
				t.Errorf("exit %d, want %q in\n%s", code, tc.want, all)
			}
		})
	}
}
