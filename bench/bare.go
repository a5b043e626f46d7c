package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx"
	_ "modernc.org/sqlite"             // "sqlite"
)

// The bare baseline: the least a server can do to answer the same reads —
// the same database, the same driver, the same SELECT of every column of one
// candidate, marshalled to JSON — without authentication, transactions,
// access logging, security headers or anything else kluis adds. It is what
// kluis's figures are divided by.

// candidateColumns are the columns of the candidates table, as kluis's store
// selects them (internal/store/candidates.go).
const candidateColumns = "tenant_id, id, branch_id, status, initials, first_name, prefix, last_name, date_of_birth, " +
	"nationality, email, phone, street, house_number, house_number_addition, postcode, city, country, bsn, iban, " +
	"id_document_type, id_document_number, id_document_expiry, functions, availability, registered_on, source, " +
	"version, created_at, updated_at"

// bareCandidate has the JSON field names of kluis's candidate record, so
// both servers send answers of about the same size.
type bareCandidate struct {
	TenantID            int64     `json:"-"`
	ID                  int64     `json:"id"`
	BranchID            int64     `json:"branch_id"`
	Status              string    `json:"status"`
	Initials            string    `json:"initials"`
	FirstName           string    `json:"first_name"`
	Prefix              string    `json:"prefix"`
	LastName            string    `json:"last_name"`
	DateOfBirth         dateCol   `json:"date_of_birth"`
	Nationality         string    `json:"nationality"`
	Email               string    `json:"email"`
	Phone               string    `json:"phone"`
	Street              string    `json:"street"`
	HouseNumber         string    `json:"house_number"`
	HouseNumberAddition string    `json:"house_number_addition"`
	Postcode            string    `json:"postcode"`
	City                string    `json:"city"`
	Country             string    `json:"country"`
	BSN                 string    `json:"bsn"`
	IBAN                string    `json:"iban"`
	IDDocumentType      string    `json:"id_document_type"`
	IDDocumentNumber    string    `json:"id_document_number"`
	IDDocumentExpiry    dateCol   `json:"id_document_expiry"`
	Functions           listCol   `json:"functions"`
	Availability        string    `json:"availability"`
	RegisteredOn        dateCol   `json:"registered_on"`
	Source              string    `json:"source"`
	Version             int64     `json:"version"`
	CreatedAt           time.Time `json:"created_at"`
	UpdatedAt           time.Time `json:"updated_at"`
}

func (c *bareCandidate) targets() []any {
	return []any{&c.TenantID, &c.ID, &c.BranchID, &c.Status, &c.Initials, &c.FirstName, &c.Prefix, &c.LastName,
		&c.DateOfBirth, &c.Nationality, &c.Email, &c.Phone, &c.Street, &c.HouseNumber, &c.HouseNumberAddition,
		&c.Postcode, &c.City, &c.Country, &c.BSN, &c.IBAN, &c.IDDocumentType, &c.IDDocumentNumber,
		&c.IDDocumentExpiry, &c.Functions, &c.Availability, &c.RegisteredOn, &c.Source, &c.Version,
		&c.CreatedAt, &c.UpdatedAt}
}

// dateCol reads a DATE column as yyyy-mm-dd (PostgreSQL and modernc's
// SQLite give time.Time, or text).
type dateCol string

func (d *dateCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = ""
	case time.Time:
		*d = dateCol(v.Format(time.DateOnly))
	case string:
		*d = dateCol(v[:min(len(v), 10)])
	case []byte:
		*d = dateCol(v[:min(len(v), 10)])
	default:
		return fmt.Errorf("date: cannot scan %T", src)
	}
	return nil
}

// listCol reads the ";"-separated functions column as a list.
type listCol []string

func (l *listCol) Scan(src any) error {
	var s sql.NullString
	if err := s.Scan(src); err != nil {
		return err
	}
	*l = []string{}
	if s.String != "" {
		*l = strings.Split(s.String, ";")
	}
	return nil
}

// openDB opens dsn as kluis's store does for reading: PostgreSQL with a pool
// of 20, or SQLite in WAL mode with read-only connections, at least 4.
func openDB(dsn string) (*sql.DB, error) {
	if isPostgres(dsn) {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(20)
		return db, nil
	}
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_time_format", "sqlite")
	q.Set("_txlock", "deferred")
	q.Add("_pragma", "query_only(1)")
	db, err := sql.Open("sqlite", "file:"+dsn+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(max(4, runtime.NumCPU()))
	db.SetConnMaxIdleTime(0)
	return db, nil
}

// searchRequest is what the bare server's search takes: a last-name prefix
// or a city prefix, and whether to count all matches as kluis does for its
// total.
type searchRequest struct {
	Query string `json:"query"`
	City  string `json:"city"`
	Count bool   `json:"count"`
}

// likePrefix escapes s for LIKE … ESCAPE '\' and makes it a prefix pattern,
// as kluis's store does.
func likePrefix(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(strings.TrimSpace(s))) + "%"
}

