// Package pdf lays out plain business documents — a title, headings,
// paragraphs, label/value blocks, bullet lists and tables — as A4 PDF files
// with a numbered footer on every page. It embeds the DejaVu Sans fonts, so
// any Latin, Greek or Cyrillic text prints as typed; text is never read as
// markup.
package pdf

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/go-pdf/fpdf"
)

var (
	//go:embed fonts/DejaVuSans.ttf
	sansRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	sansBold []byte
)

// Options describe a document as a whole.
type Options struct {
	Title    string    // printed at the top of the first page, and the file's title
	Subtitle string    // printed in grey under the title
	Lang     string    // "en" for English page numbers, anything else Dutch
	Footer   string    // left part of every page's footer
	Created  time.Time // the file's creation date; a fixed time gives identical files
}

// Column is one column of a table.
type Column struct {
	Header string
	Width  float64 // relative: widths 1, 2, 1 give the middle column half the table
	Align  string  // "L" (the default), "C" or "R"
}

// Doc is a document being laid out. Its methods add to it from top to
// bottom; Write finishes it. The first error stops all drawing and is
// returned by Write.
type Doc struct {
	f       *fpdf.Fpdf
	o       Options
	heads   []heading // headings waiting for the block they belong to
	pending float64   // space owed below the last thing drawn, in mm
	written bool
	// font is the style whose font was last set on page fontPage: fpdf
	// writes a font change into the page for every SetFont, even to the
	// same font, and a table sets one per cell.
	font     style
	fontPage int
}

const (
	family = "DejaVu"

	pageW, pageH = 210.0, 297.0
	margin       = 20.0         // left, right and top
	bottom       = pageH - 24.0 // no body text below this line
	textW        = pageW - 2*margin
	room         = bottom - margin // the height of a page's body

	cellPad = 1.6 // inside table cells, left and right
	rowPad  = 1.3 // inside table cells, above and below
	hang    = 3.5 // indent of a wrapped line in a list value
)

type rgb struct{ r, g, b int }

var (
	ink    = rgb{33, 37, 41}
	accent = rgb{24, 54, 92}
	muted  = rgb{104, 112, 120}
	rule   = rgb{200, 206, 212}
	shade  = rgb{232, 237, 243}
	white  = rgb{255, 255, 255}
)

// style is a font, its size in points, the line height in mm and a colour.
type style struct {
	bold   bool
	size   float64
	height float64
	color  rgb
}

var (
	titleStyle    = style{true, 19, 8.6, accent}
	subtitleStyle = style{false, 10.5, 5.2, muted}
	h1Style       = style{true, 15, 7, accent}
	h2Style       = style{true, 12, 5.8, accent}
	bodyStyle     = style{false, 10, 5, ink}
	labelStyle    = style{true, 10, 5, ink}
	smallStyle    = style{false, 8.5, 4.2, muted}
	cellStyle     = style{false, 9, 4.3, ink}
	headStyle     = style{true, 9, 4.3, ink}
	footerStyle   = style{false, 8, 4, muted}
)

// New starts a document with its title block on the first page.
func New(o Options) *Doc {
	f := fpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes(family, "", sansRegular)
	f.AddUTF8FontFromBytes(family, "B", sansBold)
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(false, 0) // Doc breaks pages itself, to keep rows and headings whole
	f.SetCellMargin(0)
	f.SetCompression(false) // Write compresses the pages (compress.go)
	f.SetCatalogSort(true)
	f.SetCreationDate(o.Created)
	f.SetModificationDate(o.Created)
	f.SetTitle(clean(o.Title), true)
	f.SetSubject(clean(o.Subtitle), true)
	f.SetCreator("kluis", true)
	if o.Lang == "en" {
		f.SetLang("en")
	} else {
		f.SetLang("nl")
	}
	d := &Doc{f: f, o: o}
	f.AddPage()
	if o.Title != "" {
		d.single(titleStyle, o.Title)
		if o.Subtitle != "" {
			d.f.SetY(d.f.GetY() + 0.8)
			d.single(subtitleStyle, o.Subtitle)
		}
		y := d.f.GetY() + 3
		d.setDraw(rule, 0.3)
		d.f.Line(margin, y, pageW-margin, y)
		d.f.SetY(y)
		d.pending = 6
	}
	return d
}

// heading is a heading not drawn yet: it goes on the page of the first
// lines of what follows it.
type heading struct {
	st            style
	lines         []line
	before, after float64
}

// H1 adds a section heading.
func (d *Doc) H1(s string) { d.heading(h1Style, s, 7, 3) }

// H2 adds a subsection heading.
func (d *Doc) H2(s string) { d.heading(h2Style, s, 5.5, 2) }

