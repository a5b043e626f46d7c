// Package oidctest is an OpenID Connect provider for tests, on a loopback
// port: the discovery document, a key set with an RSA key made at start, an
// authorization endpoint that signs the next user in at once and sends the
// browser back with a code, and a token endpoint that checks the client,
// the code and its PKCE verifier and answers with a signed ID token. What
// the next user is, and what is wrong with their token, a test sets with
// Next.
package oidctest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Identity is who the provider signs in at the next authorization, and
// how their ID token is made. The zero values make a good token.
type Identity struct {
	Subject       string
	Email         string
	EmailVerified bool
	AMR           []string // the authentication methods (RFC 8176); nil leaves the claim out
	// NoEmailVerified leaves email_verified out, as Microsoft Entra ID does
	// for work accounts; DomainOwnerVerified then sends Entra's xms_edov.
	NoEmailVerified     bool
	DomainOwnerVerified bool

	// Deny answers the authorization with error=access_denied.
	Deny bool
	// Audience replaces the client id as the token's audience.
	Audience string
	// Nonce replaces the nonce the client asked for.
	Nonce string
	// Issuer replaces the provider's own issuer.
	Issuer string
	// Lifetime is how long the token is valid from the provider's now (5
	// minutes when 0); negative makes a token that expired already.
	Lifetime time.Duration
	// SignWith signs the token with another key than the published one.
	SignWith *rsa.PrivateKey
}

// Provider is a running test provider.
type Provider struct {
	URL          string // the issuer: http://127.0.0.1:port
	ClientID     string
	ClientSecret string

	now func() time.Time
	srv *httptest.Server
	key *rsa.PrivateKey

	mu        sync.Mutex
	next      Identity
	grants    map[string]grant
	exchanges int
}

// grant is an authorization code not yet redeemed.
type grant struct {
	who                          Identity
	nonce, challenge, redirectTo string
}

const keyID = "oidctest-1"

// New starts a provider for one client on 127.0.0.1. now is its clock (the
// clock of the server under test). Close stops it.
func New(clientID, clientSecret string, now func() time.Time) (*Provider, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	p := &Provider{ClientID: clientID, ClientSecret: clientSecret, now: now, key: key, grants: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.srv = httptest.NewServer(mux)
	p.URL = p.srv.URL
	return p, nil
}

// Close stops the provider.
func (p *Provider) Close() { p.srv.Close() }

// Next sets who signs in at the next authorizations.
func (p *Provider) Next(id Identity) {
	p.mu.Lock()
	p.next = id
	p.mu.Unlock()
}

// Exchanges counts the codes redeemed at the token endpoint.
func (p *Provider) Exchanges() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exchanges
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.URL,
		"authorization_endpoint":                p.URL + "/authorize",
		"token_endpoint":                        p.URL + "/token",
		"jwks_uri":                              p.URL + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	pub := p.key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": keyID,
		"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

// authorize signs the next identity in and sends the browser back to the
// client with a code, as a provider does after its log-in page.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirectTo := q.Get("redirect_uri")
	switch {
	case q.Get("client_id") != p.ClientID:
		http.Error(w, "unknown client", http.StatusBadRequest)
		return
	case q.Get("response_type") != "code":
		http.Error(w, "response_type must be code", http.StatusBadRequest)
		return
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		http.Error(w, "scope must hold openid", http.StatusBadRequest)
		return
	case q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		http.Error(w, "PKCE with S256 is required", http.StatusBadRequest)
		return
	case q.Get("state") == "" || q.Get("nonce") == "":
		http.Error(w, "state and nonce are required", http.StatusBadRequest)
		return
	}
	back, err := url.Parse(redirectTo)
	if err != nil || back.Host == "" {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	who := p.next
	p.mu.Unlock()
	answer := url.Values{"state": {q.Get("state")}}
	if who.Deny {
		answer.Set("error", "access_denied")
	} else {
		code := random()
		p.mu.Lock()
		p.grants[code] = grant{who: who, nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirectTo: redirectTo}
		p.mu.Unlock()
		answer.Set("code", code)
	}
	back.RawQuery = answer.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// token redeems a code, once, for the client that asked for it, with the
// verifier of its PKCE challenge.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != p.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.ClientSecret)) != 1 {
		tokenError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	code := r.PostForm.Get("code")
	p.mu.Lock()
	g, ok := p.grants[code]
	delete(p.grants, code)
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if !ok || g.redirectTo != r.PostForm.Get("redirect_uri") || b64(sum[:]) != g.challenge {
		tokenError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	idToken, err := p.idToken(g)
	if err != nil {
		tokenError(w, http.StatusInternalServerError, "server_error")
		return
	}
	p.mu.Lock()
	p.exchanges++
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": random(), "token_type": "Bearer", "expires_in": 3600, "id_token": idToken})
}

// idToken makes and signs the ID token of a grant (RS256).
func (p *Provider) idToken(g grant) (string, error) {
	who := g.who
	now := p.now()
	life := who.Lifetime
	if life == 0 {
		life = 5 * time.Minute
	}
	claims := map[string]any{
		"iss": p.URL, "aud": p.ClientID, "sub": who.Subject, "nonce": g.nonce,
		"iat": now.Add(-time.Second).Unix(), "exp": now.Add(life).Unix(),
		"email": who.Email, "email_verified": who.EmailVerified,
	}
	if claims["sub"] == "" {
		claims["sub"] = "subject-" + b64([]byte(who.Email))
	}
	if who.Audience != "" {
		claims["aud"] = who.Audience
	}
	if who.Nonce != "" {
		claims["nonce"] = who.Nonce
	}
	if who.Issuer != "" {
		claims["iss"] = who.Issuer
	}
	if who.AMR != nil {
		claims["amr"] = who.AMR
	}
	if who.NoEmailVerified {
		delete(claims, "email_verified")
	}
	if who.DomainOwnerVerified {
		claims["xms_edov"] = true
	}
	key := p.key
	if who.SignWith != nil {
		key = who.SignWith
	}
	return Sign(key, keyID, claims)
}

// Sign makes a JWT of claims signed with key (RS256) under key id kid.
func Sign(key *rsa.PrivateKey, kid string, claims map[string]any) (string, error) {
	header, err := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": kid})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signed := b64(header) + "." + b64(payload)
	digest := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		return "", err
	}
	return signed + "." + b64(sig), nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func random() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return b64(b[:])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func tokenError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]string{"error": code})
}
