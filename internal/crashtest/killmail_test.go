package crashtest

import (
	"bufio"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"kluis/internal/mail/mailtest"
)

// relay is an SMTP relay between kluis serve and the mail server: it
// passes every line on both ways, notes the Message-ID headers it sees go
// through, and — once armed — kills the kluis process at the worst moment
// for an outbox: when the mail server has accepted a message (its 250
// after the message's final dot) and before kluis hears it.
type relay struct {
	t        *testing.T
	ln       net.Listener
	upstream string

	mu     sync.Mutex
	armed  func() // called instead of passing on the next 250 after DATA; nil when not armed
	killed chan struct{}
	ids    map[string]int // Message-ID headers seen, with angle brackets
}

func startRelay(t *testing.T, upstream string) *relay {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{t: t, ln: ln, upstream: upstream, killed: make(chan struct{}), ids: map[string]int{}}
	t.Cleanup(func() { ln.Close() })
	go r.serve()
	return r
}

func (r *relay) port() int { return r.ln.Addr().(*net.TCPAddr).Port }

// arm makes the relay call kill at the next accepted message instead of
// passing its acceptance on.
func (r *relay) arm(kill func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.armed = kill
}

// seenWith counts, for each Message-ID that starts with prefix (inside
// its angle brackets), how often the relay saw it.
func (r *relay) seenWith(prefix string) []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []int
	for id, n := range r.ids {
		if strings.HasPrefix(strings.Trim(id, "<>"), prefix) {
			out = append(out, n)
		}
	}
	return out
}

func (r *relay) serve() {
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		go r.handle(c)
	}
}

func (r *relay) handle(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", r.upstream)
	if err != nil {
		return
	}
	defer server.Close()
	go func() {
		// kluis → mail server, line by line, noting the Message-IDs.
		br := bufio.NewReader(client)
		folded := false // a Message-ID header whose value is on the next line
		for {
			line, err := br.ReadString('\n')
			id := ""
			if name, value, ok := strings.Cut(line, ":"); ok && strings.EqualFold(name, "Message-ID") {
				id = strings.TrimSpace(value)
				folded = id == ""
			} else if folded && (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) {
				id, folded = strings.TrimSpace(line), false
			} else {
				folded = false
			}
			if id != "" {
				r.mu.Lock()
				r.ids[id]++
				r.mu.Unlock()
			}
			if line != "" {
				if _, werr := server.Write([]byte(line)); werr != nil {
					return
				}
			}
			if err != nil {
				server.Close()
				return
			}
		}
	}()
	// mail server → kluis: after a 354 (go ahead with the message) the
	// next final reply answers the message itself.
	br := bufio.NewReader(server)
	afterData := false
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		final := len(line) >= 4 && line[3] == ' '
		if final && strings.HasPrefix(line, "354") {
			afterData = true
		} else if final && afterData {
			afterData = false
			r.mu.Lock()
			kill := r.armed
			if strings.HasPrefix(line, "250") {
				r.armed = nil
			} else {
				kill = nil
			}
			r.mu.Unlock()
			if kill != nil {
				kill()
				close(r.killed)
				return
			}
		}
		if _, err := client.Write([]byte(line)); err != nil {
			return
		}
	}
}

