// Package web serves kluis over HTTP: the REST API under /api/v1, health
// probes, and (later) the staff UI and the candidate portal. Handlers return
// errors; one function turns them into responses.
package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"kluis/internal/access"
	"kluis/internal/catalog"
	"kluis/internal/cleanup"
	"kluis/internal/kluis"
	"kluis/internal/store"
)

// Server holds what the handlers need.
type Server struct {
	db      *store.DB
	log     *slog.Logger
	clock   kluis.Clock
	mux     *http.ServeMux
	pages   pages
	catalog *catalog.Catalog
	proj    *access.Projector // the catalogue's access per role; handlers use projector(ctx)
	// hideOptional hides every optional item: the fallback when an
	// agency's settings cannot be read.
	hideOptional  *access.Projector
	settingsCache *settingsCache
	access        *accessLog
	tokens        tokenCache
	// dummyHash is verified against when a log-in names nobody.
	dummyHash func() string
	handler   http.Handler // mux behind cross-origin protection
	// cleaner runs clean-up runs started from the UI or the API, each in
	// a goroutine of its own; background counts them, for Wait.
	cleaner    *cleanup.Runner
	background sync.WaitGroup
	// PublicURL is the address candidates reach kluis at (serve
	// --public-url), for the links the portal mails; without it the
	// portal mails nothing. Set it before serving.
	PublicURL string
	// portalThrottle limits the posts to the candidate portal's forms.
	portalThrottle throttle
	// loginThrottle limits the failed staff log-ins per client address.
	loginThrottle throttle
	// forecasts are the dashboard's forecasts of expiring data, per agency.
	forecasts *forecasts
	// metrics counts requests for /metrics, which is served only with
	// metricsToken set (EnableMetrics).
	metrics      *requestMetrics
	imports      importMetrics
	metricsToken string
}

// New builds the server, its routes and its page templates.
func New(db *store.DB, log *slog.Logger, clock kluis.Clock) (*Server, error) {
	if clock == nil {
		clock = kluis.SystemClock{}
	}
	ps, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &Server{db: db, log: log, clock: clock, mux: http.NewServeMux(), pages: ps, catalog: catalog.New()}
	s.proj = access.New(s.catalog)
	var all []string
	for _, c := range s.catalog.Collectables() {
		all = append(all, c.Key)
	}
	s.hideOptional = s.proj.Without(all)
	s.settingsCache = &settingsCache{db: db, base: s.proj, by: map[kluis.ID]settingsEntry{}}
	s.portalThrottle.window, s.portalThrottle.max = portalThrottleWindow, portalThrottleMax
	s.loginThrottle.window, s.loginThrottle.max = loginThrottleWindow, loginThrottleMax
	s.dummyHash = newDummyHash()
	s.access = newAccessLog(db, log)
	s.forecasts = &forecasts{by: map[kluis.ID]*forecastSlot{}}
	s.cleaner = &cleanup.Runner{DB: db}
	for _, rt := range s.routes() {
		h := rt.handler
		switch rt.guard {
		case token:
			h = s.authenticated(routeScope(rt), h)
		case session:
			h = s.loggedIn(h)
		}
		if rt.guard == page || rt.guard == session {
			s.mux.Handle(rt.method+" "+rt.pattern, s.handleUI(h))
		} else {
			s.mux.Handle(rt.method+" "+rt.pattern, s.handle(h))
		}
	}
	s.mux.Handle("GET /static/", s.staticFiles())
	s.metrics = newRequestMetrics(clock.Now())
	s.mux.Handle("GET /metrics", s.handle(s.serveMetrics))
	// Forms of the staff UI post with the session cookie; a request from
	// another site must not ride on it (CSRF). API clients send no
	// Origin or Sec-Fetch-Site and pass.
	s.handler = http.NewCrossOriginProtection().Handler(s.mux)
	return s, nil
}

// ServeHTTP adds the request id, security headers, panic recovery and the
// access log line around every request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := newRequestID()
	ctx := store.WithRequestID(context.WithValue(r.Context(), requestIDKey{}, id), id)
	r = r.WithContext(ctx)
	h := w.Header()
	h.Set("X-Request-Id", id)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	// A ceiling for every body, above the largest upload (an import);
	// each reader of a body sets its own, lower limit as well.
	if r.Body != nil {
		r.Body = http.MaxBytesReader(rec, r.Body, maxRequestBody)
	}
	defer func() {
		if p := recover(); p != nil {
			s.log.ErrorContext(ctx, "panic", "request_id", id, "panic", p, "stack", string(debug.Stack()))
			if !rec.wrote {
				s.writeError(rec, r, &kluis.Error{Code: kluis.EInternal})
			}
		}
		// The path holds ids only; the query string may hold search terms
		// and is never logged.
		elapsed := time.Since(start)
		s.log.InfoContext(ctx, "http", "request_id", id, "method", r.Method, "route", r.Pattern, "path", loggedPath(r),
			"status", rec.status, "bytes", rec.bytes, "ms", elapsed.Milliseconds())
		s.metrics.observe(r.Pattern, rec.status, elapsed)
	}()
	s.handler.ServeHTTP(rec, r)
}

