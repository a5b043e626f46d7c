// Package markdown renders the small, safe part of Markdown that kluis's
// own texts use (the privacy statement): headings, paragraphs, lists,
// emphasis, code spans, tables and links to http(s) and mailto addresses.
// Everything else is text: any HTML in the input is escaped, so a text
// written by staff can never put markup or script into a page or an
// e-mail.
package markdown

import (
	"html"
	"regexp"
	"strconv"
	"strings"
)

// HTML renders src as HTML.
func HTML(src string) string { return Nested(src, 0) }

// Nested renders src as HTML inside a page that has headings of its own:
// every heading goes down shift levels (at most to h6), so that a
// document's "# Title" under the page's h1 becomes an h2.
func Nested(src string, shift int) string {
	var b strings.Builder
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	var para []string
	flush := func() {
		if len(para) > 0 {
			b.WriteString("<p>" + inline(strings.Join(para, "\n")) + "</p>\n")
			para = nil
		}
	}
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], " \t")
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			flush()
		case heading.MatchString(trimmed):
			flush()
			m := heading.FindStringSubmatch(trimmed)
			n := string(rune('0' + min(len(m[1])+max(shift, 0), 6))) // #nosec G115 -- the heading level is 1 to 6
			b.WriteString("<h" + n + ">" + inline(strings.TrimRight(m[2], "# ")) + "</h" + n + ">\n")
		case bullet.MatchString(trimmed) || ordered.MatchString(trimmed):
			flush()
			tag := "ul"
			re := bullet
			if ordered.MatchString(trimmed) {
				tag, re = "ol", ordered
			}
			b.WriteString("<" + tag + ">\n")
			for ; i < len(lines); i++ {
				t := strings.TrimSpace(lines[i])
				if !re.MatchString(t) {
					i--
					break
				}
				item := re.ReplaceAllString(t, "")
				// A following indented line continues the item.
				for i+1 < len(lines) && strings.HasPrefix(lines[i+1], "  ") && strings.TrimSpace(lines[i+1]) != "" &&
					!bullet.MatchString(strings.TrimSpace(lines[i+1])) && !ordered.MatchString(strings.TrimSpace(lines[i+1])) {
					i++
					item += "\n" + strings.TrimSpace(lines[i])
				}
				b.WriteString("<li>" + inline(item) + "</li>\n")
			}
			b.WriteString("</" + tag + ">\n")
		case strings.HasPrefix(trimmed, "|") && i+1 < len(lines) && tableRule.MatchString(strings.TrimSpace(lines[i+1])):
			flush()
			b.WriteString("<table>\n<thead><tr>")
			for _, c := range cells(trimmed) {
				b.WriteString("<th>" + inline(c) + "</th>")
			}
			b.WriteString("</tr></thead>\n<tbody>\n")
			for i += 2; i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), "|"); i++ {
				b.WriteString("<tr>")
				for _, c := range cells(strings.TrimSpace(lines[i])) {
					b.WriteString("<td>" + inline(c) + "</td>")
				}
				b.WriteString("</tr>\n")
			}
			i--
			b.WriteString("</tbody>\n</table>\n")
		default:
			para = append(para, trimmed)
		}
	}
	flush()
	return b.String()
}

var (
	heading   = regexp.MustCompile(`^(#{1,6})\s+(.*)$`)
	bullet    = regexp.MustCompile(`^[-*+]\s+`)
	ordered   = regexp.MustCompile(`^\d{1,9}[.)]\s+`)
	tableRule = regexp.MustCompile(`^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$`)
)

// cells splits a table row; an escaped \| stays in the cell.
func cells(row string) []string {
	row = strings.TrimSuffix(strings.TrimPrefix(row, "|"), "|")
	var out []string
	var cur strings.Builder
	for i := 0; i < len(row); i++ {
		if row[i] == '\\' && i+1 < len(row) && row[i+1] == '|' {
			cur.WriteString(`\|`)
			i++
			continue
		}
		if row[i] == '|' {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
			continue
		}
		cur.WriteByte(row[i])
	}
	return append(out, strings.TrimSpace(cur.String()))
}

