package main

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// latencySVG draws p50 and p99 latency of kluis and of the bare server
// against offered load, on log–log axes, as a standalone SVG.
func latencySVG(r *runResult) string {
	const (
		width, height          = 760, 440
		left, right, top, bott = 64, 250, 52, 56
	)
	pw, ph := float64(width-left-right), float64(height-top-bott)

	type series struct {
		target, pct, color string
		dash               string
	}
	all := []series{
		{"kluis", "p50", "#c0392b", ""},
		{"kluis", "p99", "#c0392b", "6,4"},
		{"bare", "p50", "#2471a3", ""},
		{"bare", "p99", "#2471a3", "6,4"},
	}
	val := func(s step, pct string) float64 {
		if pct == "p50" {
			return s.P50
		}
		return s.P99
	}

	// Axis ranges from the data.
	xmin, xmax := math.Inf(1), 0.0
	ymin, ymax := math.Inf(1), 0.0
	for _, s := range r.Read {
		if s.OK == 0 {
			continue
		}
		x := s.OfferedRPS
		if s.Mode == "max" {
			x = s.AchievedRPS
		}
		if x <= 0 {
			continue
		}
		xmin, xmax = math.Min(xmin, x), math.Max(xmax, x)
		for _, p := range []string{"p50", "p99"} {
			if v := val(s, p); v > 0 {
				ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
			}
		}
	}
	if xmax == 0 {
		xmin, xmax, ymin, ymax = 100, 1000, 0.1, 10
	}
	ymax = math.Max(ymax, 10) // keep the 10 ms goal in view
	lx0, lx1 := math.Floor(math.Log10(xmin/1.3)*10)/10, math.Ceil(math.Log10(xmax*1.3)*10)/10
	ly0, ly1 := math.Floor(math.Log10(ymin)), math.Ceil(math.Log10(ymax))
	if ly1-ly0 < 2 {
		ly0 = ly1 - 2
	}
	px := func(x float64) float64 { return float64(left) + (math.Log10(x)-lx0)/(lx1-lx0)*pw }
	py := func(y float64) float64 { return float64(top) + (ly1-math.Log10(y))/(ly1-ly0)*ph }

	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	w(`<rect width="100%%" height="100%%" fill="white"/>` + "\n")
	w(`<text x="%d" y="22" font-size="15" font-weight="bold">%s</text>`+"\n", left, esc(fmt.Sprintf("Read one candidate: kluis vs bare, %s (%s candidates)", r.DB, num(float64(r.Dataset.Candidates)))))
	w(`<text x="%d" y="40" fill="#555">%s</text>`+"\n", left, esc("latency (ms, log) against offered load (req/s, log); measured "+r.MeasuredAt.Format("2006-01-02 15:04")+" UTC"))

	// Grid and ticks.
	for e := ly0; e <= ly1; e++ {
		for _, m := range []float64{1, 2, 5} {
			y := m * math.Pow(10, e)
			if math.Log10(y) > ly1+1e-9 {
				continue
			}
			stroke, opacity := "#ddd", "1"
			if m != 1 {
				opacity = "0.5"
			}
			w(`<line x1="%d" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s" stroke-opacity="%s"/>`+"\n", left, float64(left)+pw, py(y), py(y), stroke, opacity)
			w(`<text x="%d" y="%.1f" text-anchor="end" fill="#333">%s</text>`+"\n", left-6, py(y)+4, esc(tick(y)))
		}
	}
	for e := math.Floor(lx0); e <= lx1; e++ {
		for _, m := range []float64{1, 2, 5} {
			x := m * math.Pow(10, e)
			if lx := math.Log10(x); lx < lx0-1e-9 || lx > lx1+1e-9 {
				continue
			}
			w(`<line x1="%.1f" x2="%.1f" y1="%d" y2="%.1f" stroke="#ddd"/>`+"\n", px(x), px(x), top, float64(top)+ph)
			w(`<text x="%.1f" y="%.1f" text-anchor="middle" fill="#333">%s</text>`+"\n", px(x), float64(top)+ph+16, esc(tick(x)))
		}
	}
	w(`<rect x="%d" y="%d" width="%.1f" height="%.1f" fill="none" stroke="#888"/>`+"\n", left, top, pw, ph)
	w(`<text x="%.1f" y="%d" text-anchor="middle">offered load (req/s); hollow markers: max throughput, at the rate achieved</text>`+"\n", float64(left)+pw/2, height-14)
	w(`<text transform="translate(16 %.1f) rotate(-90)" text-anchor="middle">latency (ms)</text>`+"\n", float64(top)+ph/2)

	// The goal: p99 ≤ 10 ms at 1,000 req/s.
	if lg := math.Log10(1000); lg >= lx0 && lg <= lx1 {
		w(`<line x1="%.1f" x2="%.1f" y1="%d" y2="%.1f" stroke="#7d3c98" stroke-dasharray="2,3"/>`+"\n", px(1000), px(1000), top, float64(top)+ph)
	}
	w(`<line x1="%d" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#7d3c98" stroke-dasharray="2,3"/>`+"\n", left, float64(left)+pw, py(10), py(10))
	w(`<text x="%.1f" y="%.1f" text-anchor="end" fill="#7d3c98">goal: p99 ≤ 10 ms at 1,000 req/s</text>`+"\n", float64(left)+pw-4, py(10)-4)

	// Series.
	for _, s := range all {
		var pts []string
		for _, st := range r.Read {
			if st.Target != s.target || st.Mode != "rate" || st.OK == 0 {
				continue
			}
			if v := val(st, s.pct); v > 0 {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(st.OfferedRPS), py(v)))
			}
		}
		if len(pts) > 0 {
			w(`<polyline fill="none" stroke="%s" stroke-width="2" stroke-dasharray="%s" points="%s"/>`+"\n", s.color, s.dash, strings.Join(pts, " "))
			for _, p := range pts {
				x, y, _ := strings.Cut(p, ",")
				w(`<circle cx="%s" cy="%s" r="3" fill="%s"/>`+"\n", x, y, s.color)
			}
		}
		if st := stepOf(r.Read, s.target, "max"); st.OK > 0 && st.AchievedRPS > 0 {
			if v := val(st, s.pct); v > 0 {
				w(`<circle cx="%.1f" cy="%.1f" r="5" fill="white" stroke="%s" stroke-width="2"/>`+"\n", px(st.AchievedRPS), py(v), s.color)
			}
		}
	}

	// Legend.
	lx, ly := float64(width-right+18), float64(top+10)
	for i, s := range all {
		y := ly + float64(i)*22
		w(`<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="2" stroke-dasharray="%s"/>`+"\n", lx, lx+30, y, y, s.color, s.dash)
		w(`<text x="%.1f" y="%.1f">%s %s</text>`+"\n", lx+38, y+4, s.target, s.pct)
	}
	y := ly + 4*22
	w(`<circle cx="%.1f" cy="%.1f" r="5" fill="white" stroke="#333" stroke-width="2"/>`+"\n", lx+15, y)
	w(`<text x="%.1f" y="%.1f">max throughput</text>`+"\n", lx+38, y+4)
	note := []string{"kluis: GET /api/v1/candidates/{id}", "(token, transaction, keys, field rules, log)", "bare: one SELECT → JSON", "open loop; latency from due time"}
	if k, bs := stepOf(r.Read, "kluis", "max"), stepOf(r.Read, "bare", "max"); bs.AchievedRPS > 0 {
		note = append(note, "", fmt.Sprintf("max: kluis %s req/s,", num(k.AchievedRPS)), fmt.Sprintf("bare %s req/s (%s)", num(bs.AchievedRPS), pct(k.AchievedRPS, bs.AchievedRPS)))
	}
	for i, n := range note {
		w(`<text x="%.1f" y="%.1f" fill="#555">%s</text>`+"\n", lx, y+30+float64(i)*16, esc(n))
	}
	w("</svg>\n")
	return b.String()
}

func esc(s string) string { return html.EscapeString(s) }

// tick writes an axis label: 0.5, 2, 1,000.
func tick(x float64) string {
	if x >= 1000 {
		return num(x)
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}
