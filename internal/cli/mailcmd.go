package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/mail"
)

// mailSettings holds the SMTP flags; serve will share them with `mail test`.
type mailSettings struct {
	host         *string
	port         *string
	user         *string
	passwordFile *string
	from         *string
	tls          *string
	helo         *string
}

func mailFlags(f *flags) *mailSettings {
	return &mailSettings{
		host:         f.string("smtp-host", "", "the agency's SMTP server (host name or IP address, without port)"),
		port:         f.string("smtp-port", "587", "its port: 587 for starttls, 465 for tls"),
		user:         f.string("smtp-user", "", "user name for SMTP AUTH (empty: no authentication)"),
		passwordFile: f.string("smtp-password-file", "", "file holding the SMTP password (never give the password itself)"),
		from:         f.string("smtp-from", "", "sender address of kluis's e-mail, e.g. privacy@mijnbureau.nl"),
		tls:          f.string("smtp-tls", mail.TLSStartTLS, "encryption: starttls, tls (implicit, port 465) or none (only for a test server on localhost)"),
		helo:         f.string("smtp-helo", "", "name to introduce kluis with (EHLO); empty: this machine's host name"),
	}
}

// configured reports whether any SMTP server was given at all.
func (m *mailSettings) configured() bool { return strings.TrimSpace(*m.host) != "" }

// flagOf names the flag behind each field of mail.Config's problems.
var flagOf = map[string]string{
	"host": "--smtp-host", "port": "--smtp-port", "username": "--smtp-user", "password": "--smtp-password-file",
	"from": "--smtp-from", "tls": "--smtp-tls", "hello_name": "--smtp-helo",
}

// config reads the password file and returns the checked configuration.
// Problems are reported by flag name. Neither the password nor the file's
// content ever appears in an error.
func (m *mailSettings) config() (mail.Config, error) {
	c := mail.Config{
		Host:      strings.TrimSpace(*m.host),
		Username:  *m.user,
		From:      strings.TrimSpace(*m.from),
		TLS:       strings.TrimSpace(*m.tls),
		HelloName: strings.TrimSpace(*m.helo),
	}
	port, err := strconv.Atoi(strings.TrimSpace(*m.port))
	if err != nil {
		return mail.Config{}, fmt.Errorf("--smtp-port: %q is not a port number", *m.port)
	}
	c.Port = port
	if *m.passwordFile != "" {
		b, err := os.ReadFile(*m.passwordFile)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err // the path is said below; the content never is
			}
			return mail.Config{}, fmt.Errorf("read the SMTP password from %s (--smtp-password-file): %v", *m.passwordFile, err)
		}
		c.Password = strings.TrimSpace(string(b))
		if c.Password == "" {
			return mail.Config{}, fmt.Errorf("the SMTP password file %s is empty", *m.passwordFile)
		}
	}
	if err := c.Validate(); err != nil {
		var ke *kluis.Error
		if errors.As(err, &ke) {
			fields := map[string]kluis.Msg{}
			for f, msg := range ke.Fields {
				if fl, ok := flagOf[f]; ok {
					f = fl
				}
				fields[f] = msg
			}
			return mail.Config{}, &kluis.Error{Code: ke.Code, Fields: fields, Message: kluis.Msg{
				NL: "De SMTP-instellingen kloppen niet.",
				EN: "The SMTP settings are not right.",
			}}
		}
		return mail.Config{}, err
	}
	return c, nil
}

func runMail(ctx context.Context, e *env, args []string) error {
	const usage = "Usage: kluis mail test --to ADDRESS [--smtp-host HOST] [--smtp-port PORT] [--smtp-user USER]\n" +
		"         [--smtp-password-file FILE] [--smtp-from ADDRESS] [--smtp-tls starttls|tls|none]"
	if err := verb(e, args, usage, "test"); err != nil {
		return err
	}
	f := newFlags(e, "mail test", "mail test --to ADDRESS [flags]\n\n"+
		"Sends a test message through the SMTP settings and prints its Message-ID.")
	ms := mailFlags(f)
	to := f.String("to", "", "where the test message goes (one address)")
	if err := f.parse(args[1:]); err != nil {
		return err
	}
	if f.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", f.Arg(0))
	}
	if *to == "" {
		return errors.New("say where the test message goes with --to ADDRESS")
	}
	if _, ok := kluis.NormalizeEmail(*to); !ok {
		return fmt.Errorf("--to: %q is not one plain e-mail address", *to)
	}
	if !ms.configured() {
		return errors.New("give the SMTP server with --smtp-host (or KLUIS_SMTP_HOST), and --smtp-from")
	}
	cfg, err := ms.config()
	if err != nil {
		return err
	}
	s, err := mail.NewSender(cfg)
	if err != nil {
		return err
	}
	now := e.clock.Now()
	id, err := s.Send(ctx, mail.Message{
		To:      *to,
		Subject: "Kluis: testbericht / test message",
		Text: "Dit is een testbericht van kluis. Als u het leest, werken de SMTP-instellingen.\n" +
			"This is a test message from kluis. If you can read it, the SMTP settings work.\n\n" +
			"Server: " + cfg.Host + ":" + strconv.Itoa(cfg.Port) + " (" + tlsName(cfg.TLS) + ")\n" +
			"Verzonden / sent: " + now.Format(time.RFC3339) + "\n",
	})
	if err != nil {
		return fmt.Errorf("the test message was not sent: %w", err)
	}
	fmt.Fprintf(e.stdout, "sent a test message to %s through %s:%d (%s); Message-ID: %s\n",
		*to, cfg.Host, cfg.Port, tlsName(cfg.TLS), id)
	return nil
}

func tlsName(mode string) string {
	if mode == "" {
		return mail.TLSStartTLS
	}
	return mode
}
