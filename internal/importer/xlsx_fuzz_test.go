package importer

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"hash/crc32"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kluis/internal/kluis"
)

// FuzzParseXLSX writes fuzzed cells into a real workbook — text cells, a
// number cell (dates are numbers in a workbook) and a cell with a formula —
// and sends it through the whole reading path short of the database, as
// FuzzParseCSV does for CSV. The header row is fuzzed too. Nothing may
// panic, and every problem must have a message in both languages. Raw
// bytes would mostly stop at the ZIP checksum; the workbook's own parser
// is what this reaches.
func FuzzParseXLSX(f *testing.F) {
	f.Add("external_id;last_name;date_of_birth;phone", "K1;Jansen;;0612345678", 33000.0, "=1+1")
	f.Add("external_id;last_name;bsn;iban", "K1;=cmd|' /C calc'!A0;111222333;NL91ABNA0417164300", -1.0, "")
	f.Add("candidate_external_id;kind;at;note", "K1;phone;2024-03-05 09:00;a\nb", 45000.5, "=NOW()")
	f.Add("candidate_external_id;client_external_id;function;start_date;hourly_wage_cents", "K1;R1;x;;abc", 1e308, "=A1")
	f.Add("external_id;name;;", "R1;Kas;;oops", 0.0, "=\"<script>\"")
	f.Add("\ufefflast_name;first_name;external_id", "\x00;\xff;K1", 2958466.0, "=SUM(")
	f.Fuzz(func(t *testing.T, head, cells string, number float64, formula string) {
		if len(head)+len(cells)+len(formula) > 4000 {
			return
		}
		wb := excelize.NewFile()
		defer wb.Close()
		put := func(row int, values []string) {
			for i, v := range values {
				name, _ := excelize.CoordinatesToCellName(i+1, row)
				// Values excelize itself refuses (too long, invalid
				// characters) are simply not written.
				_ = wb.SetCellStr("Sheet1", name, v)
			}
		}
		put(1, strings.Split(head, ";"))
		values := strings.Split(cells, ";")
		put(2, values)
		num, _ := excelize.CoordinatesToCellName(len(values)+1, 2)
		_ = wb.SetCellFloat("Sheet1", num, number, -1, 64)
		if formula != "" {
			fc, _ := excelize.CoordinatesToCellName(len(values)+2, 2)
			_ = wb.SetCellFormula("Sheet1", fc, formula)
		}
		var buf bytes.Buffer
		if err := wb.Write(&buf); err != nil {
			return
		}
		opt := Options{MaxRows: 1000, Location: time.UTC}.withDefaults()
		var rep FileReport
		lf, err := load(File{Name: "f.xlsx", Format: XLSX, Body: bytes.NewReader(buf.Bytes())}, opt, &rep)
		if err != nil {
			if kluis.ErrorCode(err) != kluis.ETooLarge {
				t.Fatalf("load: %v", err)
			}
			return
		}
		b := newBuilder([]kluis.Branch{{ID: 1, Name: "Utrecht"}}, []*loadedFile{lf})
		if err := b.add(context.Background(), lf, newProgress(nil, 0)); err != nil {
			t.Fatal(err)
		}
		lf.finish()
		for _, p := range rep.Problems {
			if p.Message.NL == "" || p.Message.EN == "" || p.Line < 0 {
				t.Fatalf("problem %+v", p)
			}
			if strings.Contains(p.Message.NL, "%!") {
				t.Fatalf("formatting slip in %q", p.Message.NL)
			}
		}
	})
}

