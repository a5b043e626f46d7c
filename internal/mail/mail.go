// Package mail sends kluis's e-mail through the agency's SMTP server.
//
// Every message is sent over a fresh connection that is encrypted
// (STARTTLS or implicit TLS) unless the server is a test server on this
// machine. The password never appears in an error, a log line or the
// printed configuration.
package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	gomail "github.com/wneessen/go-mail"

	"kluis/internal/kluis"
)

// The TLS modes of Config.TLS.
const (
	TLSStartTLS = "starttls" // STARTTLS on the submission port (587), required
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // no encryption: only for test servers on this machine
)

// Timeouts of one Send: connecting (TCP and, for implicit TLS, the
// handshake), and everything from dialling to the server's last reply.
const (
	DialTimeout = 10 * time.Second
	SendTimeout = 30 * time.Second
)

// Limits on a message.
const (
	maxSubject = 250     // characters
	maxBody    = 1 << 20 // bytes, text and HTML each
)

// Config is the SMTP server kluis sends through.
type Config struct {
	Host      string
	Port      int
	Username  string // empty: no SMTP AUTH
	Password  string // read from a file, never a flag value; never printed
	From      string // the envelope and header sender, a plain address
	TLS       string // "starttls" (default when empty), "tls" or "none" (loopback only)
	HelloName string // the name in EHLO; empty: this machine's host name
}

// String describes the configuration without the password.
func (c Config) String() string {
	pw := ""
	if c.Password != "" {
		pw = "[redacted]"
	}
	user := ""
	if c.Username != "" {
		user = c.Username + "@"
	}
	return fmt.Sprintf("smtp://%s%s (tls=%s, from=%s, password=%s, helo=%s)",
		user, net.JoinHostPort(c.Host, strconv.Itoa(c.Port)), c.tlsMode(), c.From, pw, c.HelloName)
}

// GoString is String, so that %#v does not print the password either.
func (c Config) GoString() string { return "mail.Config{" + c.String() + "}" }

func (c Config) tlsMode() string {
	if c.TLS == "" {
		return TLSStartTLS
	}
	return c.TLS
}

// Validate reports every problem with the configuration at once, as a
// kluis.EInvalid error with a bilingual message per field.
func (c Config) Validate() error {
	p := kluis.Problems{}
	host := strings.TrimSpace(c.Host)
	switch {
	case host == "":
		p.Add("host", "Vul de SMTP-server in.", "Give the SMTP server's host name.")
	case !validHost(host):
		p.Add("host", "Geen geldige servernaam; geef alleen de naam of het IP-adres, zonder poort of protocol.",
			"Not a valid host name; give only the name or IP address, without port or scheme.")
	}
	if c.Port < 1 || c.Port > 65535 {
		p.Add("port", "De poort moet tussen 1 en 65535 liggen.", "The port must be between 1 and 65535.")
	}
	if c.From == "" {
		p.Add("from", "Vul het afzenderadres in.", "Give the sender address.")
	} else if _, ok := kluis.NormalizeEmail(c.From); !ok {
		p.Add("from", "Geen geldig afzenderadres; gebruik een kaal adres zoals privacy@bureau.nl.",
			"Not a valid sender address; use a plain address such as privacy@agency.nl.")
	}
	switch c.tlsMode() {
	case TLSStartTLS, TLSImplicit:
	case TLSNone:
		if host != "" && !isLoopback(host) {
			p.Add("tls", "Onversleuteld verzenden (none) mag alleen naar een testserver op deze machine (localhost, 127.0.0.1); gebruik starttls of tls.",
				"Sending unencrypted (none) is only allowed to a test server on this machine (localhost, 127.0.0.1); use starttls or tls.")
		}
	default:
		p.Add("tls", "Kies starttls, tls of none.", "Choose starttls, tls or none.")
	}
	if c.Password != "" && c.Username == "" {
		p.Add("username", "Een wachtwoord zonder gebruikersnaam: vul de gebruikersnaam in.",
			"A password without a user name: give the user name.")
	}
	if c.Username != "" && c.Password == "" {
		p.Add("password", "Een gebruikersnaam zonder wachtwoord: geef het wachtwoordbestand.",
			"A user name without a password: give the password file.")
	}
	if s, ok := kluis.CleanLine(c.Username, 254); !ok || s != c.Username {
		p.Add("username", "De gebruikersnaam mag geen spaties aan het begin of eind, regeleinden of stuurtekens bevatten.",
			"The user name must not have leading or trailing spaces, line breaks or control characters.")
	}
	if strings.ContainsAny(c.Password, "\r\n\x00") {
		p.Add("password", "Het wachtwoord bevat een regeleinde of nulteken.", "The password contains a line break or NUL character.")
	}
	if c.HelloName != "" && !validHost(c.HelloName) {
		p.Add("hello_name", "Geen geldige naam voor EHLO.", "Not a valid name for EHLO.")
	}
	return p.Err()
}

