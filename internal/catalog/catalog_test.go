package catalog_test

import (
	"context"
	"strings"
	"testing"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/store/storetest"
)

// TestEveryColumnIsDeclared is the catalogue's completeness check: every
// column of the live schema, on each database, is either a catalogued
// personal field or declared to hold no personal data — and every
// declaration names a column that exists.
func TestEveryColumnIsDeclared(t *testing.T) {
	cat := catalog.New()
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		cols, err := e.DB.Columns(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(cols) < 50 {
			t.Fatalf("read only %d columns; the schema query is broken", len(cols))
		}
		live := map[string]bool{}
		for _, c := range cols {
			live[c.Table+"."+c.Name] = true
			_, personal := cat.Field(c.Table, c.Name)
			non := cat.IsNonPersonal(c.Table, c.Name)
			switch {
			case !personal && !non:
				t.Errorf("column %s.%s is not in the personal-data catalogue. Declare it in internal/catalog/declarations.go: "+
					"as a Field (subject, category, basis, retention rule, access per role) if it can hold personal data, "+
					"or as NonPersonal with the reason it cannot. Until then it escapes access control, access reports and erasure.", c.Table, c.Name)
			case personal && non:
				t.Errorf("column %s.%s is declared both personal and non-personal", c.Table, c.Name)
			}
		}
		for _, f := range cat.Fields() {
			if !live[f.Table+"."+f.Column] {
				t.Errorf("the catalogue declares %s.%s, which the schema does not have: remove or correct the declaration", f.Table, f.Column)
			}
		}
		for _, n := range cat.NonPersonal() {
			if !live[n.Table+"."+n.Column] {
				t.Errorf("%s.%s is declared non-personal but the schema does not have it", n.Table, n.Column)
			}
		}
	})
}

func TestEveryKindOfDocumentIsDeclared(t *testing.T) {
	cat := catalog.New()
	for _, k := range kluis.DocumentKinds {
		if _, ok := cat.Blob(k.Value); !ok {
			t.Errorf("document kind %q is not declared as a blob kind in the catalogue", k.Value)
		}
	}
	for _, b := range cat.Blobs() {
		if !kluis.DocumentKinds.Has(b.Kind) {
			t.Errorf("the catalogue declares blob kind %q, which is not a document kind", b.Kind)
		}
	}
}

// TestDeclarationsAreWhole checks what every declaration must say.
func TestDeclarationsAreWhole(t *testing.T) {
	cat := catalog.New()
	seen := map[string]bool{}
	for _, f := range cat.Fields() {
		name := f.Table + "." + f.Column
		if seen[name] {
			t.Errorf("%s declared twice", name)
		}
		seen[name] = true
		if f.Subject == "" || f.Category == "" || f.Basis == "" || len(f.Retention) == 0 || len(f.Purposes) == 0 || f.Source == "" {
			t.Errorf("%s lacks subject, category, basis, retention, purpose or source: %+v", name, f)
		}
		if f.Label.NL == "" || f.Label.EN == "" {
			t.Errorf("%s has no label in both languages", name)
		}
		if f.AccessOf(kluis.RoleAdmin) != catalog.Hidden && f.Subject == catalog.Candidate {
			t.Errorf("%s: the administrator must not see candidate data by default", name)
		}
		for r, a := range f.Access {
			if a == catalog.Masked && f.Mask == catalog.NoMask {
				t.Errorf("%s is masked for %s but has no mask", name, r)
			}
		}
	}
	for _, n := range cat.NonPersonal() {
		if strings.TrimSpace(n.Why) == "" {
			t.Errorf("%s.%s is declared non-personal without a reason", n.Table, n.Column)
		}
	}
}

// TestTheBSNIsForPayrollOnly pins the rules of LEGAL.md §2 on the BSN.
func TestTheBSNIsForPayrollOnly(t *testing.T) {
	f, ok := catalog.New().Field("candidates", "bsn")
	if !ok {
		t.Fatal("the BSN is not catalogued")
	}
	if f.Basis != catalog.LegalObligation {
		t.Errorf("the BSN's basis is %s; only a law may be its basis, never consent", f.Basis)
	}
	if !f.Sensitive || f.Mask != catalog.LastThree {
		t.Errorf("the BSN must be sensitive and masked to its last three digits: %+v", f)
	}
	for _, r := range []kluis.Role{kluis.RoleRecruiter, kluis.RoleManager} {
		if f.AccessOf(r) != catalog.Masked {
			t.Errorf("%s sees the BSN as %s, want masked", r, f.AccessOf(r))
		}
	}
	if f.AccessOf(kluis.RolePayroll) != catalog.Write {
		t.Errorf("payroll cannot write the BSN")
	}
	for _, rec := range f.Recipients {
		if rec == "client" {
			t.Error("the BSN may not go to clients")
		}
	}
}
