package mail

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/mail/mailtest"
)

func good() Config {
	return Config{Host: "smtp.bureau.example.nl", Port: 587, Username: "kluis", Password: "s3cr3t-Wachtwoord!",
		From: "privacy@bureau.example.nl", TLS: "starttls"}
}

// fields returns the field names of a kluis.EInvalid error.
func fields(t *testing.T, err error) []string {
	t.Helper()
	var e *kluis.Error
	if !errors.As(err, &e) || e.Code != kluis.EInvalid {
		t.Fatalf("want an invalid-input error, got %v", err)
	}
	var fs []string
	for f, m := range e.Fields {
		if m.NL == "" || m.EN == "" {
			t.Errorf("field %s: message not in both languages: %+v", f, m)
		}
		fs = append(fs, f)
	}
	return fs
}

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(c *Config)
		field string // "" for valid
	}{
		{"good", func(c *Config) {}, ""},
		{"tls empty means starttls", func(c *Config) { c.TLS = "" }, ""},
		{"implicit tls", func(c *Config) { c.TLS = "tls"; c.Port = 465 }, ""},
		{"no auth", func(c *Config) { c.Username, c.Password = "", "" }, ""},
		{"ip host", func(c *Config) { c.Host = "192.0.2.10" }, ""},
		{"none on localhost", func(c *Config) { c.TLS, c.Host = "none", "localhost" }, ""},
		{"none on 127.0.0.1", func(c *Config) { c.TLS, c.Host = "none", "127.0.0.1" }, ""},
		{"none on ::1", func(c *Config) { c.TLS, c.Host = "none", "::1" }, ""},
		{"no host", func(c *Config) { c.Host = "" }, "host"},
		{"host with port", func(c *Config) { c.Host = "smtp.example.nl:587" }, "host"},
		{"host with scheme", func(c *Config) { c.Host = "smtp://smtp.example.nl" }, "host"},
		{"host with space", func(c *Config) { c.Host = "smtp example.nl" }, "host"},
		{"port 0", func(c *Config) { c.Port = 0 }, "port"},
		{"port too high", func(c *Config) { c.Port = 65536 }, "port"},
		{"negative port", func(c *Config) { c.Port = -25 }, "port"},
		{"no from", func(c *Config) { c.From = "" }, "from"},
		{"from not an address", func(c *Config) { c.From = "privacy" }, "from"},
		{"from with display name", func(c *Config) { c.From = "Privacy <privacy@bureau.example.nl>" }, "from"},
		{"from with header injection", func(c *Config) { c.From = "privacy@bureau.example.nl\r\nBcc: x@example.org" }, "from"},
		{"unknown tls", func(c *Config) { c.TLS = "ssl" }, "tls"},
		{"tls upper case", func(c *Config) { c.TLS = "STARTTLS" }, "tls"},
		{"none on a real host", func(c *Config) { c.TLS = "none" }, "tls"},
		{"none on a private ip", func(c *Config) { c.TLS, c.Host = "none", "10.0.0.5" }, "tls"},
		{"none on localhost lookalike", func(c *Config) { c.TLS, c.Host = "none", "localhost.example.nl" }, "tls"},
		{"password without user", func(c *Config) { c.Username = "" }, "username"},
		{"user without password", func(c *Config) { c.Password = "" }, "password"},
		{"password with newline", func(c *Config) { c.Password = "a\nb" }, "password"},
		{"bad hello name", func(c *Config) { c.HelloName = "bad name" }, "hello_name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := good()
			tc.edit(&c)
			err := c.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			fs := fields(t, err)
			if len(fs) != 1 || fs[0] != tc.field {
				t.Fatalf("want a problem with %s, got %v (%v)", tc.field, fs, err)
			}
		})
	}
}

func TestConfigValidateReportsEverything(t *testing.T) {
	err := Config{Port: 0, From: "nope", TLS: "ssl"}.Validate()
	fs := strings.Join(sortStrings(fields(t, err)), ",")
	if fs != "from,host,port,tls" {
		t.Fatalf("fields %s, want from,host,port,tls", fs)
	}
	if _, err := NewSender(Config{}); err == nil {
		t.Fatal("NewSender accepted an empty configuration")
	}
}