// TestAKillBetweenSendingAndRecordingNeitherLosesNorDuplicatesTheMail
// kills kluis serve exactly between the SMTP server's acceptance of a
// privacy statement and kluis's record of it: the relay between them
// SIGKILLs kluis when mailpit has answered 250 to the message's data and
// before that answer reaches kluis. After the restart, the outbox sends
// the message again with the same Message-ID, records it sent once, and
// mailpit — which, as receivers may, drops a Message-ID it has seen —
// holds it exactly once; the candidate's history holds one sending,
// delivered.
func TestAKillBetweenSendingAndRecordingNeitherLosesNorDuplicatesTheMail(t *testing.T) {
	if testing.Short() {
		t.Skip("runs kluis serve twice: not with -short")
	}
	mp := mailtest.Start(t, "--ignore-duplicate-ids")
	rl := startRelay(t, net.JoinHostPort(mp.Host, strconv.Itoa(mp.SMTPPort)))
	r := &rig{t: t, dir: t.TempDir(), mail: mp, smtpPort: rl.port()}
	r.prepare(0)
	defer func() {
		if t.Failed() {
			if b, err := os.ReadFile(r.log.Name()); err == nil {
				t.Logf("the servers' log:\n%s", b[max(0, len(b)-8000):])
			}
		}
	}()
	token := r.token("privacy")
	r.start()
	// What the demo left in the outbox goes first, through the relay unarmed.
	waitFor(t, "the demo's e-mail to leave the outbox", func() bool {
		return r.count("SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')") == 0
	})

	var list struct {
		Items []struct {
			ID       int64 `json:"id"`
			HasEmail bool  `json:"has_email"`
		} `json:"items"`
	}
	if code := r.call(token, "GET", "/api/v1/privacy-statements/not-informed?limit=100", nil, &list); code != 200 {
		t.Fatalf("not informed: %d", code)
	}
	var cand int64
	for _, c := range list.Items {
		if c.HasEmail {
			cand = c.ID
			break
		}
	}
	if cand == 0 {
		t.Fatalf("no candidate to send to: %+v", list)
	}
	pid := r.cmd.Process.Pid
	rl.arm(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	var moment struct {
		ID       int64  `json:"id"`
		OutboxID int64  `json:"outbox_id"`
		Delivery string `json:"delivery"`
	}
	if code := r.call(token, "POST", "/api/v1/candidates/"+strconv.FormatInt(cand, 10)+"/privacy-statement/send", map[string]any{"lang": "nl"}, &moment); code != 201 {
		t.Fatalf("send: %d", code)
	}
	// The worker takes it on its next round (outbox.Interval).
	select {
	case <-rl.killed:
	case <-time.After(60 * time.Second):
		t.Fatal("the relay saw no message to kill kluis at")
	}
	_ = r.cmd.Wait()
	r.kills++

	var messageID, state string
	var attempts int
	row := func() {
		db := r.db()
		defer db.Close()
		if err := db.QueryRow("SELECT message_id, state, attempts FROM outbox WHERE id = ?", moment.OutboxID).Scan(&messageID, &state, &attempts); err != nil {
			t.Fatal(err)
		}
	}
	row()
	// Mailpit has the message; kluis never heard so.
	if state != "sending" || attempts != 1 {
		t.Fatalf("after the kill: state %s, %d attempts", state, attempts)
	}
	local := strings.Trim(messageID, "<>")
	inMailpit := func() int {
		n := 0
		for _, m := range mp.AllMessages() {
			if id, _, _ := strings.Cut(m.MessageID, "@"); id == local {
				n++
			}
		}
		return n
	}
	if n := inMailpit(); n != 1 {
		t.Fatalf("mailpit holds the message %d times before the restart", n)
	}

	// The lease of the dead process runs out (--stale-after), and kluis
	// starts again: the message goes once more, the same.
	time.Sleep(staleAfter + 200*time.Millisecond)
	r.start()
	defer r.stop()
	waitFor(t, "the message to be recorded as sent", func() bool {
		return r.count("SELECT count(*) FROM outbox WHERE id = ? AND state = 'sent'", moment.OutboxID) == 1
	})
	row()
	if attempts != 2 {
		t.Errorf("%d attempts, want 2: the one cut short and the one recorded", attempts)
	}
	// Both attempts carried the outbox's Message-ID, with the sender's
	// domain added.
	if ids := rl.seenWith(local + "@"); len(ids) != 1 || ids[0] != 2 {
		t.Errorf("the relay saw the outbox's Message-ID %s so often, under so many names: %v", messageID, ids)
	}
	if n := inMailpit(); n != 1 {
		t.Errorf("mailpit holds the message %d times", n)
	}
	if n := r.count("SELECT count(*) FROM outbox WHERE candidate_id = ? AND kind = 'privacy-statement'", cand); n != 1 {
		t.Errorf("%d statement messages in the outbox for the candidate", n)
	}
	if n := r.count("SELECT count(*) FROM contact_moments WHERE candidate_id = ? AND kind = 'privacy-statement-sent' AND delivery = 'sent' AND outbox_id = ?",
		cand, moment.OutboxID); n != 1 {
		t.Errorf("%d delivered sendings in the candidate's history, want 1", n)
	}
	if n := r.count("SELECT count(*) FROM contact_moments WHERE candidate_id = ? AND kind = 'privacy-statement-sent'", cand); n != 1 {
		t.Errorf("%d sendings in the candidate's history, want 1", n)
	}
}

// waitFor polls cond until it holds, for at most a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