func (d *Doc) heading(st style, s string, before, after float64) {
	d.use(st)
	d.heads = append(d.heads, heading{st, d.wrap(clean(s), textW, 0), before, after})
}

// Para adds a paragraph of body text.
func (d *Doc) Para(s string) { d.para(bodyStyle, s) }

// Small adds a note in small grey type.
func (d *Doc) Small(s string) { d.para(smallStyle, s) }

func (d *Doc) para(st style, s string) {
	d.use(st)
	n := len(d.wrap(clean(s), textW, 0))
	d.begin(2, float64(min(n, 2))*st.height)
	d.single(st, s)
	d.pending = 3
}

// KeyValues adds label/value pairs: labels in bold on the left, values
// wrapping on the right. A value of several lines is a list: its lines
// that wrap continue indented. The pairs stay on one page if they fit on
// one, and a pair always does.
func (d *Doc) KeyValues(pairs [][2]string) {
	if len(pairs) == 0 {
		return
	}
	// The label column fits the longest label, within reason, but always
	// its longest word: a label is never cut inside a word.
	d.use(labelStyle)
	longest, word := 0.0, 0.0
	for _, p := range pairs {
		longest = max(longest, d.f.GetStringWidth(clean(p[0])))
		for _, w := range strings.Fields(clean(p[0])) {
			word = max(word, d.f.GetStringWidth(w))
		}
	}
	const gap = 5
	labelW := min(max(min(longest, 0.36*textW), word), 0.5*textW) + gap
	blocks := make([][]column, len(pairs))
	total, first := 0.0, 0.0
	for i, p := range pairs {
		d.use(labelStyle)
		label := d.wrap(clean(p[0]), labelW-gap, 0)
		d.use(bodyStyle)
		indent := 0.0
		if strings.Contains(p[1], "\n") {
			indent = hang
		}
		value := d.wrap(clean(p[1]), textW-labelW, indent)
		blocks[i] = []column{
			{x: margin, w: labelW - gap, style: labelStyle, lines: label},
			{x: margin + labelW, w: textW - labelW, style: bodyStyle, lines: value},
		}
		h := float64(maxLines(blocks[i]))*bodyStyle.height + 2*0.8
		total += h
		if i == 0 {
			first = h
		}
	}
	if total > room {
		total = first
	}
	d.begin(2, total)
	for _, b := range blocks {
		d.block(b, bodyStyle.height, 0.8, 0, nil)
	}
	d.pending = 3
}

// Bullets adds a bulleted list; an item is kept on one page.
func (d *Doc) Bullets(items []string) {
	if len(items) == 0 {
		return
	}
	const indent = 6.0
	d.use(bodyStyle)
	blocks := make([][]column, len(items))
	for i, it := range items {
		blocks[i] = []column{
			{x: margin + 1.5, w: indent - 1.5, style: bodyStyle, lines: []line{{text: "•"}}},
			{x: margin + indent, w: textW - indent, style: bodyStyle, lines: d.wrap(clean(it), textW-indent, 0)},
		}
	}
	d.begin(2, float64(maxLines(blocks[0]))*bodyStyle.height+2*0.7)
	for _, b := range blocks {
		d.block(b, bodyStyle.height, 0.7, 0, nil)
	}
	d.pending = 3
}

// Table adds a table with a shaded header row. Cells wrap; a row that does
// not fit on the page moves to the next one, under a repeated header. Every
// row must have one cell per column.
func (d *Doc) Table(cols []Column, rows [][]string) {
	if len(cols) == 0 {
		return
	}
	for i, r := range rows {
		if len(r) != len(cols) {
			d.f.SetError(fmt.Errorf("pdf: table row %d has %d cells for %d columns", i+1, len(r), len(cols)))
			return
		}
	}
	total := 0.0
	for _, c := range cols {
		total += max(c.Width, 0)
	}
	x, xs, ws := margin, make([]float64, len(cols)), make([]float64, len(cols))
	for i, c := range cols {
		w := textW / float64(len(cols))
		if total > 0 {
			w = textW * max(c.Width, 0) / total
		}
		xs[i], ws[i], x = x, w, x+w
	}
	cells := func(st style, texts []string) []column {
		d.use(st)
		out := make([]column, len(cols))
		for i, c := range cols {
			out[i] = column{x: xs[i] + cellPad, w: ws[i] - 2*cellPad, style: st, align: c.Align}
			out[i].lines = d.wrap(clean(texts[i]), out[i].w, 0)
		}
		return out
	}
	headers := make([]string, len(cols))
	for i, c := range cols {
		headers[i] = c.Header
	}
	head := cells(headStyle, headers)
	headH := float64(maxLines(head))*headStyle.height + 2*rowPad
	drawHead := func() {
		y := d.f.GetY()
		d.setFill(shade)
		d.f.Rect(margin, y, textW, headH, "F")
		d.paint(head, 0, maxLines(head), y+rowPad, headStyle.height)
		d.setDraw(muted, 0.3)
		d.f.Line(margin, y+headH, margin+textW, y+headH)
		d.f.SetY(y + headH)
	}
	under := func(y, h float64) {
		d.setDraw(rule, 0.2)
		d.f.Line(margin, y+h, margin+textW, y+h)
	}

	// The header never ends a page: (up to three lines of) a row goes with it.
	keep := headH
	if len(rows) > 0 {
		keep += float64(min(maxLines(cells(cellStyle, rows[0])), 3))*cellStyle.height + 2*rowPad
	}
	d.begin(2, keep)
	drawHead()
	for _, r := range rows {
		d.block(cells(cellStyle, r), cellStyle.height, rowPad, 0, &repeat{headH, drawHead, under})
	}
	d.pending = 4
}

