package store_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// TestNoGoCommentIsInsideAStatement: a note for a linter (// #nosec ...)
// written at the end of a line inside a multi-line SQL string becomes part
// of the statement, a syntax error on both databases only found when the
// statement runs. Two such notes once broke the start page of every
// privacy officer with a breach and the request tallies of the dashboard.
func TestNoGoCommentIsInsideAStatement(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, de := range entries {
		if !strings.HasSuffix(de.Name(), ".go") || strings.HasSuffix(de.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, de.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if b, ok := n.(*ast.BasicLit); ok && b.Kind == token.STRING && strings.HasPrefix(b.Value, "`") &&
				(strings.Contains(b.Value, "//") || strings.Contains(b.Value, "#nosec")) {
				t.Errorf("%s: a Go comment inside a string: %.80s", fset.Position(b.Pos()), b.Value)
			}
			return true
		})
	}
}
