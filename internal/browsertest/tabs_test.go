package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// markPage leaves a mark in the page's JavaScript state; samePage tells that
// the mark is still there, that is, that what happened since was a swap by
// htmx and not the load of a new page.
func markPage() Action {
	return chromedp.Evaluate[chromedp.Void](`window.kluisBrowserTestMark = true`)
}

func (b *browser) samePage() bool {
	b.t.Helper()
	return run(b, "look for the page mark", chromedp.Evaluate[bool](`window.kluisBrowserTestMark === true`))
}

func TestAContactMomentIsAddedInPlace(t *testing.T) {
	b := start(t)
	c, _ := searchableCandidate(t, b.k)
	a := b.k.Actor(kluis.RoleRecruiter)
	_, before, err := b.k.DB.ListContactMoments(context.Background(), a, store.ContactMomentFilter{CandidateID: c.ID, Page: kluis.Page{Limit: 1}})
	if err != nil {
		t.Fatal(err)
	}
	u := b.logIn(kluis.RoleRecruiter)
	path := fmt.Sprintf("/candidates/%d/history", c.ID)
	b.open(path, `#tabpanel form[action$="/history"] #f-note`)
	b.do("check the count", WaitText(`#h-history`, fmt.Sprintf("(%d)", before)))
	const note = "Belt terug na de zomervakantie; wil graag in de avond werken."

	// Forgetting the kind: the error shows in the tab, without a page load,
	// and the note typed is kept.
	b.do("save a note without a kind",
		markPage(),
		chromedp.SendKeys(chromedp.ID("f-note"), note),
		chromedp.Click(chromedp.CSS(`#tabpanel form[action$="/history"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("e-kind")),
		// The focus goes to the field in error, for keyboard and
		// screen-reader users.
		waitFocus("#f-kind"),
	)
	if !b.samePage() {
		t.Error("the form error came with a new page load, not in place")
	}
	if got := run(b, "read the note", chromedp.Value(chromedp.ID("f-note"))); got != note {
		t.Errorf("after the error the note holds %q, want the text typed", got)
	}

	// With a kind it is saved: the new moment heads the timeline, in place.
	kind := kluis.ContactKinds[0]
	b.do("choose a kind and save",
		chromedp.SetValue(chromedp.ID("f-kind"), kind.Value),
		chromedp.Click(chromedp.CSS(`#tabpanel form[action$="/history"] button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.ID("e-kind")),
		chromedp.WaitVisible(chromedp.CSS(`#tabpanel .flash[role=status]`)),
		WaitText(`#timeline li:first-child`, note),
		WaitText(`#timeline li:first-child`, kind.Label.In("nl")),
		WaitText(`#timeline li:first-child`, u.Name),
		WaitText(`#h-history`, fmt.Sprintf("(%d)", before+1)),
	)
	if !b.samePage() {
		t.Error("saving the contact moment loaded a new page; it should swap the tab in place")
	}
	if got := run(b, "read the note field", chromedp.Value(chromedp.ID("f-note"))); got != "" {
		t.Errorf("after saving, the form still holds %q; want it empty for the next moment", got)
	}
	if loc := run(b, "read the address", chromedp.Location()); !strings.HasSuffix(loc, path) {
		t.Errorf("after saving the browser is at %s, want %s", loc, path)
	}
	ms, after, err := b.k.DB.ListContactMoments(context.Background(), a, store.ContactMomentFilter{CandidateID: c.ID, Page: kluis.Page{Limit: 1}})
	if err != nil || after != before+1 || len(ms) == 0 || ms[0].Note != note || ms[0].Kind != kind.Value || ms[0].UserID != u.ID {
		t.Errorf("the database holds %d moments (was %d), the newest %+v (%v); want the one saved by %s", after, before, ms, err, u.Name)
	}
}

// testPDF is a small, valid one-page PDF.
const testPDF = `%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj
4 0 obj << /Length 44 >> stream
BT /F1 24 Tf 72 770 Td (Curriculum vitae) Tj ET
endstream endobj
5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj
trailer << /Root 1 0 R >>
%%EOF
`

func TestADocumentIsUploaded(t *testing.T) {
	b := start(t)
	c, _ := searchableCandidate(t, b.k)
	a := b.k.Actor(kluis.RoleRecruiter)
	_, before, err := b.k.DB.ListDocuments(context.Background(), a, store.DocumentFilter{CandidateID: c.ID, Page: kluis.Page{Limit: 1}})
	if err != nil {
		t.Fatal(err)
	}
	const name = "cv-browsertest.pdf"
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, []byte(testPDF), 0o600); err != nil {
		t.Fatal(err)
	}
	u := b.logIn(kluis.RoleRecruiter)
	b.open(fmt.Sprintf("/candidates/%d/documents", c.ID), `#tabpanel form[enctype="multipart/form-data"] #f-file`)
	b.do("check the count", WaitText(`#h-docs`, fmt.Sprintf("(%d)", before)))

	b.do("choose a PDF and upload it as a CV",
		markPage(),
		chromedp.SetValue(chromedp.ID("f-kind"), "cv"),
		chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{file}),
		chromedp.Click(chromedp.CSS(`#tabpanel form[enctype="multipart/form-data"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#tabpanel .flash[role=status]`)),
		WaitText(`#h-docs`, fmt.Sprintf("(%d)", before+1)),
		WaitText(`#tabpanel table`, name),
	)
	if !b.samePage() {
		t.Error("the upload loaded a new page; it should swap the tab in place")
	}
	ds, after, err := b.k.DB.ListDocuments(context.Background(), a, store.DocumentFilter{CandidateID: c.ID, Page: kluis.Page{Limit: kluis.MaxPageSize}})
	if err != nil || after != before+1 {
		t.Fatalf("the database holds %d documents (was %d): %v", after, before, err)
	}
	var d *kluis.Document
	for i := range ds {
		if ds[i].FileName == name {
			d = &ds[i]
		}
	}
	if d == nil || d.Kind != "cv" || d.ContentType != "application/pdf" || d.Size != int64(len(testPDF)) || d.UserID != u.ID {
		t.Fatalf("stored %+v, want the PDF of %d bytes as a CV by %s", d, len(testPDF), u.Name)
	}
	// The row links to the file as a download (never shown inline).
	href := run(b, "read the link", chromedp.Evaluate[string](fmt.Sprintf(
		`document.querySelector('#doc-%d')?.getAttribute("href") ?? ""`, d.ID)))
	if want := fmt.Sprintf("/candidates/%d/documents/%d/download", c.ID, d.ID); href != want {
		t.Errorf("the document links to %q, want %q", href, want)
	}
}
