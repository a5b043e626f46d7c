package markdown

import (
	"regexp"
	"testing"
)

// FuzzHTML checks that whatever staff type, the output is made of the
// renderer's own tags only: every '<' opens an allowed tag, every link goes
// to http(s) or mailto, and no '>' or '"' stands outside a tag. The text
// form must never panic either.
func FuzzHTML(f *testing.F) {
	for _, s := range []string{
		"## Wie wij zijn\n\nWe bewaren *uw* gegevens **2 jaar**.",
		"- een\n  vervolg\n- twee\n\n1. een\n2) twee",
		"| a | b |\n|---|:---:|\n| 1 | 2 \\| 3 |",
		"[site](https://example.nl/a?b=1&c=2) <https://example.nl> [m](mailto:fg@example.nl)",
		`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `[x](javascript:alert(1))`,
		`[x](https://x.nl"onmouseover="alert)`, "`<b>`", `\<script>`, "\x00a\x00", "[x](http://a\x00a\x00)`<i>`",
		"**a `b` c** _d_ \\* \\_", "[`x`](https://e.nl)", "######## te diep",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		out := HTML(src)
		for i := 0; i < len(out); {
			switch out[i] {
			case '<':
				m := ownTag.FindString(out[i:])
				if m == "" {
					t.Fatalf("HTML(%q) = %q: markup not of the renderer at %d: %.40q", src, out, i, out[i:])
				}
				i += len(m)
			case '>', '"':
				t.Fatalf("HTML(%q) = %q: unescaped %q at %d", src, out, out[i], i)
			default:
				i++
			}
		}
		_ = Text(src)
	})
}

var ownTag = regexp.MustCompile(`^(?:</?(?:p|br|h[1-6]|ul|ol|li|em|strong|code|table|thead|tbody|tr|th|td|a)>|<a href="(?i:https?://|mailto:)[^"<>]*">)`)