// validHost accepts an IP address or a DNS name.
func validHost(h string) bool {
	if net.ParseIP(h) != nil {
		return true
	}
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

func isLoopback(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// Message is one e-mail to one recipient.
type Message struct {
	To      string // a single plain address
	Subject string // one line
	Text    string // the plain-text body, UTF-8
	HTML    string // optional HTML alternative, UTF-8
	// MessageID, when set, is the message's Message-ID ("left@right",
	// with or without angle brackets) instead of a random one: a message
	// sent again carries the same id, so that the receiving side can tell
	// it is the same message. Without "@" it is the left part only, and
	// the domain of the sender address is added.
	MessageID string
}

// Validate checks the message; it refuses line breaks in the subject, so
// that nobody can add headers through it.
func (m Message) Validate() error {
	p := kluis.Problems{}
	if m.To == "" {
		p.Add("to", "Vul de ontvanger in.", "Give the recipient.")
	} else if _, ok := kluis.NormalizeEmail(m.To); !ok {
		p.Add("to", "Geen geldig e-mailadres; geef één kaal adres.", "Not a valid e-mail address; give one plain address.")
	}
	switch {
	case strings.ContainsAny(m.Subject, "\r\n"):
		p.Add("subject", "Het onderwerp mag geen regeleinde bevatten.", "The subject must not contain a line break.")
	case !utf8.ValidString(m.Subject) || hasControl(m.Subject):
		p.Add("subject", "Het onderwerp bevat ongeldige tekens.", "The subject contains invalid characters.")
	case strings.TrimSpace(m.Subject) == "":
		p.Add("subject", "Vul het onderwerp in.", "Give the subject.")
	case utf8.RuneCountInString(m.Subject) > maxSubject:
		p.Add("subject", "Het onderwerp is te lang (hooguit "+strconv.Itoa(maxSubject)+" tekens).",
			"The subject is too long (at most "+strconv.Itoa(maxSubject)+" characters).")
	}
	body("text", m.Text, true, p)
	body("html", m.HTML, false, p)
	if m.MessageID != "" && !validMessageID(strings.TrimSuffix(strings.TrimPrefix(m.MessageID, "<"), ">")) {
		p.Add("message_id", "Geen geldige Message-ID.", "Not a valid Message-ID.")
	}
	return p.Err()
}

// validMessageID accepts "left@right" or "left" of printable ASCII without
// spaces, angle brackets or quotes (RFC 5322 dot-atom text, roughly), and
// not too long for a header line.
func validMessageID(id string) bool {
	if id == "" || len(id) > 200 || strings.Count(id, "@") > 1 || strings.HasPrefix(id, "@") || strings.HasSuffix(id, "@") {
		return false
	}
	for _, r := range id {
		if r <= ' ' || r > '~' || strings.ContainsRune(`<>()[]\,;:"`, r) {
			return false
		}
	}
	return true
}

func body(field, s string, required bool, p kluis.Problems) {
	switch {
	case required && strings.TrimSpace(s) == "":
		p.Add(field, "De tekst van het bericht ontbreekt.", "The message has no text.")
	case !utf8.ValidString(s):
		p.Add(field, "De tekst is geen geldige UTF-8.", "The text is not valid UTF-8.")
	case len(s) > maxBody:
		p.Add(field, "De tekst is te lang.", "The text is too long.")
	case strings.ContainsRune(s, 0):
		p.Add(field, "De tekst bevat een nulteken.", "The text contains a NUL character.")
	}
}

func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) && r != '\t' {
			return true
		}
	}
	return false
}

// Sender sends messages through one SMTP server. It is safe for
// concurrent use; every Send opens its own connection.
type Sender struct {
	cfg  Config
	from string
	// rootCAs replaces the system's roots when set (tests with their own CA).
	rootCAs *x509.CertPool
	now     func() time.Time
}

// NewSender checks the configuration and returns a Sender for it. It does
// not connect; the first Send does.
func NewSender(c Config) (*Sender, error) {
	c.Host = strings.TrimSpace(c.Host)
	if err := c.Validate(); err != nil {
		return nil, err
	}
	from, _ := kluis.NormalizeEmail(c.From)
	c.TLS = c.tlsMode()
	return &Sender{cfg: c, from: from, now: time.Now}, nil
}

// Send delivers m to the server and returns the Message-ID it gave the
// message (with its angle brackets). It gives up after SendTimeout, or
// earlier when ctx ends. Errors never contain the password.
func (s *Sender) Send(ctx context.Context, m Message) (messageID string, err error) {
	if err := m.Validate(); err != nil {
		return "", err
	}
	to, _ := kluis.NormalizeEmail(m.To)
	id, err := s.messageID(m)
	if err != nil {
		return "", s.wrap("generate a Message-ID", err)
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent(), gomail.WithCharset(gomail.CharsetUTF8),
		gomail.WithEncoding(gomail.EncodingQP))
	if err := msg.From(s.from); err != nil {
		return "", s.wrap("set the sender", err)
	}
	if err := msg.To(to); err != nil {
		return "", s.wrap("set the recipient", err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(id)
	msg.SetDateWithValue(s.now())
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}

	ctx, cancel := context.WithTimeout(ctx, SendTimeout)
	defer cancel()
	client, stop, err := s.client(ctx)
	if err != nil {
		return "", s.wrap("set up the SMTP client", err)
	}
	defer stop()
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return "", s.wrap("send through "+net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port)), err)
	}
	return "<" + id + ">", nil
}