// inline renders the text of one block: it is escaped first, then the
// few inline forms are recognised in the escaped text, so no markup from
// the input survives.
func inline(s string) string {
	// Parts already rendered wait behind a NUL-delimited placeholder; a NUL
	// of the input would let it move a rendered part elsewhere (into a
	// link's address, say), so the input has none.
	s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	// Escapes: \* \_ \` \[ \] \| \\ and the like stand for the character.
	var keep []string
	s = escapeRe.ReplaceAllStringFunc(s, func(m string) string {
		keep = append(keep, html.EscapeString(m[1:]))
		return placeholder(len(keep) - 1)
	})
	s = html.EscapeString(s)
	// Code spans first: their content is left as it is.
	s = codeRe.ReplaceAllStringFunc(s, func(m string) string {
		keep = append(keep, "<code>"+m[1:len(m)-1]+"</code>")
		return placeholder(len(keep) - 1)
	})
	s = linkRe.ReplaceAllStringFunc(s, func(m string) string {
		p := linkRe.FindStringSubmatch(m)
		label, href := p[1], html.UnescapeString(p[2])
		if !safeURL(href) {
			return label
		}
		return `<a href="` + html.EscapeString(href) + `">` + label + `</a>`
	})
	s = autoLinkRe.ReplaceAllStringFunc(s, func(m string) string {
		href := html.UnescapeString(m[4 : len(m)-4]) // &lt; … &gt;
		if !safeURL(href) {
			return m
		}
		return `<a href="` + html.EscapeString(href) + `">` + html.EscapeString(href) + `</a>`
	})
	s = strongRe.ReplaceAllString(s, "<strong>$2</strong>")
	s = emRe.ReplaceAllString(s, "$1<em>$2</em>")
	// A line break inside a paragraph is kept: the texts are written
	// line by line (an address, a list of contacts).
	s = strings.ReplaceAll(s, "\n", "<br>\n")
	for i, k := range keep {
		s = strings.Replace(s, placeholder(i), k, 1)
	}
	return s
}

// placeholder stands for the i-th kept part while the rest is rendered.
func placeholder(i int) string { return "\x00" + strconv.Itoa(i) + "\x00" }

var (
	escapeRe   = regexp.MustCompile(`\\[\\*_\x60\[\]()#|<>!-]`)
	codeRe     = regexp.MustCompile("`[^`\n]+`")
	linkRe     = regexp.MustCompile(`\[([^\[\]]+)\]\(([^()\s]+)\)`)
	autoLinkRe = regexp.MustCompile(`&lt;((?:https?://|mailto:)[^\s&]+)&gt;`)
	strongRe   = regexp.MustCompile(`(\*\*|__)([^*_\n][^\n]*?)(\*\*|__)`)
	emRe       = regexp.MustCompile(`(^|[^\w*])[*_]([^*_\s][^*_\n]*?)[*_]`)
)

// safeURL accepts only http, https and mailto addresses: javascript:,
// data: and every other scheme become plain text.
func safeURL(u string) bool {
	l := strings.ToLower(u)
	if strings.ContainsAny(u, "\"'<>` \t\n") {
		return false
	}
	return strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "mailto:")
}

// Text renders src as plain text for the text part of an e-mail: the
// Markdown as it is, which reads well as text, with links written out.
func Text(src string) string {
	return linkRe.ReplaceAllStringFunc(strings.ReplaceAll(src, "\r\n", "\n"), func(m string) string {
		p := linkRe.FindStringSubmatch(m)
		if p[1] == p[2] || strings.TrimPrefix(p[2], "mailto:") == p[1] {
			return p[1]
		}
		return p[1] + " (" + strings.TrimPrefix(p[2], "mailto:") + ")"
	})
}