// bareSearchSQL is the bare search: by name, one prefix condition in the
// form the schema's indexes serve on that database; by city, the place
// itself (the data set's cities exist as drawn, so kluis looks them up
// whole too); one page of 50 in kluis's default order, and the count of
// the matches up to 10,001 (kluis counts up to 10,000 and says "more").
// SQLite compares the column itself (LIKE ignores ASCII case there, and
// the indexes are COLLATE NOCASE); PostgreSQL compares lower(column)
// (the generated lower-case key columns, in byte order: migration 00037).
func bareSearchSQL(sqlite, byCity bool) (list, count string) {
	// PostgreSQL: the lower-case key columns kluis's indexes are on
	// (migration 00035); the bare server passes row-level security, so a
	// LIKE may be an index condition here.
	col, order := "%s_key", `last_name_key COLLATE "C", id`
	if sqlite {
		col, order = "%s", "last_name COLLATE NOCASE, id"
	}
	cond := fmt.Sprintf(col, "last_name") + ` LIKE $2 ESCAPE '\'`
	if !sqlite {
		// A LIKE with a parameter cannot become an index range in a
		// generic plan (a prepared statement after five runs): the prefix
		// is given as a range of bytes, as kluis gives it ($3 and $4,
		// bareSearchArgs), and the LIKE only confirms.
		cond = `last_name_key COLLATE "C" >= $3 AND last_name_key COLLATE "C" < $4 AND ` + cond
	}
	if byCity && sqlite {
		cond = "city = $2 COLLATE NOCASE"
	} else if byCity {
		cond = "city_key = $2"
	}
	where := " FROM candidates WHERE tenant_id = $1 AND " + cond
	return "SELECT " + candidateColumns + where + " ORDER BY " + order + " LIMIT 50",
		"SELECT count(*) FROM (SELECT 1" + where + " LIMIT 10001) AS matches"
}

// bareSearchArgs are the arguments of bareSearchSQL's statements.
func bareSearchArgs(sqlite, byCity bool, tenant int64, term string) []any {
	if byCity {
		return []any{tenant, strings.ToLower(strings.TrimSpace(term))}
	}
	if sqlite {
		return []any{tenant, likePrefix(term)}
	}
	lo := strings.ToLower(strings.TrimSpace(term))
	return []any{tenant, likePrefix(term), lo, lo + "\U0010FFFF"}
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func bareMain(args []string) int {
	fs := flag.NewFlagSet("bench bare-serve", flag.ContinueOnError)
	dsn := fs.String("db", "", "postgres:// URL or SQLite file")
	addr := fs.String("addr", "127.0.0.1:0", "loopback address to listen on")
	tenant := fs.Int64("tenant", 0, "tenant id of the candidates")
	font := fs.String("font", "", "TTF font file for the stamkaart's PDF")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := bareServe(ctx, *dsn, *addr, *tenant, *font); err != nil {
		fmt.Fprintln(os.Stderr, "bare-serve:", err)
		return 1
	}
	return 0
}

func bareServe(ctx context.Context, dsn, addr string, tenant int64, fontFile string) error {
	if host, _, err := net.SplitHostPort(addr); err != nil || (host != "127.0.0.1" && host != "localhost" && host != "::1") {
		return fmt.Errorf("listen on a loopback address, not %q", addr)
	}
	db, err := openDB(dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	one := "SELECT " + candidateColumns + " FROM candidates WHERE tenant_id = $1 AND id = $2"
	mux := http.NewServeMux()
	mux.HandleFunc("GET /candidates/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		var c bareCandidate
		err = db.QueryRowContext(r.Context(), one, tenant, id).Scan(c.targets()...)
		if errors.Is(err, sql.ErrNoRows) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, &c)
	})
	mux.HandleFunc("POST /candidates/search", func(w http.ResponseWriter, r *http.Request) {
		var in searchRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		term := in.Query
		if in.City != "" {
			term = in.City
		}
		list, count := bareSearchSQL(!isPostgres(dsn), in.City != "")
		args := bareSearchArgs(!isPostgres(dsn), in.City != "", tenant, term)
		out := struct {
			Items []bareCandidate `json:"items"`
			Total int             `json:"total"`
		}{Items: []bareCandidate{}}
		if in.Count {
			if err := db.QueryRowContext(r.Context(), count, args...).Scan(&out.Total); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		rows, err := db.QueryContext(r.Context(), list, args...)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var c bareCandidate
			if err := rows.Scan(c.targets()...); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			out.Items = append(out.Items, c)
		}
		if err := rows.Err(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, &out)
	})
	// The font is read on the first PDF, not at start: the bare start-up
	// stays what it was.
	readFont := sync.OnceValues(func() ([]byte, error) {
		if fontFile == "" {
			return nil, errors.New("bare-serve was started without -font")
		}
		return os.ReadFile(fontFile)
	})
	// The stamkaart (bare_card.go): JSON, or a plain PDF.
	card := func(w http.ResponseWriter, r *http.Request) (*bareCard, bool) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			http.NotFound(w, r)
			return nil, false
		}
		c, found, err := readBareCard(r.Context(), db, tenant, id)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return nil, false
		}
		if !found {
			http.NotFound(w, r)
		}
		return c, found
	}
	mux.HandleFunc("GET /stamkaart/{id}", func(w http.ResponseWriter, r *http.Request) {
		if c, ok := card(w, r); ok {
			writeJSON(w, c)
		}
	})
	mux.HandleFunc("GET /stamkaart/{id}/pdf", func(w http.ResponseWriter, r *http.Request) {
		font, err := readFont()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		c, ok := card(w, r)
		if !ok {
			return
		}
		var b bytes.Buffer
		if err := writeBarePDF(&b, c, font); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		_, _ = w.Write(b.Bytes())
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shut)
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