// PageBreak starts a new page.
func (d *Doc) PageBreak() {
	d.begin(0, 0)
	d.f.AddPage()
	d.pending = 0
}

// Write adds the footers and writes the finished document to w. A Doc can
// be written once.
func (d *Doc) Write(w io.Writer) error {
	if d.written {
		return errors.New("pdf: document already written")
	}
	d.written = true
	d.finish()
	var raw bytes.Buffer
	if err := d.f.Output(&raw); err != nil {
		return err
	}
	return compressPages(w, raw.Bytes())
}

// finish lays out what is pending and draws the footers.
func (d *Doc) finish() {
	d.begin(0, 0)
	// The footers are drawn last, when the page count is known: fpdf's
	// AliasNbPages would replace "{nb}" after layout, so a right-aligned
	// "Pagina 3 van 7" would be placed by the width of "{nb}", not of "7".
	n := d.f.PageCount()
	for p := 1; p <= n; p++ {
		d.f.SetPage(p)
		d.footer(p, n)
	}
}

func (d *Doc) footer(page, pages int) {
	// Drawing on an earlier page is safe: fpdf states the font and the
	// fill and line colours in the page's content on every Set call.
	d.use(footerStyle)
	d.setFill(white)
	y := pageH - 15
	d.setDraw(rule, 0.2)
	d.f.Line(margin, y, pageW-margin, y)
	label := fmt.Sprintf("Pagina %d van %d", page, pages)
	if d.o.Lang == "en" {
		label = fmt.Sprintf("Page %d of %d", page, pages)
	}
	labelW := d.f.GetStringWidth(label)
	d.f.SetXY(margin, y+1.5)
	d.f.CellFormat(textW-labelW-6, footerStyle.height, d.fit(clean(d.o.Footer), textW-labelW-6), "", 0, "L", false, 0, "")
	d.f.SetXY(pageW-margin-labelW, y+1.5)
	d.f.CellFormat(labelW, footerStyle.height, label, "", 0, "R", false, 0, "")
}

// line is one line of wrapped text, indented by indent mm.
type line struct {
	text   string
	indent float64
}

// column is wrapped text placed at x, w wide.
type column struct {
	x, w  float64
	style style
	align string
	lines []line
}

func maxLines(cols []column) int {
	n := 0
	for _, c := range cols {
		n = max(n, len(c.lines))
	}
	return n
}

// repeat is what a table adds around its rows: the header to draw again
// at the top of a new page, and the line under each row.
type repeat struct {
	headH float64
	head  func()
	under func(y, h float64)
}

// begin opens a block whose first keep mm must share a page with the
// headings before it. It adds the space owed above (none at the top of a
// page), starts a new page when that would not fit, and draws the headings.
func (d *Doc) begin(before, keep float64) {
	heads := d.heads
	d.heads = nil
	// gaps[i] is the space above heading i; the last one is above the
	// block. Space below one thing and above the next overlap.
	gaps := make([]float64, len(heads)+1)
	prev := d.pending
	for i, h := range heads {
		gaps[i], prev = max(prev, h.before), h.after
	}
	gaps[len(heads)] = max(prev, before)
	d.pending = 0
	need := keep
	for i, h := range heads {
		need += float64(len(h.lines))*h.st.height + gaps[i+1]
	}
	top := d.f.GetY() <= margin+0.01
	if !top && d.f.GetY()+gaps[0]+need > bottom && need <= room {
		d.f.AddPage()
		top = true
	}
	if top {
		gaps[0] = 0
	}
	d.f.SetY(d.f.GetY() + gaps[0])
	for i, h := range heads {
		d.block([]column{{x: margin, w: textW, style: h.st, lines: h.lines}}, h.st.height, 0, 0, nil)
		d.f.SetY(d.f.GetY() + gaps[i+1])
	}
}