// maxRequestBody is the ceiling of any request body.
const maxRequestBody = maxImportUpload + 1<<20

type requestIDKey struct{}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// handlerFunc is an HTTP handler that returns its error instead of writing it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handleUI is handle for the pages of the staff UI: errors become pages.
func (s *Server) handleUI(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.uiError(w, r, err)
		}
	})
}

func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

type actorKey struct{}

func actorFrom(ctx context.Context) kluis.Actor {
	a, _ := ctx.Value(actorKey{}).(kluis.Actor)
	return a
}

// authenticated admits requests with a valid bearer token.
func (s *Server) authenticated(scope string, h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		const prefix = "Bearer "
		auth := r.Header.Get("Authorization")
		if len(auth) <= len(prefix) || auth[:len(prefix)] != prefix {
			w.Header().Set("WWW-Authenticate", `Bearer realm="kluis"`)
			return kluis.Errorf(kluis.EUnauthorized, "Log in met een geldig token.", "Authenticate with a valid token.")
		}
		a, err := s.tokens.authenticate(r.Context(), auth[len(prefix):], s.db.Authenticate)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="kluis", error="invalid_token"`)
			return err
		}
		if !a.Allows(scope) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="kluis", error="insufficient_scope", scope="`+scope+`"`)
			return kluis.Errorf(kluis.EForbidden, "Dit token mag dit niet; daarvoor is de scope "+scope+" nodig.",
				"This token may not do this; it needs the scope "+scope+".")
		}
		r = r.WithContext(context.WithValue(r.Context(), actorKey{}, a))
		// Processing a restricted candidate anyway (art. 18(2)) travels
		// with the one call it is given for (api_restrictions.go).
		ctx, err := withOverrideHeaders(r)
		if err != nil {
			return err
		}
		return h(w, r.WithContext(ctx))
	}
}

// routeScope is the token scope an API route needs: the kind of record its
// path names, read for GET and write for the rest; "" for routes every
// token may use (the agency's branches).
func routeScope(rt route) string {
	switch rt.method + " " + rt.pattern {
	case "POST /api/v1/candidates/search", "POST /api/v1/candidates/{id}/reveal":
		return "candidates:read"
	case "POST /api/v1/documents/{id}/disclosures":
		return "disclosures:write"
	case "GET /api/v1/candidates/{id}/documents-archive":
		// The files themselves: the scope of documents.
		return "documents:read"
	case "GET /api/v1/branches":
		return ""
	case "GET /api/v1/privacy-statements/not-informed":
		// A list of candidates.
		return "candidates:read"
	}
	rest := strings.TrimPrefix(rt.pattern, "/api/v1/")
	kind, _, _ := strings.Cut(rest, "/")
	switch kind {
	case "client-contacts":
		kind = "clients"
	case "payroll-records":
		kind = "payroll"
	case "field-access", "sso":
		kind = "settings"
	case "audit-log", "reports":
		// The reports are the privacy officer's accountability, like the log.
		kind = "audit"
	case "privacy-statements":
		// The statement is the agency's own text, like its settings.
		kind = "settings"
	case "privacy-statement-sends", "outbox":
		// Sending it e-mails candidates and records it in their history;
		// the e-mail that failed is e-mail to candidates.
		kind = "candidates"
	case "retention", "cleanup", "erasures":
		// The clean-up and its proof concern candidates' data.
		kind = "candidates"
	case "holds", "consents", "requests", "restrictions":
		// Legal holds, consents and requests belong to the candidate.
		kind = "candidates"
	}
	if rt.method == "GET" {
		return kind + ":read"
	}
	return kind + ":write"
}

// loggedPath is the path a log line names: a path that carries a secret
// (the token of a candidate's personal link) is logged as its pattern.
func loggedPath(r *http.Request) string {
	if strings.Contains(r.Pattern, "{token}") {
		return r.Pattern
	}
	return r.URL.Path
}
