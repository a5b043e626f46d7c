package main

// The bare stamkaart: the rows of one candidate that kluis's record card
// holds, read with plain SQL (one SELECT * per table in the order its index gives, no transaction, no
// decryption: sealed columns go out as stored) and written as JSON, or line
// by line into a plain fpdf document with the same DejaVu font as kluis's
// PDFs (a card must print any name as typed). It is the least a server
// could do for the same answer.

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
)

// bareCardTables are the tables of the card with a candidate_id, as kluis
// reads them (internal/web/recordcard.go); placements get their client's
// name, as on the card.
var bareCardTables = []string{"contact_moments", "documents", "placements", "payroll_records", "disclosures", "consents",
	"legal_holds", "requests", "restrictions", "supplementary_statements"}

type bareTable struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
}

type bareCard struct {
	Candidate bareCandidate `json:"candidate"`
	Tables    []bareTable   `json:"tables"`
}

// readBareCard reads candidate id's rows; false when there is no such
// candidate.
func readBareCard(ctx context.Context, db *sql.DB, tenant, id int64) (*bareCard, bool, error) {
	card := &bareCard{}
	err := db.QueryRowContext(ctx, "SELECT "+candidateColumns+" FROM candidates WHERE tenant_id = $1 AND id = $2", tenant, id).Scan(card.Candidate.targets()...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	for _, t := range bareCardTables {
		q := "SELECT * FROM " + t + " WHERE tenant_id = $1 AND candidate_id = $2"
		if t == "placements" {
			q = "SELECT p.*, c.name AS client_name FROM placements p JOIN clients c ON c.tenant_id = p.tenant_id AND c.id = p.client_id" +
				" WHERE p.tenant_id = $1 AND p.candidate_id = $2"
		}
		tb, err := bareRows(ctx, db, t, q, tenant, id)
		if err != nil {
			return nil, false, err
		}
		card.Tables = append(card.Tables, tb)
	}
	return card, true, nil
}

func bareRows(ctx context.Context, db *sql.DB, name, query string, args ...any) (bareTable, error) {
	tb := bareTable{Name: name, Rows: [][]any{}}
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return tb, fmt.Errorf("%s: %w", name, err)
	}
	defer rows.Close()
	if tb.Columns, err = rows.Columns(); err != nil {
		return tb, err
	}
	for rows.Next() {
		vals := make([]any, len(tb.Columns))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return tb, fmt.Errorf("%s: %w", name, err)
		}
		tb.Rows = append(tb.Rows, vals)
	}
	return tb, rows.Err()
}

// writeBarePDF writes the card as one line of text per row, wrapped.
func writeBarePDF(w io.Writer, card *bareCard, font []byte) error {
	f := fpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes("DejaVu", "", font)
	f.SetFont("DejaVu", "", 9)
	f.AddPage()
	line := func(s string) { f.MultiCell(0, 4.3, s, "", "L", false) }
	c := card.Candidate
	line(strings.Join([]string{c.Initials, c.FirstName, c.Prefix, c.LastName, string(c.DateOfBirth), c.Nationality, c.Email, c.Phone,
		c.Street, c.HouseNumber, c.HouseNumberAddition, c.Postcode, c.City, c.Country, c.BSN, c.IBAN, c.IDDocumentType,
		c.IDDocumentNumber, string(c.IDDocumentExpiry), strings.Join(c.Functions, ", "), c.Availability, c.Status,
		string(c.RegisteredOn), c.Source}, " | "))
	for _, t := range card.Tables {
		f.Ln(3)
		line(t.Name)
		line(strings.Join(t.Columns, " | "))
		cells := make([]string, len(t.Columns))
		for _, r := range t.Rows {
			for i, v := range r {
				cells[i] = cellText(v)
			}
			line(strings.Join(cells, " | "))
		}
	}
	return f.Output(w)
}

func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		if utf8.Valid(x) {
			return string(x)
		}
		return base64.StdEncoding.EncodeToString(x)
	case time.Time:
		return x.Format(time.RFC3339)
	}
	return fmt.Sprint(v)
}
