package vault

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMasterKeyFile(t *testing.T) {
	t.Run("a written key loads with the same ID and is readable by its owner only", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "master.key")
		written, err := WriteMasterKey(path)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %04o, want 0600", fi.Mode().Perm())
		}
		loaded, err := LoadMasterKey(path)
		if err != nil {
			t.Fatal(err)
		}
		if loaded.ID != written.ID || len(loaded.ID) != 8 {
			t.Errorf("loaded ID %q, written %q", loaded.ID, written.ID)
		}
		// Same ID, and the same key: what one wraps the other unwraps.
		wrapped, _ := written.wrapKey(1, 2, make([]byte, subjectKeySize))
		if _, err := loaded.unwrapKey(1, 2, wrapped); err != nil {
			t.Errorf("loaded key does not unwrap what the written one wrapped: %v", err)
		}
	})
	t.Run("writing refuses to overwrite an existing key file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "master.key")
		first, err := WriteMasterKey(path)
		if err != nil {
			t.Fatal(err)
		}
		before, _ := os.ReadFile(path)
		if _, err := WriteMasterKey(path); err == nil || !strings.Contains(err.Error(), "already exists") {
			t.Fatalf("second write error = %v", err)
		}
		after, _ := os.ReadFile(path)
		if !bytes.Equal(before, after) {
			t.Error("the key file changed")
		}
		if again, _ := LoadMasterKey(path); again == nil || again.ID != first.ID {
			t.Error("the first key no longer loads")
		}
	})
	t.Run("two written keys differ", func(t *testing.T) {
		dir := t.TempDir()
		a, _ := WriteMasterKey(filepath.Join(dir, "a"))
		b, _ := WriteMasterKey(filepath.Join(dir, "b"))
		if a.ID == b.ID {
			t.Error("two new master keys have the same ID")
		}
	})

	const valid = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF"
	for _, tt := range []struct {
		name    string
		content string
		mode    os.FileMode
		wantErr string // "" for success
	}{
		{"a key without a newline loads", valid, 0o600, ""},
		{"a key with a newline loads", valid + "\n", 0o600, ""},
		{"a key with a Windows line ending loads", valid + "\r\n", 0o400, ""},
		{"a key file readable by everyone is refused with advice to chmod 600", valid + "\n", 0o644, "chmod 600"},
		{"a key file readable by the group is refused", valid + "\n", 0o640, "chmod 600"},
		{"an empty key file is refused", "", 0o600, "malformed"},
		{"a short key is refused", valid[:62] + "\n", 0o600, "malformed"},
		{"a long key is refused", valid + "00\n", 0o600, "malformed"},
		{"a key with a non-hex character is refused", "g" + valid[1:], 0o600, "malformed"},
		{"a key with two newlines is refused", valid + "\n\n", 0o600, "malformed"},
		{"a key in base64 is refused", "q0Fk3ZkQx7bXc2Jr0U3Nc6z0WmQm3cW3y0nq2Z7Jt3A=\n", 0o600, "malformed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "master.key")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			m, err := LoadMasterKey(path)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := hex.DecodeString(valid)
				want, _ := newMasterKey(raw)
				if m.ID != want.ID {
					t.Errorf("ID %s, want %s", m.ID, want.ID)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one mentioning %q", err, tt.wantErr)
			}
			// Neither the key nor any recognisable piece of it.
			for _, secret := range []string{strings.TrimSpace(tt.content), valid[:8], valid[len(valid)-8:], "U+0067", "'g'"} {
				if secret != "" && strings.Contains(err.Error(), secret) {
					t.Errorf("error quotes the file's content (%q): %v", secret, err)
				}
			}
		})
	}
	t.Run("a missing key file is an error naming the file", func(t *testing.T) {
		_, err := LoadMasterKey(filepath.Join(t.TempDir(), "nope.key"))
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("error = %v", err)
		}
	})
}

func TestMasterKeyNeverPrints(t *testing.T) {
	raw := bytes.Repeat([]byte{0xCD}, masterKeySize)
	m, err := newMasterKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
		for _, arg := range []any{m, *m, struct{ M *MasterKey }{m}} {
			got := fmt.Sprintf(format, arg)
			if strings.Contains(strings.ToLower(got), "cdcd") || strings.Contains(got, string(raw)) {
				t.Errorf("Sprintf(%s) shows the key: %q", format, got)
			}
		}
		if got := fmt.Sprintf(format, m); got != "MasterKey("+m.ID+")" {
			t.Errorf("Sprintf(%s) = %q", format, got)
		}
	}
}
