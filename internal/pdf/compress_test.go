package pdf

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// TestPagesAreCompressedAsFpdfWould: the file Write makes, with the pages
// compressed by kluis, is byte for byte the one fpdf writes when it
// compresses them itself.
func TestPagesAreCompressedAsFpdfWould(t *testing.T) {
	doc := func() *Doc {
		d := New(Options{Title: "Stamkaart van Zoë Ĳzerman", Subtitle: "Alle gegevens", Footer: "De Brug · kandidaat 42",
			Created: time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)})
		d.H1("Contactmomenten")
		rows := make([][]string, 300)
		for i := range rows {
			rows[i] = []string{fmt.Sprintf("%02d-03-2026", i%28+1), "Telefoon", fmt.Sprintf("Gebeld over rooster %d, € %d,00", i, i)}
		}
		d.Table([]Column{{Header: "Wanneer", Width: 1}, {Header: "Soort", Width: 1}, {Header: "Notitie", Width: 4}}, rows)
		d.Para("Tot slot.")
		return d
	}
	var ours bytes.Buffer
	if err := doc().Write(&ours); err != nil {
		t.Fatal(err)
	}
	d := doc()
	d.finish()
	d.f.SetCompression(true)
	var theirs bytes.Buffer
	if err := d.f.Output(&theirs); err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(theirs.Bytes(), []byte("/Type /Page\n")); n < 5 {
		t.Fatalf("the sample has %d pages; it needs several", n)
	}
	if !bytes.Equal(ours.Bytes(), theirs.Bytes()) {
		i := 0
		for i < min(ours.Len(), theirs.Len()) && ours.Bytes()[i] == theirs.Bytes()[i] {
			i++
		}
		t.Fatalf("the files differ from byte %d (ours %d bytes, fpdf's %d): ours %q, fpdf's %q", i, ours.Len(), theirs.Len(),
			ours.Bytes()[i:min(i+80, ours.Len())], theirs.Bytes()[i:min(i+80, theirs.Len())])
	}
}

// TestAnUnexpectedLayoutIsAnError: compressPages refuses what it does not
// recognise rather than write a broken file.
func TestAnUnexpectedLayoutIsAnError(t *testing.T) {
	for _, raw := range []string{"", "%PDF-1.3\nstartxref\n5\n%%EOF\n", "%PDF-1.3\n1 0 obj\n<</Type /Page\n/Contents 2 0 R>>\nendobj\n" +
		"2 0 obj\n<</Length 99>>\nstream\nx\nendstream\nendobj\nxref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \ntrailer\n<<\n>>\nstartxref\n102\n%%EOF\n"} {
		if err := compressPages(&bytes.Buffer{}, []byte(raw)); err == nil {
			t.Errorf("no error for %q", raw)
		}
	}
}
