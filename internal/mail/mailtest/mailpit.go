// Package mailtest runs mailpit (github.com/axllent/mailpit), a real SMTP
// server that keeps what it receives, for tests of kluis's e-mail, and
// reads the received messages back through its HTTP API.
package mailtest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"go/build"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Install is the command that installs the mailpit these tests expect.
const Install = "go install github.com/axllent/mailpit@v1.33.1"

// Binary finds the mailpit executable on PATH or in GOPATH/bin.
func Binary() (string, bool) {
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p, true
	}
	for _, dir := range filepath.SplitList(build.Default.GOPATH) {
		p := filepath.Join(dir, "bin", "mailpit")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}

// Server is a running mailpit.
type Server struct {
	Host     string // 127.0.0.1
	SMTPPort int
	API      string // http://127.0.0.1:PORT
	t        testing.TB
}

// Start runs mailpit on free loopback ports with a database in a temporary
// directory, waits until its SMTP port and HTTP API answer, and stops it
// when the test ends. args are added to mailpit's command line (TLS, auth).
// Without mailpit the test is skipped, saying how to install it; under
// CI=true it fails instead.
func Start(t testing.TB, args ...string) *Server {
	t.Helper()
	bin, ok := Binary()
	if !ok {
		if os.Getenv("CI") == "true" {
			t.Fatalf("mailpit not found (CI=true, so this is a failure): %s", Install)
		}
		t.Skipf("mailpit not found: %s", Install)
	}
	// A free port may be taken by another test between our look and
	// mailpit's bind: then mailpit is started again on other ports.
	for attempt := 1; ; attempt++ {
		s, out, err := start(t, bin, args)
		if err == nil {
			return s
		}
		if attempt < 5 && strings.Contains(out, "address already in use") {
			continue
		}
		t.Fatalf("%v:\n%s", err, out)
	}
}

// start starts mailpit once and waits until it answers; it reports what
// went wrong, with mailpit's output.
func start(t testing.TB, bin string, args []string) (*Server, string, error) {
	t.Helper()
	smtpPort, httpPort := freePort(t), freePort(t)
	s := &Server{Host: "127.0.0.1", SMTPPort: smtpPort, API: "http://127.0.0.1:" + strconv.Itoa(httpPort), t: t}
	cmdArgs := append([]string{
		"--smtp", "127.0.0.1:" + strconv.Itoa(smtpPort),
		"--listen", "127.0.0.1:" + strconv.Itoa(httpPort),
		"--database", filepath.Join(t.TempDir(), "mailpit.db"),
		"--disable-version-check",
		"--smtp-disable-rdns",
		"--quiet",
	}, args...)
	cmd := exec.Command(bin, cmdArgs...)
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start mailpit: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})

	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case <-exited:
			return nil, out.String(), errors.New("mailpit exited before it was ready")
		default:
		}
		if s.ready() {
			return s, "", nil
		}
		if time.Now().After(deadline) {
			return nil, out.String(), errors.New("mailpit did not answer within 20 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *Server) ready() bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort(s.Host, strconv.Itoa(s.SMTPPort)), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	res, err := http.Get(s.API + "/api/v1/messages")
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Address is a sender or recipient as mailpit reports it.
type Address struct {
	Name    string
	Address string
}

// Summary is a message in mailpit's list.
type Summary struct {
	ID        string // mailpit's own id
	MessageID string // the Message-ID header, without angle brackets
	From      Address
	To        []Address
	Subject   string
}

// Message is one received message with its bodies.
type Message struct {
	ID        string
	MessageID string
	From      Address
	To        []Address
	Subject   string
	Text      string
	HTML      string
	Username  string // the SMTP AUTH user name, if any
}

// Messages lists the received messages, newest first.
func (s *Server) Messages() []Summary {
	s.t.Helper()
	var list struct{ Messages []Summary }
	s.get("/api/v1/messages", &list)
	return list.Messages
}

// AllMessages lists every received message, newest first, page by page
// (Messages gives mailpit's first page only).
func (s *Server) AllMessages() []Summary {
	s.t.Helper()
	var all []Summary
	for {
		var list struct {
			Messages []Summary
			Total    int `json:"messages_count"`
		}
		s.get(fmt.Sprintf("/api/v1/messages?start=%d&limit=500", len(all)), &list)
		all = append(all, list.Messages...)
		if len(list.Messages) == 0 || len(all) >= list.Total {
			return all
		}
	}
}

// WaitMessage waits (a few seconds at most) for a message with the given
// Message-ID (with or without angle brackets) and returns it.
func (s *Server) WaitMessage(messageID string) Message {
	s.t.Helper()
	if len(messageID) > 1 && messageID[0] == '<' && messageID[len(messageID)-1] == '>' {
		messageID = messageID[1 : len(messageID)-1]
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		for _, m := range s.Messages() {
			if m.MessageID == messageID {
				var full Message
				s.get("/api/v1/message/"+m.ID, &full)
				return full
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("mailpit has no message with Message-ID %q (it has %d)", messageID, len(s.Messages()))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Headers returns the headers of the message with mailpit id id.
func (s *Server) Headers(id string) map[string][]string {
	s.t.Helper()
	var h map[string][]string
	s.get("/api/v1/message/"+id+"/headers", &h)
	return h
}

// Raw returns the message with mailpit id id as it was received.
func (s *Server) Raw(id string) string {
	s.t.Helper()
	return string(s.fetch("/api/v1/message/" + id + "/raw"))
}

func (s *Server) get(path string, v any) {
	s.t.Helper()
	b := s.fetch(path)
	if err := json.Unmarshal(b, v); err != nil {
		s.t.Fatalf("mailpit %s: %v: %s", path, err, b)
	}
}

func (s *Server) fetch(path string) []byte {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.API+path, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("mailpit %s: %v", path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		s.t.Fatalf("mailpit %s: %s: %s", path, res.Status, b)
	}
	return b
}

// Cert writes a self-signed certificate for 127.0.0.1 and localhost to a
// temporary directory, for mailpit's --smtp-tls-cert and --smtp-tls-key,
// and returns a pool that trusts it.
func Cert(t testing.TB) (certFile, keyFile string, roots *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "kluis mail test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	write := func(name, typ string, b []byte) {
		if err := os.WriteFile(name, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(certFile, "CERTIFICATE", der)
	write(keyFile, "PRIVATE KEY", keyDER)
	roots = x509.NewCertPool()
	roots.AddCert(cert)
	return certFile, keyFile, roots
}

// AuthFile writes a mailpit password file with one user, for
// --smtp-auth-file.
func AuthFile(t testing.TB, user, password string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "smtp-users")
	if err := os.WriteFile(name, []byte(fmt.Sprintf("%s:%s\n", user, password)), 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

// lockedBuffer collects mailpit's output from its goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