// single draws s in st across the text width, the first two lines on one
// page.
func (d *Doc) single(st style, s string) {
	d.use(st)
	d.block([]column{{x: margin, w: textW, style: st, lines: d.wrap(clean(s), textW, 0)}}, st.height, 0, 2, nil)
}

// block draws columns side by side, pad above and below. The block is kept
// on one page when it fits on one; else it is split between lines, with at
// least keep lines at the start of a page (0: all of them).
func (d *Doc) block(cols []column, lh, pad float64, keep int, t *repeat) {
	n := maxLines(cols)
	if n == 0 {
		return
	}
	space := room
	if t != nil {
		space -= t.headH
	}
	need := n
	if keep > 0 {
		need = min(keep, n)
	}
	newPage := func() {
		d.f.AddPage()
		if t != nil {
			t.head()
		}
	}
	if h := float64(need)*lh + 2*pad; h <= space && d.f.GetY()+h > bottom {
		newPage()
	}
	for start := 0; start < n; {
		fits := int((bottom - d.f.GetY() - 2*pad) / lh)
		// Always draw one line, however little room: the loop must end.
		m := min(n-start, max(fits, 1))
		y := d.f.GetY()
		d.paint(cols, start, start+m, y+pad, lh)
		h := float64(m)*lh + 2*pad
		if t != nil {
			t.under(y, h)
		}
		d.f.SetY(y + h)
		if start += m; start < n {
			newPage()
		}
	}
}

// paint draws lines [from, to) of each column, the first at y.
func (d *Doc) paint(cols []column, from, to int, y, lh float64) {
	for _, c := range cols {
		d.use(c.style)
		for i := from; i < to && i < len(c.lines); i++ {
			l := c.lines[i]
			d.f.SetXY(c.x+l.indent, y+float64(i-from)*lh)
			d.f.CellFormat(c.w-l.indent, lh, l.text, "", 0, c.align, false, 0, "")
		}
	}
}

func (d *Doc) use(st style) {
	// A new page starts with the font of the last (fpdf sets it again);
	// footer goes back to earlier pages, so the page must be the same.
	if p := d.f.PageNo(); p != d.fontPage || st != d.font {
		b := ""
		if st.bold {
			b = "B"
		}
		d.f.SetFont(family, b, st.size)
		d.f.SetTextColor(st.color.r, st.color.g, st.color.b)
		d.font, d.fontPage = st, p
	}
}

func (d *Doc) setDraw(c rgb, width float64) {
	d.f.SetDrawColor(c.r, c.g, c.b)
	d.f.SetLineWidth(width)
}

func (d *Doc) setFill(c rgb) { d.f.SetFillColor(c.r, c.g, c.b) }

// wrap breaks s into lines no wider than w in the current font: at spaces
// and newlines, and inside a word only when the word alone is wider than
// the line. A line that continues a wrapped one is indented by indent.
func (d *Doc) wrap(s string, w, indent float64) []line {
	var out []line
	space := d.f.GetStringWidth(" ")
	w += 0.001 // widths are summed word by word: allow for rounding
	for _, para := range strings.Split(s, "\n") {
		n0 := len(out)
		cur, curW, in := "", 0.0, 0.0
		for _, word := range strings.FieldsFunc(para, func(r rune) bool { return r == ' ' }) {
			ww := d.f.GetStringWidth(word)
			if cur != "" && curW+space+ww <= w-in {
				cur, curW = cur+" "+word, curW+space+ww
				continue
			}
			if cur != "" {
				out, in = append(out, line{cur, in}), indent
			}
			for word != "" && ww > w-in {
				var head string
				head, word = d.cut(word, w-in)
				out, in = append(out, line{head, in}), indent
				ww = d.f.GetStringWidth(word)
			}
			cur, curW = word, ww
		}
		if cur != "" || len(out) == n0 {
			out = append(out, line{cur, in})
		}
	}
	return out
}

// cut splits word after the most runes that fit in w, and at least one.
func (d *Doc) cut(word string, w float64) (head, rest string) {
	used := 0.0
	for i, r := range word {
		used += d.f.GetStringWidth(string(r))
		if used > w && i > 0 {
			return word[:i], word[i:]
		}
	}
	return word, ""
}

// fit shortens s with an ellipsis until it is no wider than w.
func (d *Doc) fit(s string, w float64) string {
	if d.f.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && d.f.GetStringWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return strings.TrimSpace(string(r)) + "…"
}

// clean makes s safe to draw: fpdf's UTF-8 fonts cover only the Basic
// Multilingual Plane, so runes beyond it (emoji) become U+FFFD; tabs and
// carriage returns become spaces and other control characters go.
func clean(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t' || r == '\r':
			return ' '
		case unicode.IsControl(r):
			return -1
		case r > 0xFFFF:
			return unicode.ReplacementChar
		}
		return r
	}, s)
}