func sortStrings(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

func TestMessageValidate(t *testing.T) {
	ok := Message{To: "jan@example.nl", Subject: "Privacyverklaring — versie 2", Text: "Beste Zoë"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		edit  func(m *Message)
		field string
	}{
		{"no recipient", func(m *Message) { m.To = "" }, "to"},
		{"two recipients", func(m *Message) { m.To = "a@example.nl, b@example.nl" }, "to"},
		{"recipient with name", func(m *Message) { m.To = "Jan <jan@example.nl>" }, "to"},
		{"recipient with injection", func(m *Message) { m.To = "jan@example.nl\nBcc: x@example.org" }, "to"},
		{"subject with CRLF header injection", func(m *Message) { m.Subject = "Hallo\r\nBcc: x@example.org" }, "subject"},
		{"subject with LF", func(m *Message) { m.Subject = "Hallo\nBcc: x@example.org" }, "subject"},
		{"subject with CR", func(m *Message) { m.Subject = "Hallo\rBcc: x@example.org" }, "subject"},
		{"subject with NUL", func(m *Message) { m.Subject = "Hallo\x00" }, "subject"},
		{"subject not utf-8", func(m *Message) { m.Subject = "caf\xe9" }, "subject"},
		{"empty subject", func(m *Message) { m.Subject = " " }, "subject"},
		{"long subject", func(m *Message) { m.Subject = strings.Repeat("é", 251) }, "subject"},
		{"no text", func(m *Message) { m.Text = "" }, "text"},
		{"text not utf-8", func(m *Message) { m.Text = "caf\xe9" }, "text"},
		{"html not utf-8", func(m *Message) { m.HTML = "<p>caf\xe9</p>" }, "html"},
		{"message id with a space", func(m *Message) { m.MessageID = "<a b@example.nl>" }, "message_id"},
		{"message id with header injection", func(m *Message) { m.MessageID = "a@example.nl>\r\nBcc: x@example.org" }, "message_id"},
		{"message id with two @", func(m *Message) { m.MessageID = "a@b@example.nl" }, "message_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := ok
			tc.edit(&m)
			fs := fields(t, m.Validate())
			if len(fs) != 1 || fs[0] != tc.field {
				t.Fatalf("want a problem with %s, got %v", tc.field, fs)
			}
		})
	}
}

