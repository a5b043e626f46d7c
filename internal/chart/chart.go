// Package chart draws small charts as SVG on the server — bars, stacked bars
// and lines with axes, labels and an accessible title and description —
// each with a data table holding the same figures, so a chart needs no
// JavaScript and a screen reader or a phone gets every number.
package chart

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Kind is how a chart draws its series.
type Kind int

const (
	Bars    Kind = iota // a bar per series, side by side per label
	Stacked             // the series on top of each other per label
	Lines               // a line per series through the labels
)

// Series is one named row of figures, one per label.
type Series struct {
	Name   string
	Values []int
	// Alert draws the series in red: what is late or unusual.
	Alert bool
	// Links are, per label, the list behind this series' bar, segment or
	// point ("" for none): a list that shows exactly its figure. They
	// take the place of the label's link for that bar.
	Links []string
}

// link is the list behind series s at label i: the series' own, else the
// label's.
func (c Chart) link(s, i int) string {
	if ls := c.Series[s].Links; i < len(ls) && ls[i] != "" {
		return ls[i]
	}
	if i < len(c.Links) {
		return c.Links[i]
	}
	return ""
}

// seriesLinks reports whether any series has links of its own.
func (c Chart) seriesLinks() bool {
	for _, s := range c.Series {
		if len(s.Links) > 0 {
			return true
		}
	}
	return false
}

// Chart is what to draw. Texts come translated from the caller; every
// text is escaped here.
type Chart struct {
	ID     string // unique on the page: the ids of the title and description
	Title  string
	Desc   string // a sentence that says what the chart shows, for screen readers
	Kind   Kind
	Labels []string // the categories along the x axis
	// Links are, per label, the list behind that bar or point ("" for none).
	Links  []string
	Series []Series
	// LabelHead heads the label column of the data table; TotalHead, when
	// set, adds a column with the sum of the series per label.
	LabelHead string
	TotalHead string
	// Alerts marks single labels red in the table (a user with unusual
	// access), besides whole series.
	Alerts []bool
	// Ticks, when set, are shorter labels for along the axis ("dec" for
	// "dec 2026"); the table has the full ones.
	Ticks []string
	// TableSummary is the text that opens the table ("the figures").
	TableSummary string
}

// palette is the Okabe–Ito set, told apart by people with colour blindness,
// and four of Paul Tol's for charts with more series (the eleven
// categories of data); alert is a red kept for what is late.
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#56B4E9", "#CC79A7", "#D9B500", "#666666", "#8C564B", "#332288", "#117733", "#AA4499", "#882255"}

const alert = "#B42318"

// The drawing area, in SVG units; the SVG scales to its box.
const (
	width   = 640
	height  = 260
	left    = 44
	right   = 12
	top     = 14
	bottom  = 40
	plotW   = width - left - right
	plotH   = height - top - bottom
	maxText = 14 // characters of a label along the axis; the full one is in the table
)

func (c Chart) colour(i int) string {
	if c.Series[i].Alert {
		return alert
	}
	return palette[i%len(palette)]
}

// Total is the sum of every figure.
func (c Chart) Total() int {
	n := 0
	for _, s := range c.Series {
		for _, v := range s.Values {
			n += v
		}
	}
	return n
}

func (c Chart) value(s, i int) int {
	if i < len(c.Series[s].Values) {
		return c.Series[s].Values[i]
	}
	return 0
}

// top is the largest figure the y axis must reach.
func (c Chart) top() int {
	m := 0
	for i := range c.Labels {
		sum := 0
		for s := range c.Series {
			v := c.value(s, i)
			if c.Kind == Stacked {
				sum += v
			} else if v > sum {
				sum = v
			}
		}
		m = max(m, sum)
	}
	return m
}

// ticks returns a round step and the axis maximum for figures up to m:
// steps of 1, 2 or 5 times a power of ten, about five of them.
func ticks(m int) (step, ceil int) {
	if m <= 0 {
		return 1, 1
	}
	raw := float64(m) / 5
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	step = int(p)
	for _, f := range []float64{1, 2, 5, 10} {
		if f*p >= raw {
			step = int(f * p)
			break
		}
	}
	step = max(step, 1)
	ceil = (m + step - 1) / step * step
	return step, ceil
}

func esc(s string) string { return template.HTMLEscapeString(s) }

