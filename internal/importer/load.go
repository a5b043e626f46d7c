package importer

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"kluis/internal/kluis"
)

// loadedFile is one file read and its header mapped; its problems gather
// in its report.
type loadedFile struct {
	File
	kind     Kind // "" when neither given nor detectable
	report   *FileReport
	sheet    *sheet
	header   header
	usable   bool // its rows can be read: the header names every required column
	complete bool // usable and read to the end, so a missing external id is really missing
	loc      *time.Location
	seen     map[problemKey]bool
}

type problemKey struct {
	line  int
	field string
	msg   string
}

// load reads a file, detects its format and kind, and maps its header.
// Only the limits are errors; everything else wrong is a problem in rep.
func load(f File, opt Options, rep *FileReport) (*loadedFile, error) {
	rep.Name, rep.Kind, rep.Problems = f.Name, f.Kind, []Problem{}
	lf := &loadedFile{File: f, report: rep, sheet: &sheet{}, seen: map[problemKey]bool{}, loc: opt.Location}
	if f.Body == nil {
		return nil, fmt.Errorf("import: file %q has no body", f.Name)
	}
	data, err := io.ReadAll(io.LimitReader(f.Body, opt.MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("import: read %q: %w", f.Name, err)
	}
	if int64(len(data)) > opt.MaxFileSize {
		mb := strconv.FormatInt(opt.MaxFileSize>>20, 10)
		return nil, kluis.Errorf(kluis.ETooLarge,
			"Bestand "+quote(f.Name)+" is groter dan "+mb+" MB; splits het in kleinere bestanden.",
			"File "+quote(f.Name)+" is larger than "+mb+" MB; split it into smaller files.")
	}
	format := f.Format
	if format == "" {
		if format, err = DetectFormat(f.Name, data[:min(len(data), 8)]); err != nil {
			lf.problem(Problem{Message: errMsg(err)})
			return lf, nil
		}
	}
	rep.Format = format
	var p *Problem
	switch format {
	case CSV:
		lf.sheet, p, err = readCSV(data, opt.MaxRows)
	case XLSX:
		lf.sheet, p, err = readXLSX(data, opt.MaxRows)
	default:
		lf.problem(Problem{Message: kluis.Msg{NL: "Onbekend bestandsformaat; gebruik CSV of XLSX.", EN: "Unknown file format; use CSV or XLSX."}})
		return lf, nil
	}
	if errors.Is(err, errTooManyRows) {
		n := strconv.Itoa(opt.MaxRows)
		return nil, kluis.Errorf(kluis.ETooLarge,
			"Bestand "+quote(f.Name)+" heeft meer dan "+n+" regels; splits het in kleinere bestanden.",
			"File "+quote(f.Name)+" has more than "+n+" rows; split it into smaller files.")
	}
	rep.Rows = len(lf.sheet.rows)
	if p != nil {
		lf.problem(*p)
	}
	if lf.sheet.header == nil {
		if p == nil {
			lf.problem(Problem{Message: kluis.Msg{NL: "Dit bestand is leeg.", EN: "This file is empty."}})
		}
		return lf, nil
	}
	kind := f.Kind
	if kind == "" {
		if kind, err = DetectKind(lf.sheet.header); err != nil {
			lf.problem(Problem{Line: lf.sheet.headerLine, Message: errMsg(err)})
			return lf, nil
		}
	} else if kind.order() == len(Kinds) {
		_, err := ParseKind(string(kind))
		lf.problem(Problem{Message: errMsg(err)})
		return lf, nil
	}
	lf.kind, rep.Kind = kind, kind
	lf.header = mapHeader(kind, lf.sheet.header)
	for _, hp := range lf.header.problems {
		hp.Line = lf.sheet.headerLine
		lf.problem(hp)
	}
	lf.usable = lf.header.complete
	lf.complete = lf.usable && p == nil
	return lf, nil
}

func errMsg(err error) kluis.Msg {
	var e *kluis.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return kluis.Msg{NL: "Dit bestand is niet te lezen.", EN: "This file cannot be read."}
}

// problem records a problem once per line and field: the importer and the
// domain's Validate may both find the same mistake.
func (lf *loadedFile) problem(p Problem) {
	key := problemKey{line: p.Line, field: p.Field}
	if p.Field == "" {
		key.msg = p.Message.EN
	}
	if lf.seen[key] {
		return
	}
	lf.seen[key] = true
	p.File = lf.Name
	if p.Column == "" && p.Field != "" && lf.kind != "" {
		if j, ok := columnIndex[lf.kind][p.Field]; ok {
			p.Column = lf.header.names[j]
		}
	}
	lf.report.Problems = append(lf.report.Problems, p)
}

// finish puts the problems in file order and lists the first of them.
func (lf *loadedFile) finish() {
	ps := lf.report.Problems
	order := func(field string) int {
		if j, ok := columnIndex[lf.kind][field]; ok {
			return j
		}
		return -1
	}
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return order(ps[i].Field) < order(ps[j].Field)
	})
	if len(ps) > MaxProblemsPerFile {
		lf.report.Unlisted += len(ps) - MaxProblemsPerFile
		ps = ps[:MaxProblemsPerFile]
	}
	lf.report.Problems = ps
}

// columnIndex finds a layout column by its English name.
var columnIndex = func() map[Kind]map[string]int {
	out := map[Kind]map[string]int{}
	for k, cols := range layouts {
		out[k] = map[string]int{}
		for j, c := range cols {
			out[k][c.Name] = j
		}
	}
	return out
}()
