package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store/storetest"
)

// TestStatementSendEMailsTheCurrentVersionOnce: `kluis statement send`
// e-mails the current version to the candidates without it, says so in
// counts, and a second run sends nothing.
func TestStatementSendEMailsTheCurrentVersionOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		ctx := context.Background()
		if err := e.DB.PublishPrivacyStatement(ctx, e.Actor, &kluis.PrivacyStatement{TextNL: "# V", TextEN: "# V"}); err != nil {
			t.Fatal(err)
		}
		e.MustCreateCandidate(t, "Jansen")
		e.MustCreateCandidate(t, "Visser")
		args := []string{"send", "--data", e.Dir, "--db", e.DSN, "--master-key-file", e.Dir + "/master.key"}
		for i, want := range []string{"test-bureau: 2 sent, 0 skipped", "test-bureau: 0 sent, 0 skipped"} {
			var out, errb bytes.Buffer
			env := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, clock: &kluis.FixedClock{T: storetest.Start.Add(time.Hour)}}
			if err := runStatement(ctx, env, args); err != nil {
				t.Fatalf("run %d: %v: %s", i+1, err, errb.String())
			}
			if s := out.String(); !strings.Contains(s, want) || strings.Contains(s, "Jansen") {
				t.Fatalf("run %d:\n%s", i+1, s)
			}
		}
	})
}
