package store

import (
	"bytes"
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestTheMatcherFindsWhatAPassPerNeedleFinds compares the matcher's single
// pass with bytes.Index run for every needle, on random text that is full
// of the needles' beginnings.
func TestTheMatcherFindsWhatAPassPerNeedleFinds(t *testing.T) {
	m, err := newMatcher([]Identifier{{Kind: "name", Value: "Jansen"}, {Kind: "email", Value: "j.jansen@example.nl"},
		{Kind: "phone", Value: "06-12345678"}, {Kind: "bsn", Value: "111222333"}, {Kind: "name", Value: "Jans"}})
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("jans.@06123e-x\n")
	for round := range 200 {
		data := make([]byte, rnd.IntN(400))
		for i := range data {
			data[i] = alphabet[rnd.IntN(len(alphabet))]
		}
		switch {
		case round < 4:
			// At the very start and the very end.
			data = []byte([]string{"jans", "jansen", "x111222333", "612345678\njansen"}[round])
		case round%3 == 0 && len(data) > 30:
			copy(data[rnd.IntN(len(data)-25):], "jansen 612345678")
		}
		type hit struct{ id, off, length int }
		var want, got []hit
		for _, n := range m.needles {
			for off := 0; ; {
				i := bytes.Index(data[off:], n.form)
				if i < 0 {
					break
				}
				want = append(want, hit{n.id, off + i, len(n.form)})
				off += i + 1
			}
		}
		m.each(data, func(id, off, length int) { got = append(got, hit{id, off, length}) })
		order := func(a, b hit) int { return cmp.Or(a.off-b.off, a.id-b.id, a.length-b.length) }
		slices.SortFunc(want, order)
		slices.SortFunc(got, order)
		if !slices.Equal(want, got) {
			t.Fatalf("round %d: %q\nwant %v\n got %v", round, data, want, got)
		}
		if m.matches(data) != (len(want) > 0) {
			t.Fatalf("round %d: matches = %v with %d hits", round, !(len(want) > 0), len(want))
		}
	}
}
