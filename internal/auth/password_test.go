package auth

import (
	"strings"
	"testing"
)

func TestAPasswordVerifiesAgainstItsOwnHashOnly(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("hash format %q", h)
	}
	if ok, err := VerifyPassword(h, "correct horse battery"); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, _ := VerifyPassword(h, "correct horse batterY"); ok {
		t.Fatal("wrong password accepted")
	}
	h2, _ := HashPassword("correct horse battery")
	if h2 == h {
		t.Fatal("two hashes of one password are equal: no salt")
	}
}

func TestMalformedHashesAreRefused(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=65536,t=3,p=2$c2FsdA$a2V5", "$argon2id$v=19$m=0,t=3,p=2$c2FsdA$a2V5",
		"$argon2id$v=19$m=99999999,t=3,p=2$c2FsdA$a2V5", "$argon2id$v=19$m=65536,t=3,p=2$!!$a2V5"} {
		if ok, err := VerifyPassword(h, "x"); ok || err == nil {
			t.Errorf("%q: %v %v", h, ok, err)
		}
	}
}

func TestShortPasswordsAreRefused(t *testing.T) {
	if CheckPasswordStrength("kort") == nil {
		t.Fatal("short password accepted")
	}
	if err := CheckPasswordStrength("een lange zin als wachtwoord"); err != nil {
		t.Fatal(err)
	}
}
