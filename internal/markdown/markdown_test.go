package markdown

import (
	"regexp"
	"strings"
	"testing"
)

func TestMarkdownRendersTheFormsAStatementUses(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"a heading", "## Wie wij zijn", "<h2>Wie wij zijn</h2>\n"},
		{"a paragraph over two lines", "een\ntwee", "<p>een<br>\ntwee</p>\n"},
		{"two paragraphs", "een\n\ntwee", "<p>een</p>\n<p>twee</p>\n"},
		{"a list", "- een\n- twee", "<ul>\n<li>een</li>\n<li>twee</li>\n</ul>\n"},
		{"a numbered list", "1. een\n2. twee", "<ol>\n<li>een</li>\n<li>twee</li>\n</ol>\n"},
		{"emphasis", "*zacht* en **hard**", "<p><em>zacht</em> en <strong>hard</strong></p>\n"},
		{"an underscore inside a word", "snake_case_name", "<p>snake_case_name</p>\n"},
		{"code", "`a*b*`", "<p><code>a*b*</code></p>\n"},
		{"a link", "[site](https://example.nl/a?b=1&c=2)", "<p><a href=\"https://example.nl/a?b=1&amp;c=2\">site</a></p>\n"},
		{"a mail link", "[mail](mailto:fg@example.nl)", "<p><a href=\"mailto:fg@example.nl\">mail</a></p>\n"},
		{"an automatic link", "<https://example.nl>", "<p><a href=\"https://example.nl\">https://example.nl</a></p>\n"},
		{"a table", "| a | b |\n|---|---|\n| 1 | 2 \\| 3 |", "<table>\n<thead><tr><th>a</th><th>b</th></tr></thead>\n<tbody>\n<tr><td>1</td><td>2 | 3</td></tr>\n</tbody>\n</table>\n"},
		{"an escaped star", `\*niet schuin\*`, "<p>*niet schuin*</p>\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := HTML(tc.in); got != tc.want {
				t.Errorf("HTML(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestMarkdownLetsNoMarkupOrScriptThrough(t *testing.T) {
	for _, in := range []string{
		`<script>alert(1)</script>`,
		`<img src=x onerror=alert(1)>`,
		`[klik](javascript:alert(1))`,
		`[klik](javascript:alert&#40;1&#41;)`,
		`[klik](JavaScript:void)`,
		`[klik](data:text/html;base64,PHNjcmlwdD4=)`,
		`[klik](https://x.nl"onmouseover="alert)`,
		`<javascript:alert(1)>`,
		"# <b onclick=x>kop</b>",
		"- <iframe src=https://x.nl>",
		"| <svg onload=x> |\n|---|\n| <a href=x> |",
		"`<script>`",
		"**<style>body{}</style>**",
		`\<script>`,
	} {
		out := HTML(in)
		for _, m := range tagRe.FindAllStringSubmatch(out, -1) {
			if !allowed[strings.ToLower(m[1])] {
				t.Errorf("HTML(%q) = %q: tag %q", in, out, m[0])
			}
			if attr := strings.TrimSpace(m[2]); attr != "" && !safeHref.MatchString(attr) {
				t.Errorf("HTML(%q) = %q: attribute %q", in, out, attr)
			}
		}
	}
}

var (
	tagRe    = regexp.MustCompile(`</?([a-zA-Z][a-zA-Z0-9]*)([^>]*)>`)
	safeHref = regexp.MustCompile(`^href="(https?://|mailto:)[^"<>]*"$`)
	allowed  = map[string]bool{"p": true, "br": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "ul": true, "ol": true,
		"li": true, "em": true, "strong": true, "code": true, "a": true, "table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true}
)

func TestTheTextFormWritesLinksOut(t *testing.T) {
	got := Text("Zie [onze site](https://example.nl) of [fg@example.nl](mailto:fg@example.nl).")
	if want := "Zie onze site (https://example.nl) of fg@example.nl."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestANestedDocumentsHeadingsGoDown(t *testing.T) {
	for _, c := range []struct {
		src   string
		shift int
		want  string
	}{
		{"# Titel", 0, "<h1>Titel</h1>\n"},
		{"# Titel", 1, "<h2>Titel</h2>\n"},
		{"## Kop", 1, "<h3>Kop</h3>\n"},
		{"###### Diep", 2, "<h6>Diep</h6>\n"},
	} {
		if got := Nested(c.src, c.shift); got != c.want {
			t.Errorf("Nested(%q, %d) = %q, want %q", c.src, c.shift, got, c.want)
		}
	}
}
