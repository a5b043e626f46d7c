package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"kluis/internal/mail/mailtest"
)

func runMain(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func passwordFile(t *testing.T, pw string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "smtp-password")
	if err := os.WriteFile(name, []byte(pw+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestMailTestSendsThroughMailpit(t *testing.T) {
	const pw = "Juist-Wachtwoord-42"
	srv := mailtest.Start(t, "--smtp-auth-file", mailtest.AuthFile(t, "kluis", pw), "--smtp-auth-allow-insecure")
	t.Setenv("KLUIS_SMTP_HOST", srv.Host)
	t.Setenv("KLUIS_SMTP_PORT", strconv.Itoa(srv.SMTPPort))
	t.Setenv("KLUIS_SMTP_USER", "kluis")
	t.Setenv("KLUIS_SMTP_PASSWORD_FILE", passwordFile(t, pw))
	t.Setenv("KLUIS_SMTP_FROM", "privacy@mijnbureau.example.nl")
	t.Setenv("KLUIS_SMTP_TLS", "none")

	code, stdout, stderr := runMain(t, "mail", "test", "--to", "p.jansen@mijnbureau.example.nl")
	if code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	id := regexp.MustCompile(`Message-ID: (<[^>]+>)`).FindStringSubmatch(stdout)
	if id == nil {
		t.Fatalf("no Message-ID in %q", stdout)
	}
	got := srv.WaitMessage(id[1])
	if len(got.To) != 1 || got.To[0].Address != "p.jansen@mijnbureau.example.nl" {
		t.Errorf("To %+v", got.To)
	}
	if got.From.Address != "privacy@mijnbureau.example.nl" || got.Username != "kluis" {
		t.Errorf("From %+v, SMTP user %q", got.From, got.Username)
	}
	if !strings.Contains(got.Subject, "test") || !strings.Contains(got.Text, "SMTP") {
		t.Errorf("Subject %q, Text %q", got.Subject, got.Text)
	}
	if strings.Contains(stdout+stderr+got.Text, pw) {
		t.Fatal("the password was printed or sent")
	}

	// A flag on the command line beats the environment: a wrong password
	// file fails, with a clear message that does not contain the password.
	const wrong = "Fout-Wachtwoord-99"
	code, stdout, stderr = runMain(t, "mail", "test", "--to", "p.jansen@mijnbureau.example.nl",
		"--smtp-password-file", passwordFile(t, wrong))
	if code != 1 {
		t.Fatalf("exit %d with a wrong password\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "not sent") || !strings.Contains(stderr, "AUTH") {
		t.Errorf("unclear message: %s", stderr)
	}
	if strings.Contains(stdout+stderr, wrong) || strings.Contains(stdout+stderr, pw) {
		t.Fatalf("password in the output: %s%s", stdout, stderr)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Fatalf("mailpit has %d messages, want 1", n)
	}
}

func TestMailTestRefusesBadSettings(t *testing.T) {
	for _, k := range []string{"HOST", "PORT", "USER", "PASSWORD_FILE", "FROM", "TLS", "HELO"} {
		t.Setenv("KLUIS_SMTP_"+k, "")
		os.Unsetenv("KLUIS_SMTP_" + k)
	}
	pw := passwordFile(t, "geheim-Wachtwoord")
	cases := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"no verb", nil, "say one of: test"},
		{"no recipient", []string{"test", "--smtp-host", "smtp.example.nl", "--smtp-from", "a@example.nl"}, "--to"},
		{"bad recipient", []string{"test", "--to", "a@example.nl, b@example.nl", "--smtp-host", "smtp.example.nl"}, "--to"},
		{"no host", []string{"test", "--to", "a@example.nl"}, "--smtp-host"},
		{"bad port", []string{"test", "--to", "a@example.nl", "--smtp-host", "smtp.example.nl", "--smtp-port", "smtp"}, "--smtp-port"},
		{"port out of range", []string{"test", "--to", "a@example.nl", "--smtp-host", "smtp.example.nl", "--smtp-port", "70000", "--smtp-from", "a@example.nl"}, "--smtp-port: The port must be between 1 and 65535."},
		{"bad from", []string{"test", "--to", "a@example.nl", "--smtp-host", "smtp.example.nl", "--smtp-from", "kluis"}, "--smtp-from: Not a valid sender address"},
		{"unknown tls", []string{"test", "--to", "a@example.nl", "--smtp-host", "smtp.example.nl", "--smtp-from", "a@example.nl", "--smtp-tls", "ssl"}, "--smtp-tls: Choose starttls, tls or none."},
		{"none on a real server", []string{"test", "--to", "a@example.nl", "--smtp-host", "smtp.example.nl", "--smtp-from", "a@example.nl", "--smtp-tls", "none"}, "--smtp-tls: Sending unencrypted (none) is only allowed to a test server on this machine"},
		{"missing password file", []string{"test", "--to", "a@example.nl", "--smtp-host", "smtp.example.nl", "--smtp-from", "a@example.nl", "--smtp-user", "u", "--smtp-password-file", "/nonexistent/pw"}, "read the SMTP password from /nonexistent/pw"},
		{"user without password", []string{"test", "--to", "a@example.nl", "--smtp-host", "smtp.example.nl", "--smtp-from", "a@example.nl", "--smtp-user", "u"}, "--smtp-password-file"},
		{"password without user", []string{"test", "--to", "a@example.nl", "--smtp-host", "smtp.example.nl", "--smtp-from", "a@example.nl", "--smtp-password-file", pw}, "--smtp-user"},
		{"password is not a flag", []string{"test", "--to", "a@example.nl", "--smtp-password", "geheim"}, "flag provided but not defined: -smtp-password"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runMain(t, append([]string{"mail"}, tc.args...)...)
			if code == 0 {
				t.Fatalf("exit 0, stdout %s", stdout)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Fatalf("stderr does not say %q:\n%s", tc.want, stderr)
			}
			if strings.Contains(stderr, "geheim-Wachtwoord") {
				t.Fatalf("password in the output: %s", stderr)
			}
		})
	}

	code, stdout, stderr := runMain(t, "mail", "test", "--help")
	if code != 0 || !strings.Contains(stderr, "--smtp-password-file") && !strings.Contains(stderr, "-smtp-password-file") {
		t.Fatalf("help: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, _ := runMain(t, "help"); code != 0 || !strings.Contains(stdout, "mail ") {
		t.Fatalf("the command list lacks mail: %s", stdout)
	}
}