// FuzzReadXLSXBytes sends any bytes as a workbook: truncated, corrupted or
// foreign ZIP archives, and archives that declare sizes they do not have.
// Each is read or refused with a problem in both languages; nothing panics
// and nothing but the row limit is an error.
func FuzzReadXLSXBytes(f *testing.F) {
	valid := workbookBytes(f, [][]string{{"external_id", "last_name", "first_name"}, {"K1", "Jansen", "Piet"}})
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add(valid[:len(valid)-22]) // no end of the central directory
	corrupt := bytes.Clone(valid)
	corrupt[len(corrupt)/3] ^= 0xff
	f.Add(corrupt)
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Add(zipWith(f, "hello.txt", []byte("not a workbook")))
	f.Add(zipWith(f, "xl/workbook.xml", []byte("<workbook><sheets><sheet name=\"a\" r:id=\"x\"/></sheets></workbook>")))
	f.Add(lyingZip(f, 1<<40, 10))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		opt := Options{MaxRows: 1000, Location: time.UTC}.withDefaults()
		var rep FileReport
		lf, err := load(File{Name: "f.xlsx", Format: XLSX, Body: bytes.NewReader(data)}, opt, &rep)
		if err != nil {
			if kluis.ErrorCode(err) != kluis.ETooLarge {
				t.Fatalf("load: %v", err)
			}
			return
		}
		if lf.sheet.header == nil && len(rep.Problems) == 0 {
			t.Fatalf("%d bytes read as nothing without a problem", len(data))
		}
		for _, p := range rep.Problems {
			if p.Message.NL == "" || p.Message.EN == "" {
				t.Fatalf("problem %+v", p)
			}
		}
	})
}

// TestAZipBombIsRefusedAtOnce: a workbook of about a megabyte whose sheet
// unpacks to a gigabyte is refused with a message that says so, before it
// is unpacked; one that declares a small sheet but holds a gigabyte stops
// at the declared size. Neither takes the memory it would unpack to.
func TestAZipBombIsRefusedAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name         string
		declare      uint64
		wantUnpacked bool
	}{
		{"declares its gigabyte", 1 << 30, true},
		{"declares a kilobyte", 1 << 10, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bomb := zipBomb(t, 1<<30, tc.declare)
			if len(bomb) > 2<<20 {
				t.Fatalf("the bomb is %d bytes, not tiny", len(bomb))
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			opt := Options{MaxRows: 1000, Location: time.UTC}.withDefaults()
			var rep FileReport
			if _, err := load(File{Name: "bom.xlsx", Body: bytes.NewReader(bomb)}, opt, &rep); err != nil {
				t.Fatal(err)
			}
			runtime.ReadMemStats(&after)
			if len(rep.Problems) != 1 || rep.Rows != 0 {
				t.Fatalf("problems %+v, rows %d", rep.Problems, rep.Rows)
			}
			msg := rep.Problems[0].Message
			if tc.wantUnpacked != strings.Contains(msg.NL, "pakt uit tot meer dan 512 MB") || tc.wantUnpacked != strings.Contains(msg.EN, "unpacks to more than 512 MB") {
				t.Fatalf("message %+v", msg)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 64<<20 {
				t.Fatalf("refusing a bomb of %d bytes took %d MB of memory", len(bomb), got>>20)
			}
		})
	}
}

// zipBomb is a ZIP archive with a workbook's sheet part of size zeros,
// declared as declare bytes. The deflate stream is one compressed megabyte
// of zeros repeated (each copy refers only to zeros before it) and closed
// with an empty final block, so it is about size/1000 bytes.
func zipBomb(t testing.TB, size, declare uint64) []byte {
	t.Helper()
	zeros := make([]byte, 1<<20)
	var block bytes.Buffer
	fw, err := flate.NewWriter(&block, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(zeros); err != nil {
		t.Fatal(err)
	}
	if err := fw.Flush(); err != nil {
		t.Fatal(err)
	}
	crc := crc32.NewIEEE()
	var stream bytes.Buffer
	for n := uint64(0); n < size; n += uint64(len(zeros)) {
		stream.Write(block.Bytes())
		crc.Write(zeros)
	}
	stream.Write([]byte{0x01, 0x00, 0x00, 0xff, 0xff}) // final, stored, empty
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate, CRC32: crc.Sum32(),
		CompressedSize64: uint64(stream.Len()), UncompressedSize64: declare})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(stream.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// lyingZip is zipBomb's archive for the fuzz seeds: small, declaring declare.
func lyingZip(t testing.TB, declare, size uint64) []byte {
	t.Helper()
	return zipBomb(t, size<<20, declare)
}

func zipWith(t testing.TB, name string, body []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	w, err := zw.Create(name)
	if err == nil {
		_, err = w.Write(body)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func workbookBytes(t testing.TB, rows [][]string) []byte {
	t.Helper()
	wb := excelize.NewFile()
	defer wb.Close()
	for r, row := range rows {
		for c, v := range row {
			name, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := wb.SetCellStr("Sheet1", name, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
