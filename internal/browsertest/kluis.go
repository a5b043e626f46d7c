// Package browsertest drives the staff UI of kluis in a real browser: Debian's
// Chromium, headless, through the DevTools protocol (chromedp). Its tests
// start kluis for real on 127.0.0.1 over a fresh SQLite database filled with
// the demo data set, log in as a demo user and use the screens as a person
// would: typing, clicking, pressing Tab and Enter.
//
// The package also holds what the screenshot program (./screenshots) shares
// with the tests: starting kluis and starting the browser.
package browsertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"time"

	"kluis/internal/blob"
	"kluis/internal/demo"
	"kluis/internal/kluis"
	"kluis/internal/store"
	"kluis/internal/vault"
	"kluis/internal/web"
)

// Today is the moment the server's clock stands still at: the demo data set
// is made relative to it, so every run shows the same dates (and the
// screenshots in docs/ do not change from one run to the next).
var Today = time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)

// Kluis is a running kluis: the staff UI and the API on a loopback port, over
// its own database and document store.
type Kluis struct {
	URL   string // http://127.0.0.1:port, no trailing slash
	DB    *store.DB
	Demo  *demo.Result
	Clock *kluis.FixedClock
	Dir   string // the data directory: kluis.db and documents/
	Log   *SyncBuffer

	srv *httptest.Server
	web *web.Server
}

// Start opens a new SQLite database in dir (which must be empty or absent),
// migrates it, seeds the demo agency with demo.Seed and serves it with the
// same handler and the same http.Server limits as `kluis serve`. The server
// log (JSON lines) goes to Log. Close stops it all.
func Start(ctx context.Context, dir string) (*Kluis, error) {
	blobs, err := blob.NewDir(filepath.Join(dir, "documents"))
	if err != nil {
		return nil, err
	}
	clock := &kluis.FixedClock{T: Today}
	master, err := vault.WriteMasterKey(filepath.Join(dir, "master.key"))
	if err != nil {
		return nil, err
	}
	keys, err := vault.Open(ctx, filepath.Join(dir, "keys.db"), master, vault.Options{})
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, filepath.Join(dir, "kluis.db"), store.Options{Clock: clock, Blobs: blobs, Vault: keys})
	if err != nil {
		keys.Close()
		return nil, err
	}
	k := &Kluis{DB: db, Clock: clock, Dir: dir, Log: &SyncBuffer{}}
	if err := k.start(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return k, nil
}

func (k *Kluis) start(ctx context.Context) error {
	if _, err := k.DB.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	res, err := demo.Seed(ctx, k.DB, demo.Options{})
	if err != nil {
		return err
	}
	if !res.Created {
		return errors.New("browsertest: the database held a demo agency already; start from an empty directory")
	}
	k.Demo = res
	logger := slog.New(slog.NewJSONHandler(k.Log, &slog.HandlerOptions{Level: slog.LevelInfo}))
	handler, err := web.New(k.DB, logger, k.Clock)
	if err != nil {
		return err
	}
	k.web = handler
	srv := httptest.NewUnstartedServer(handler)
	// The limits of `kluis serve` (internal/cli/serve.go).
	srv.Config.ReadHeaderTimeout = 10 * time.Second
	srv.Config.ReadTimeout = 5 * time.Minute
	srv.Config.WriteTimeout = 5 * time.Minute
	srv.Config.IdleTimeout = 2 * time.Minute
	srv.Config.MaxHeaderBytes = 64 << 10
	srv.Config.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	// The candidate portal's links point here (serve --public-url).
	handler.PublicURL = "http://" + srv.Listener.Addr().String()
	srv.Start() // on 127.0.0.1:0
	k.srv, k.URL = srv, srv.URL
	return nil
}

// Close stops the server and closes the database.
func (k *Kluis) Close() {
	if k.srv != nil {
		k.srv.CloseClientConnections()
		k.srv.Close()
	}
	if k.web != nil {
		k.web.Wait() // clean-up runs still at work
	}
	k.DB.Close()
}

// User returns the demo user with role r: name, e-mail address and id.
func (k *Kluis) User(r kluis.Role) kluis.User {
	for _, u := range k.Demo.Users {
		if u.Role == r {
			return u
		}
	}
	panic("browsertest: the demo set has no user with role " + string(r))
}

// Actor returns the demo user with role r as the store's actor, for reading
// what a test needs from the database: what that user sees, their branch
// included.
func (k *Kluis) Actor(r kluis.Role) kluis.Actor {
	u := k.User(r)
	u.TenantID = k.Demo.Tenant.ID
	return kluis.ActorFor(&u)
}

// Get fetches path from the server without a browser (for checks such as
// the response headers).
func (k *Kluis) Get(ctx context.Context, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.URL+path, nil)
	if err != nil {
		return nil, err
	}
	return k.srv.Client().Do(req)
}

// SyncBuffer is a bytes.Buffer that the server's goroutines may write to
// while a test reads it.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
