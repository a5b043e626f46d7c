package chart

import (
	"encoding/xml"
	"strings"
	"testing"
)

func sample(k Kind) Chart {
	return Chart{ID: "c1", Title: "Verzoeken <per soort>", Desc: "Open en gesloten verzoeken", Kind: k,
		Labels: []string{"Inzage", "Vergetelheid & meer"}, Links: []string{"/requests?kind=access", ""},
		Series:    []Series{{Name: "open", Values: []int{3, 0}}, {Name: "te laat", Values: []int{1, 2}, Alert: true}},
		LabelHead: "Soort", TotalHead: "Totaal"}
}

// TestEveryKindIsWellFormedSVGWithAnAccessibleName checks that what is
// drawn parses as XML, names itself and escapes the texts.
func TestEveryKindIsWellFormedSVGWithAnAccessibleName(t *testing.T) {
	for _, k := range []Kind{Bars, Stacked, Lines} {
		svg := string(sample(k).SVG())
		if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
			t.Fatalf("kind %d: not well-formed: %v\n%s", k, err, svg)
		}
		for _, want := range []string{`role="img"`, `aria-labelledby="c1-t c1-d"`, "Verzoeken &lt;per soort&gt;", `href="/requests?kind=access"`, "#B42318"} {
			if !strings.Contains(svg, want) {
				t.Errorf("kind %d: no %q in %s", k, want, svg)
			}
		}
	}
}

// TestTheTableHoldsEveryFigureAndTheTotals checks the text alternative.
func TestTheTableHoldsEveryFigureAndTheTotals(t *testing.T) {
	tab := string(sample(Stacked).Table())
	if err := xml.Unmarshal([]byte(tab), new(struct{})); err != nil {
		t.Fatalf("not well-formed: %v", err)
	}
	for _, want := range []string{"<caption>Verzoeken &lt;per soort&gt;</caption>", `<a href="/requests?kind=access">Inzage</a>`,
		"Vergetelheid &amp; meer", `<td class="num">3</td><td class="num late">1</td><td class="num">4</td>`, `<td class="num late">2</td><td class="num">2</td>`} {
		if !strings.Contains(tab, want) {
			t.Errorf("no %q in %s", want, tab)
		}
	}
	if n := sample(Bars).Total(); n != 6 {
		t.Errorf("total %d", n)
	}
}

func TestTheAxisStepsAreRound(t *testing.T) {
	for _, c := range []struct{ max, step, ceil int }{{0, 1, 1}, {1, 1, 1}, {4, 1, 4}, {7, 2, 8}, {23, 5, 25}, {120, 50, 150}, {999, 200, 1000}} {
		if s, m := ticks(c.max); s != c.step || m != c.ceil {
			t.Errorf("ticks(%d) = %d, %d; want %d, %d", c.max, s, m, c.step, c.ceil)
		}
	}
}

// TestEachPartOfABarLinksToItsOwnList: with links per series, every part
// of a stacked bar, every bar of a group and every point links to the list
// of its own figure, in the drawing and in the table; a figure of zero has
// no link in the table, and no part links to the label's list.
func TestEachPartOfABarLinksToItsOwnList(t *testing.T) {
	for _, k := range []Kind{Bars, Stacked, Lines} {
		c := sample(k)
		c.Series[0].Links = []string{"/requests?kind=access&status=received", "/requests?kind=erasure&status=received"}
		c.Series[1].Links = []string{"/requests?kind=access&overdue=true", "/requests?kind=erasure&overdue=true"}
		svg, table := string(c.SVG()), string(c.Table())
		if err := xml.Unmarshal([]byte(svg), new(any)); err != nil {
			t.Fatalf("%d: %v", k, err)
		}
		for _, l := range []string{"/requests?kind=access&amp;status=received", "/requests?kind=access&amp;overdue=true", "/requests?kind=erasure&amp;overdue=true"} {
			if !strings.Contains(svg, `<a href="`+l+`">`) || !strings.Contains(table, `<a href="`+l+`">`) {
				t.Errorf("%d: no link to %s:\n%s\n%s", k, l, svg, table)
			}
		}
		if strings.Contains(table, `kind=erasure&amp;status=received">`) {
			t.Errorf("%d: a zero links to its list: %s", k, table)
		}
		if k != Lines && strings.Contains(svg, `<a href="/requests?kind=access"><rect`) {
			t.Errorf("%d: the whole bar links to the label's list: %s", k, svg)
		}
	}
}
