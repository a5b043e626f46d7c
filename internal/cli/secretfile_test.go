package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecretsAreReadFromFilesAndMustBeLongEnough(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if s, err := readSecretFile(write("good", "  een-lang-genoeg-token\n")); err != nil || s != "een-lang-genoeg-token" {
		t.Fatalf("a good token file: %q, %v", s, err)
	}
	if _, err := readSecretFile(write("short", "kort\n")); err == nil {
		t.Fatal("a short token was taken")
	}
	if _, err := readSecretFile(write("empty", "\n")); err == nil {
		t.Fatal("an empty token was taken")
	}
	if _, err := readSecretFile(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("a missing file was taken")
	}
	code, _, stderr := runMain(t, "serve", "--help")
	if code != 0 || !strings.Contains(stderr, "metrics-token-file") {
		t.Fatalf("serve --help does not offer --metrics-token-file: %d %s", code, stderr)
	}
}