func TestSendRefusesHeaderInjectionWithoutConnecting(t *testing.T) {
	// Port 9 on loopback: nothing listens; the message must be refused first.
	s, err := NewSender(Config{Host: "127.0.0.1", Port: 9, From: "privacy@bureau.example.nl", TLS: "none"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Send(context.Background(), Message{To: "jan@example.nl", Subject: "Hallo\r\nBcc: spam@example.org", Text: "x"})
	if kluis.ErrorCode(err) != kluis.EInvalid {
		t.Fatalf("want the subject refused as invalid input, got %v", err)
	}
}

func TestConfigRedactsPassword(t *testing.T) {
	c := good()
	for _, s := range []string{
		c.String(), c.GoString(),
		fmt.Sprint(c), fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%q", c),
		fmt.Sprint(&c), fmt.Sprintf("%+v", []Config{c}), fmt.Sprintf("%#v", struct{ C Config }{c}),
	} {
		if strings.Contains(s, c.Password) {
			t.Errorf("password printed: %s", s)
		}
		if !strings.Contains(s, "smtp.bureau.example.nl") || !strings.Contains(s, "[redacted]") {
			t.Errorf("want host and [redacted] in %s", s)
		}
	}
}

func TestErrorNeverShowsPassword(t *testing.T) {
	const pw = "hunter2-Geheim"
	s := &Sender{cfg: Config{Password: pw}}
	err := s.wrap("send", fmt.Errorf("server said: bad credentials for %s", pw))
	for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		if strings.Contains(text, pw) || !strings.Contains(text, "[redacted]") {
			t.Fatalf("password not redacted: %q", text)
		}
	}
}

// mailpitSender returns a Sender to srv without encryption (mailpit on loopback).
func mailpitSender(t *testing.T, srv *mailtest.Server, user, password string) *Sender {
	t.Helper()
	s, err := NewSender(Config{Host: srv.Host, Port: srv.SMTPPort, Username: user, Password: password,
		From: "privacy@bureau.example.nl", TLS: "none", HelloName: "kluis.test"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func checkDelivered(t *testing.T, srv *mailtest.Server, id string, m Message) mailtest.Message {
	t.Helper()
	if !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@bureau.example.nl>") {
		t.Fatalf("Message-ID %q: want <…@bureau.example.nl>", id)
	}
	got := srv.WaitMessage(id)
	if got.From.Address != "privacy@bureau.example.nl" {
		t.Errorf("From %+v", got.From)
	}
	if len(got.To) != 1 || got.To[0].Address != m.To {
		t.Errorf("To %+v, want %s", got.To, m.To)
	}
	if got.Subject != m.Subject {
		t.Errorf("Subject %q, want %q", got.Subject, m.Subject)
	}
	if strings.TrimRight(strings.ReplaceAll(got.Text, "\r\n", "\n"), "\n") != strings.TrimRight(m.Text, "\n") {
		t.Errorf("Text %q, want %q", got.Text, m.Text)
	}
	h := srv.Headers(got.ID)
	if v := h["Auto-Submitted"]; len(v) != 1 || v[0] != "auto-generated" {
		t.Errorf("Auto-Submitted %q", v)
	}
	if v := h["Date"]; len(v) != 1 {
		t.Errorf("Date %q", v)
	} else if d, err := time.Parse(time.RFC1123Z, v[0]); err != nil || time.Since(d).Abs() > time.Minute {
		t.Errorf("Date %q: %v", v[0], err)
	}
	if v := h["Message-Id"]; len(v) != 1 || v[0] != id {
		t.Errorf("Message-Id header %q, want %q", v, id)
	}
	if raw := srv.Raw(got.ID); strings.Contains(raw, "go-mail") {
		t.Errorf("the message advertises the mail library:\n%s", raw)
	}
	return got
}

func TestSendThroughMailpit(t *testing.T) {
	srv := mailtest.Start(t, "--smtp-auth-accept-any", "--smtp-auth-allow-insecure")
	s := mailpitSender(t, srv, "kluis", "any-password")
	m := Message{
		To:      "zoe.de.vries@example.nl",
		Subject: "Privacyverklaring — versie 2",
		Text:    "Beste Zoë,\n\nDe privacyverklaring van ons bureau is gewijzigd; lees hem op ons café-scherm.\nMet vriendelijke groet, het privacyteam\n",
		HTML:    "<p>Beste Zoë,</p><p>De privacyverklaring is gewijzigd.</p>",
	}
	id, err := s.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	got := checkDelivered(t, srv, id, m)
	if !strings.Contains(got.HTML, "Beste Zoë") {
		t.Errorf("HTML %q", got.HTML)
	}
	if got.Username != "kluis" {
		t.Errorf("SMTP AUTH user %q, want kluis", got.Username)
	}

	// A second message gets another Message-ID.
	id2, err := s.Send(context.Background(), Message{To: "jan@example.nl", Subject: "Tweede", Text: "ë"})
	if err != nil {
		t.Fatal(err)
	}
	if id2 == id {
		t.Fatalf("Message-ID reused: %s", id)
	}
	srv.WaitMessage(id2)
}

// TestAFixedMessageIDIsSentAsIs: a message sent twice with the same fixed
// Message-ID arrives twice with that id, so that the receiver can tell
// it is one message; an id without a domain gets the sender's.
func TestAFixedMessageIDIsSentAsIs(t *testing.T) {
	srv := mailtest.Start(t)
	s := mailpitSender(t, srv, "", "")
	m := Message{To: "jan@example.nl", Subject: "Herinnering", Text: "Tekst", MessageID: "<outbox.1.2.abc@bureau.example.nl>"}
	for range 2 {
		id, err := s.Send(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		if id != "<outbox.1.2.abc@bureau.example.nl>" {
			t.Fatalf("Send returned Message-ID %s", id)
		}
	}
	srv.WaitMessage("outbox.1.2.abc@bureau.example.nl")
	n := 0
	for _, got := range srv.Messages() {
		if got.MessageID == "outbox.1.2.abc@bureau.example.nl" {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d deliveries with the fixed Message-ID, want 2", n)
	}
	m.MessageID = "outbox.1.3.def"
	id, err := s.Send(context.Background(), m)
	if err != nil || id != "<outbox.1.3.def@bureau.example.nl>" {
		t.Fatalf("an id without a domain: %s %v", id, err)
	}
	srv.WaitMessage(id)
}

func TestSendSTARTTLS(t *testing.T) {
	cert, key, roots := mailtest.Cert(t)
	srv := mailtest.Start(t, "--smtp-tls-cert", cert, "--smtp-tls-key", key, "--smtp-require-starttls",
		"--smtp-auth-file", mailtest.AuthFile(t, "kluis", "juist-Wachtwoord"))
	s, err := NewSender(Config{Host: srv.Host, Port: srv.SMTPPort, Username: "kluis", Password: "juist-Wachtwoord",
		From: "privacy@bureau.example.nl"}) // TLS empty: starttls
	if err != nil {
		t.Fatal(err)
	}

	// Without trusting the test CA the certificate is refused.
	if _, err := s.Send(context.Background(), Message{To: "jan@example.nl", Subject: "x", Text: "x"}); err == nil ||
		!strings.Contains(err.Error(), "certificate") {
		t.Fatalf("want a certificate error, got %v", err)
	}

	s.rootCAs = roots
	m := Message{To: "jan@example.nl", Subject: "Toestemming gevraagd — één klik", Text: "Geachte heer Ëlbers,\nwilt u toestemming geven?"}
	id, err := s.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, srv, id, m)
}

func TestSendImplicitTLS(t *testing.T) {
	cert, key, roots := mailtest.Cert(t)
	srv := mailtest.Start(t, "--smtp-tls-cert", cert, "--smtp-tls-key", key, "--smtp-require-tls",
		"--smtp-auth-accept-any")
	s, err := NewSender(Config{Host: srv.Host, Port: srv.SMTPPort, Username: "kluis", Password: "pw",
		From: "privacy@bureau.example.nl", TLS: "tls"})
	if err != nil {
		t.Fatal(err)
	}
	s.rootCAs = roots
	m := Message{To: "jan@example.nl", Subject: "Kennisgeving", Text: "Uw gegevens zijn verstrekt aan de loonadministratie."}
	id, err := s.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, srv, id, m)
}

func TestSTARTTLSRequired(t *testing.T) {
	// A server on loopback that does not offer STARTTLS: "starttls" must not
	// fall back to plain text.
	srv := mailtest.Start(t)
	s, err := NewSender(Config{Host: srv.Host, Port: srv.SMTPPort, From: "privacy@bureau.example.nl", TLS: "starttls"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Send(context.Background(), Message{To: "jan@example.nl", Subject: "x", Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("want a STARTTLS error, got %v", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("mailpit received %d messages without TLS", n)
	}
}

func TestWrongPasswordIsNotInTheError(t *testing.T) {
	srv := mailtest.Start(t, "--smtp-auth-file", mailtest.AuthFile(t, "kluis", "juist-Wachtwoord"), "--smtp-auth-allow-insecure")
	const wrong = "fout-Wachtwoord-7361"
	s := mailpitSender(t, srv, "kluis", wrong)
	_, err := s.Send(context.Background(), Message{To: "jan@example.nl", Subject: "x", Text: "x"})
	if err == nil {
		t.Fatal("sent with a wrong password")
	}
	for _, text := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		if strings.Contains(text, wrong) {
			t.Fatalf("the password is in the error: %s", text)
		}
	}
	if !strings.Contains(strings.ToLower(err.Error()), "auth") {
		t.Errorf("want the error to say authentication failed: %v", err)
	}
	t.Logf("error: %v", err)

	// The right password works.
	s = mailpitSender(t, srv, "kluis", "juist-Wachtwoord")
	if _, err := s.Send(context.Background(), Message{To: "jan@example.nl", Subject: "x", Text: "x"}); err != nil {
		t.Fatal(err)
	}
}

func TestSendGivesUpWhenTheContextEnds(t *testing.T) {
	// A server that accepts the connection and then says nothing: Send must
	// return when the context ends, not hang on the greeting.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	s, err := NewSender(Config{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, From: "privacy@bureau.example.nl", TLS: "none"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = s.Send(ctx, Message{To: "jan@example.nl", Subject: "x", Text: "x"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want context.DeadlineExceeded, got %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Send took %v after its context ended", d)
	}

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Send(cancelled, Message{To: "jan@example.nl", Subject: "x", Text: "x"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}