// client builds a go-mail client whose connection is closed when ctx ends,
// so that SendTimeout bounds the whole conversation and not only each
// command. stop releases the connection watch.
func (s *Sender) client(ctx context.Context) (*gomail.Client, func(), error) {
	tlsConfig := &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12, RootCAs: s.rootCAs}
	var (
		mu    sync.Mutex
		stops []func() bool
	)
	stop := func() {
		mu.Lock()
		defer mu.Unlock()
		for _, f := range stops {
			f()
		}
	}
	dial := func(dctx context.Context, network, addr string) (net.Conn, error) {
		d := net.Dialer{Timeout: DialTimeout}
		raw, err := d.DialContext(dctx, network, addr)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		stops = append(stops, context.AfterFunc(ctx, func() { raw.Close() }))
		mu.Unlock()
		if s.cfg.TLS != TLSImplicit {
			return raw, nil
		}
		hctx, cancel := context.WithTimeout(dctx, DialTimeout)
		defer cancel()
		conn := tls.Client(raw, tlsConfig)
		if err := conn.HandshakeContext(hctx); err != nil {
			raw.Close()
			return nil, err
		}
		return conn, nil // a *tls.Conn, so that SMTP AUTH knows it is encrypted
	}
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(DialTimeout),
		gomail.WithDialContextFunc(dial),
		gomail.WithTLSConfig(tlsConfig),
	}
	switch s.cfg.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL(), gomail.WithTLSPolicy(gomail.NoTLS)) // TLS is done in dial
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.cfg.HelloName != "" {
		opts = append(opts, gomail.WithHELO(s.cfg.HelloName))
	}
	if s.cfg.Username != "" {
		// PLAIN and LOGIN only go over TLS (go-mail refuses them otherwise,
		// except to localhost); "none" is loopback-only by Validate.
		mechs := []gomail.SMTPAuthType{gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthPlain, gomail.SMTPAuthLogin}
		if s.cfg.TLS == TLSNone {
			mechs = []gomail.SMTPAuthType{gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc}
		}
		opts = append(opts, gomail.WithOpportunisticSMTPAuth(mechs...),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	c, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return nil, nil, err
	}
	return c, stop, nil
}

// messageID returns the message's fixed Message-ID, completed with the
// domain of From when it has none, or else a new one; without angle
// brackets.
func (s *Sender) messageID(m Message) (string, error) {
	if m.MessageID == "" {
		return s.newMessageID()
	}
	id := strings.TrimSuffix(strings.TrimPrefix(m.MessageID, "<"), ">")
	if !strings.Contains(id, "@") {
		id += "@" + s.from[strings.LastIndexByte(s.from, '@')+1:]
	}
	return id, nil
}

// newMessageID returns "random@domain-of-From", without angle brackets.
func (s *Sender) newMessageID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	domain := s.from[strings.LastIndexByte(s.from, '@')+1:]
	return strconv.FormatInt(s.now().UnixMilli(), 36) + "." + hex.EncodeToString(b[:]) + "@" + domain, nil
}

// wrap adds what was being done to err and makes sure the password cannot
// leak through its text.
func (s *Sender) wrap(doing string, err error) error {
	msg := doing + ": " + err.Error()
	if s.cfg.Password != "" {
		msg = strings.ReplaceAll(msg, s.cfg.Password, "[redacted]")
	}
	return &Error{msg: msg, err: err}
}

// Error is a failure to send. Its text never contains the password, and
// it keeps no copy of it.
type Error struct {
	msg string
	err error
}

func (e *Error) Error() string { return e.msg }

// GoString keeps %#v to the redacted text as well.
func (e *Error) GoString() string { return "&mail.Error{" + strconv.Quote(e.msg) + "}" }

// Unwrap gives the cause, for errors.Is (context.DeadlineExceeded and the like).
func (e *Error) Unwrap() error { return e.err }

// Code is the SMTP server's reply code of the failure (such as 421 or
// 550), or 0 when the server gave none: the connection or TLS failed, or
// the time ran out.
func (e *Error) Code() int {
	var se *gomail.SendError
	if errors.As(e.err, &se) {
		return se.ErrorCode()
	}
	return 0
}

// Temporary reports whether the server said to try again later (a 4xx reply).
func (e *Error) Temporary() bool {
	var se *gomail.SendError
	return errors.As(e.err, &se) && se.IsTemp()
}
