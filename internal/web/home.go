package web

import (
	"html/template"
	"net/http"
)

// homePage is what a browser sees at the root until the staff UI lands:
// where the API and its description are. It holds no data.
var homePage = template.Must(template.New("home").Parse(`<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>kluis</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
code{background:#f2f2f2;padding:.1rem .3rem;border-radius:3px}a{color:#0b5394}</style></head>
<body><h1>kluis</h1>
<p>Kluis draait. Medewerkers en koppelingen werken via de REST-API onder <code>/api/v1</code>,
met een token van <code>kluis token create</code>.</p>
<p><a href="/api/v1/openapi.json">Beschrijving van de API (OpenAPI 3.1)</a> ·
<a href="/readyz">Status</a></p>
<p lang="en"><small>Kluis is running. Staff and integrations use the REST API under <code>/api/v1</code>
with a token from <code>kluis token create</code>.</small></p>
</body></html>`))

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	return homePage.Execute(w, nil)
}