// short cuts a label to n characters at most.
func short(s string, n int) string {
	n = max(min(n, maxText), 3)
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// SVG draws the chart. It is an image with the title and description as
// its accessible name; each bar or point carries its figure as a tooltip
// and links to the list behind it.
func (c Chart) SVG() template.HTML {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d" xmlns="http://www.w3.org/2000/svg">`, width, height, esc(c.ID), esc(c.ID))
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, esc(c.ID), esc(c.Title), esc(c.ID), esc(c.Desc))
	step, ceil := ticks(c.top())
	y := func(v int) float64 { return top + plotH - float64(v)*plotH/float64(ceil) }
	// The grid and the y axis with its figures.
	for v := 0; v <= ceil; v += step {
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%s" y2="%s" stroke="#d9dee5"/>`, left, width-right, num(y(v)), num(y(v)))
		fmt.Fprintf(&b, `<text x="%d" y="%s" text-anchor="end" font-size="11" fill="#5b6573">%d</text>`, left-6, num(y(v)+4), v)
	}
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#5b6573"/>`, left, left, top, top+plotH)
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#5b6573"/>`, left, width-right, top+plotH, top+plotH)
	n := max(len(c.Labels), 1)
	slot := float64(plotW) / float64(n)
	every := 1 // with many labels, write every second (or third) one along the axis
	for slot*float64(every) < 36 {
		every++
	}
	// About 6 units per character of 11 units (a month such as "nov '26"
	// fits under a bar of a year's thirteen).
	fit := int(slot * float64(every) / 6)
	for i, l := range c.Labels {
		x := left + slot*(float64(i)+.5)
		if i < len(c.Ticks) {
			l = c.Ticks[i]
		}
		if i%every == 0 {
			fmt.Fprintf(&b, `<text x="%s" y="%d" text-anchor="middle" font-size="11" fill="#1c2430">%s</text>`, num(x), top+plotH+16, esc(short(l, fit)))
		}
	}
	for i := range c.Labels {
		if c.Kind == Lines {
			continue
		}
		// A bar per label links as a whole, unless its series have lists
		// of their own: then each of its parts does.
		link := ""
		if i < len(c.Links) && !c.seriesLinks() {
			link = c.Links[i]
		}
		if link != "" {
			fmt.Fprintf(&b, `<a href="%s">`, esc(link))
		}
		c.bars(&b, i, slot, y)
		if link != "" {
			b.WriteString(`</a>`)
		}
	}
	if c.Kind == Lines {
		c.lines(&b, slot, y)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // #nosec G203 -- built here from escaped text (esc) and numbers formatted here
}

func (c Chart) tip(s, i int) string {
	return esc(c.Labels[i] + " · " + c.Series[s].Name + ": " + strconv.Itoa(c.value(s, i)))
}

func (c Chart) bars(b *strings.Builder, i int, slot float64, y func(int) float64) {
	x0 := left + slot*float64(i) + slot*.15
	w := slot * .7
	if c.Kind == Stacked {
		sum := 0
		for s := range c.Series {
			v := c.value(s, i)
			if v == 0 {
				continue
			}
			c.openLink(b, s, i)
			fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>`,
				num(x0), num(y(sum+v)), num(w), num(y(sum)-y(sum+v)), c.colour(s), c.tip(s, i))
			c.closeLink(b, s, i)
			sum += v
		}
		return
	}
	bw := w / float64(max(len(c.Series), 1))
	for s := range c.Series {
		v := c.value(s, i)
		colour := c.colour(s)
		if i < len(c.Alerts) && c.Alerts[i] {
			colour = alert
		}
		// A zero gets a hairline, so that "none" is seen, not missed.
		h := math.Max(y(0)-y(v), 1)
		c.openLink(b, s, i)
		fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>`,
			num(x0+bw*float64(s)), num(y(0)-h), num(bw*.92), num(h), colour, c.tip(s, i))
		c.closeLink(b, s, i)
	}
}

func (c Chart) lines(b *strings.Builder, slot float64, y func(int) float64) {
	for s := range c.Series {
		var pts []string
		for i := range c.Labels {
			pts = append(pts, num(left+slot*(float64(i)+.5))+","+num(y(c.value(s, i))))
		}
		fmt.Fprintf(b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`, strings.Join(pts, " "), c.colour(s))
		for i := range c.Labels {
			link := c.link(s, i)
			if link != "" {
				fmt.Fprintf(b, `<a href="%s">`, esc(link))
			}
			fmt.Fprintf(b, `<circle cx="%s" cy="%s" r="4" fill="%s"><title>%s</title></circle>`, num(left+slot*(float64(i)+.5)), num(y(c.value(s, i))), c.colour(s), c.tip(s, i))
			if link != "" {
				b.WriteString(`</a>`)
			}
		}
	}
}

// openLink and closeLink wrap a part of a bar in the link of its series,
// when the series has links of its own (the whole bar links otherwise).
func (c Chart) openLink(b *strings.Builder, s, i int) {
	if c.seriesLinks() {
		if l := c.link(s, i); l != "" {
			fmt.Fprintf(b, `<a href="%s">`, esc(l))
		}
	}
}

func (c Chart) closeLink(b *strings.Builder, s, i int) {
	if c.seriesLinks() && c.link(s, i) != "" {
		b.WriteString(`</a>`)
	}
}

// Legend names the colours; it is hidden from screen readers, who get the
// table's column heads instead.
func (c Chart) Legend() template.HTML {
	var b strings.Builder
	b.WriteString(`<ul class="legend" aria-hidden="true">`)
	for s, ser := range c.Series {
		// An SVG square rather than a styled span: the pages' content
		// security policy allows no inline styles.
		fmt.Fprintf(&b, `<li><svg class="swatch" viewBox="0 0 10 10"><rect width="10" height="10" rx="2" fill="%s"/></svg>%s</li>`, c.colour(s), esc(ser.Name))
	}
	b.WriteString(`</ul>`)
	return template.HTML(b.String()) // #nosec G203 -- built here from escaped text (esc) and numbers formatted here
}

// Table holds the chart's figures: a row per label, a column per series,
// the label linking to the list behind it.
func (c Chart) Table() template.HTML {
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="tablewrap"><table class="chartdata" id="%s-table"><caption>%s</caption><thead><tr><th scope="col">%s</th>`, esc(c.ID), esc(c.Title), esc(c.LabelHead))
	for _, s := range c.Series {
		cls := ""
		if s.Alert {
			cls = ` class="late"`
		}
		fmt.Fprintf(&b, `<th scope="col" class="num"><span%s>%s</span></th>`, cls, esc(s.Name))
	}
	if c.TotalHead != "" {
		fmt.Fprintf(&b, `<th scope="col" class="num">%s</th>`, esc(c.TotalHead))
	}
	b.WriteString(`</tr></thead><tbody>`)
	for i, l := range c.Labels {
		row := ""
		if i < len(c.Alerts) && c.Alerts[i] {
			row = ` class="overdue"`
		}
		fmt.Fprintf(&b, `<tr%s><th scope="row">`, row)
		if i < len(c.Links) && c.Links[i] != "" {
			fmt.Fprintf(&b, `<a href="%s">%s</a>`, esc(c.Links[i]), esc(l))
		} else {
			b.WriteString(esc(l))
		}
		b.WriteString(`</th>`)
		sum := 0
		for s, ser := range c.Series {
			v := c.value(s, i)
			sum += v
			cls := "num"
			if ser.Alert && v > 0 {
				cls += " late"
			}
			if l := ser.Links; i < len(l) && l[i] != "" && v > 0 {
				fmt.Fprintf(&b, `<td class="%s"><a href="%s">%d</a></td>`, cls, esc(l[i]), v)
				continue
			}
			fmt.Fprintf(&b, `<td class="%s">%d</td>`, cls, v)
		}
		if c.TotalHead != "" {
			fmt.Fprintf(&b, `<td class="num">%d</td>`, sum)
		}
		b.WriteString(`</tr>`)
	}
	b.WriteString(`</tbody></table></div>`)
	return template.HTML(b.String()) // #nosec G203 -- built here from escaped text (esc) and numbers formatted here
}

// HTML is the chart, its legend and its table in one figure; the table
// folds out under TableSummary when that is set.
func (c Chart) HTML() template.HTML {
	// Only the drawing scrolls sideways on a narrow screen, where it keeps
	// a width that leaves its labels readable.
	out := template.HTML(`<figure class="chartbox" id="`+esc(c.ID)+`"><div class="chartscroll">`) + c.SVG() + template.HTML(`</div>`) + c.Legend() // #nosec G203 -- built here from escaped text (esc) and numbers formatted here
	if c.TableSummary != "" {
		out += template.HTML(`<details class="chartfigures"><summary>`+esc(c.TableSummary)+`</summary>`) + c.Table() + template.HTML(`</details>`) // #nosec G203 -- built here from escaped text (esc) and numbers formatted here
	} else {
		out += c.Table()
	}
	return out + template.HTML(`</figure>`)
}
