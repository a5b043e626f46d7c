// Package importer reads the files an agency brings from its previous
// system: clients, candidates, placements and contact moments in CSV or
// XLSX with the column layout of docs/IMPORT.md. The files of one set are
// checked together and stored together, all or nothing, in one transaction
// (store.ImportSet); records refer to each other by the external ids of the
// previous system, which resolve only within the set.
package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"
	_ "time/tzdata" // "Europe/Amsterdam" must resolve on hosts without a zoneinfo database

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// File is one file of a set.
type File struct {
	Kind   Kind      // "" detects it from the header row (DetectKind)
	Name   string    // as the user knows it; shown in the report
	Format Format    // "" detects it from the content and the name (DetectFormat)
	Body   io.Reader // read once, to the end or to the size limit
}

// The limits a file must stay within unless Options say otherwise. They
// keep one upload from holding the single SQLite writer (or a server's
// memory) for minutes; a bigger agency splits its files.
const (
	MaxFileSize = 50 << 20
	MaxRows     = 200_000
)

// MaxProblemsPerFile bounds the problems listed for one file; more are
// counted in FileReport.Unlisted. A file with a wrong date format on every
// line needs one fix, not two hundred thousand lines of report.
const MaxProblemsPerFile = 1000

// Options tune a run.
type Options struct {
	// DryRun checks every file and writes nothing.
	DryRun bool
	// Progress, when set, is told how many of how many steps are done:
	// each row counts once when checked and, in a real run, once more when
	// written, so a bar runs once from start to end. It is called every few
	// hundred rows, from the goroutine that called Run.
	Progress func(done, total int)
	// Location is the time zone of times written without one (contact
	// moments); default Europe/Amsterdam.
	Location *time.Location
	// MaxFileSize and MaxRows override the limits of the same name.
	MaxFileSize int64
	MaxRows     int
}

// Report says what a run found and did. It never holds a cell's value,
// only where it is and what is wrong with it: reports are shown, logged
// and mailed, and personal data must not travel with them.
type Report struct {
	DryRun  bool         `json:"dry_run"`
	Written bool         `json:"written"` // the set was stored
	Files   []FileReport `json:"files"`   // in the order the files were given
}

// FileReport is what a run found in one file.
type FileReport struct {
	Name     string    `json:"name"`
	Kind     Kind      `json:"kind"`
	Format   Format    `json:"format"`
	Rows     int       `json:"rows"` // records, the header and empty lines not counted
	Problems []Problem `json:"problems"`
	Unlisted int       `json:"unlisted,omitempty"` // problems beyond MaxProblemsPerFile
}

// Problem is one thing wrong in a file.
type Problem struct {
	File string `json:"file"`
	// Line is the 1-based line of the file (header = 1) or, for XLSX, the
	// row of the sheet; a multi-line CSV record is at the line it starts on.
	// 0 is the file as a whole.
	Line int `json:"line"`
	// Field is the column's name in the layout ("" for the row or file).
	Field string `json:"field,omitempty"`
	// Column is the column's header as written in the file, where it has
	// one: "Achternaam" for the field last_name.
	Column  string    `json:"column,omitempty"`
	Message kluis.Msg `json:"message"`
}

// OK reports a set without problems.
func (r *Report) OK() bool {
	for _, f := range r.Files {
		if len(f.Problems) > 0 || f.Unlisted > 0 {
			return false
		}
	}
	return true
}

// Problems lists every listed problem, file by file.
func (r *Report) Problems() []Problem {
	var out []Problem
	for _, f := range r.Files {
		out = append(out, f.Problems...)
	}
	return out
}

// Err returns nil for a set without problems, else an EInvalid error that
// says nothing was stored; the details are in the report.
func (r *Report) Err() error {
	if r.OK() {
		return nil
	}
	n := 0
	for _, f := range r.Files {
		n += len(f.Problems) + f.Unlisted
	}
	return kluis.Errorf(kluis.EInvalid,
		"De import bevat "+strconv.Itoa(n)+" fout(en); er is niets opgeslagen.",
		"The import has "+strconv.Itoa(n)+" problem(s); nothing was stored.")
}

func (o Options) withDefaults() Options {
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = MaxFileSize
	}
	if o.MaxRows <= 0 {
		o.MaxRows = MaxRows
	}
	if o.Location == nil {
		loc, err := time.LoadLocation("Europe/Amsterdam")
		if err != nil {
			loc = time.UTC // unreachable with time/tzdata linked in
		}
		o.Location = loc
	}
	return o
}

// Run checks a set of files and, unless opt.DryRun, stores it: all of it
// in one transaction, or nothing when any row of any file has a problem.
// The returned report lists the problems; a set with problems is not an
// error of Run (see Report.Err). Run's error is for what stops it
// altogether: a file over the limits (ETooLarge), an unreadable reader,
// a cancelled context or a database failure.
//
// Files may come in any order: they are processed by kind (clients,
// candidates, placements, contact moments), so that external ids resolve
// within the set. A file may be the only one of a set, but placements and
// contact moments can refer only to candidates and clients of their own set.
func Run(ctx context.Context, db *store.DB, a kluis.Actor, files []File, opt Options) (*Report, error) {
	opt = opt.withDefaults()
	if len(files) == 0 {
		return nil, kluis.Errorf(kluis.EInvalid, "Kies ten minste één bestand.", "Choose at least one file.")
	}
	rep := &Report{DryRun: opt.DryRun, Files: make([]FileReport, len(files))}
	loaded := make([]*loadedFile, len(files))
	for i, f := range files {
		lf, err := load(f, opt, &rep.Files[i])
		if err != nil {
			return nil, err
		}
		loaded[i] = lf
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	branches, err := db.Branches(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("import: branches: %w", err)
	}

	rows := 0
	for _, lf := range loaded {
		rows += len(lf.sheet.rows)
	}
	total := rows
	if !opt.DryRun {
		total = 2 * rows
	}
	progress := newProgress(opt.Progress, total)

	order := append([]*loadedFile(nil), loaded...)
	sort.SliceStable(order, func(i, j int) bool { return order[i].kind.order() < order[j].kind.order() })
	b := newBuilder(branches, loaded)
	for _, lf := range order {
		if err := b.add(ctx, lf, progress); err != nil {
			return nil, err
		}
	}

	var ps store.ImportProblems
	if err := db.CheckImportSet(ctx, a, &b.set); errors.As(err, &ps) {
		b.storeProblems(ps)
	} else if err != nil {
		return nil, fmt.Errorf("import: check: %w", err)
	}
	for _, lf := range loaded {
		lf.finish()
	}
	if opt.DryRun || !rep.OK() {
		return rep, nil
	}

	b.set.Progress = func(done, _ int) { progress.set(rows + done) }
	if err := db.ImportSet(ctx, a, &b.set); errors.As(err, &ps) {
		// Only a branch removed since the check gets here.
		b.storeProblems(ps)
		for _, lf := range loaded {
			lf.finish()
		}
		return rep, nil
	} else if err != nil {
		return rep, fmt.Errorf("import: store: %w", err)
	}
	progress.set(total)
	rep.Written = true
	return rep, nil
}

// progress throttles the caller's callback: a bar does not need to hear
// about every one of two hundred thousand rows.
type progress struct {
	fn          func(done, total int)
	done, total int
	last        int
}

func newProgress(fn func(done, total int), total int) *progress {
	return &progress{fn: fn, total: total, last: -1}
}

func (p *progress) set(done int) {
	p.done = done
	if p.fn != nil && (done-p.last >= 500 || done == p.total) && done != p.last {
		p.last = done
		p.fn(done, p.total)
	}
}

func (p *progress) step() { p.set(p.done + 1) }
