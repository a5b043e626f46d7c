package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"kluis/internal/demo"
	"kluis/internal/kluis"
)

// testTimeout bounds what one test does in the browser. The browser itself
// is killed a little later still, so that a hung browser never hangs CI.
const testTimeout = 30 * time.Second

// testPassword is the demo users' password.
const testPassword = demo.DefaultPassword

// browser is one test's kluis and the Chromium tab that drives it.
type browser struct {
	t       *testing.T
	ctx     context.Context // the tab, ending at the test's deadline
	tab     context.Context // the tab, without that deadline (for the failure screenshot)
	k       *Kluis
	console *consoleLog
}

// inCI reports whether the tests run in CI, where a skipped browser test is a
// failure.
func inCI() bool {
	ci, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && ci
}

// start runs kluis over a fresh SQLite database with the demo data set and
// opens a Chromium tab for t. Without Chromium the test is skipped, except
// in CI, where it fails. When t fails, a full-page screenshot, the page's
// address, its console and the server log's tail are kept for the reader.
func start(t *testing.T) *browser {
	t.Helper()
	path, err := FindChromium()
	if err != nil {
		if inCI() {
			t.Fatalf("%v (CI=%s: the browser tests must run)", err, os.Getenv("CI"))
		}
		t.Skip(err)
	}

	sctx, scancel := context.WithTimeout(context.Background(), testTimeout)
	defer scancel()
	k, err := Start(sctx, t.TempDir())
	if err != nil {
		t.Fatalf("start kluis: %v", err)
	}
	t.Cleanup(k.Close)

	// The browser's own hard limit: past it, chromedp kills the process.
	bctx, bcancel := context.WithTimeout(context.Background(), testTimeout+15*time.Second)
	cl := &consoleLog{changed: make(chan struct{})}
	tab, stop, err := NewBrowser(bctx, path, t.TempDir(), chromedp.WithListener(cl.listen))
	if err != nil {
		bcancel()
		if inCI() {
			t.Fatal(err)
		}
		t.Fatalf("%v\n(is %s a working Chromium? %s)", err, path, InstallHint)
	}
	t.Cleanup(func() { stop(); bcancel() })
	ctx, cancel := context.WithTimeout(tab, testTimeout)
	t.Cleanup(cancel)

	b := &browser{t: t, ctx: ctx, tab: tab, k: k, console: cl}
	t.Cleanup(b.afterFailure) // runs first: the browser is still there
	return b
}

// afterFailure keeps what a reader of a failed test needs.
func (b *browser) afterFailure() {
	t := b.t
	if !t.Failed() {
		return
	}
	ctx, cancel := context.WithTimeout(b.tab, 10*time.Second)
	defer cancel()
	name := strings.NewReplacer("/", "_", "\\", "_", " ", "_").Replace(t.Name())
	shot := filepath.Join(os.TempDir(), "kluis-browsertest", name+".png")
	if err := SaveScreenshot(ctx, shot); err != nil {
		t.Logf("no screenshot of the failure: %v", err)
	} else {
		t.Logf("screenshot of the failure: %s", shot)
	}
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		t.Logf("the page was %s", loc)
	}
	if msgs := b.console.all(); len(msgs) > 0 {
		t.Logf("browser console:\n  %s", strings.Join(msgs, "\n  "))
	}
	lines := strings.Split(strings.TrimSpace(b.k.Log.String()), "\n")
	t.Logf("server log (last lines):\n  %s", strings.Join(lines[max(0, len(lines)-15):], "\n  "))
}

// url is the address of path on the server.
func (b *browser) url(path string) string { return b.k.URL + path }

// do runs the steps in order and fails the test at the first that fails.
func (b *browser) do(what string, steps ...Action) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// run runs one step that returns a value.
func run[T any](b *browser, what string, step chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, step)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// logIn signs in as the demo user with role r and waits for the page after.
func (b *browser) logIn(r kluis.Role) kluis.User {
	b.t.Helper()
	u := b.k.User(r)
	b.do("log in as "+u.Email, LogIn(b.k.URL, u.Email, testPassword), LoggedIn())
	return u
}

// open navigates to path and waits until the element sel is visible.
func (b *browser) open(path, sel string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.url(path)), chromedp.WaitVisible(chromedp.CSS(sel)))
}

// focused describes the element that has the keyboard focus, as
// "tag#id.class".
func (b *browser) focused() string {
	b.t.Helper()
	return run(b, "read the focus", chromedp.Evaluate[string](focusedJS))
}

const focusedJS = `(() => {
	const e = document.activeElement;
	if (!e) return "(none)";
	let s = e.tagName.toLowerCase();
	if (e.id) s += "#" + e.id;
	if (e.classList.length) s += "." + [...e.classList].join(".");
	return s;
})()`

// waitFocus waits until the focused element matches the CSS selector sel.
func waitFocus(sel string) Action {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.PollFunction[bool](`(sel) => !!document.activeElement && document.activeElement.matches(sel)`,
			chromedp.WithPollingArgs(sel), chromedp.WithPollingTimeout(WaitTimeout))(ctx, t)
		if err != nil {
			got, _ := chromedp.Evaluate[string](focusedJS)(ctx, t)
			return fmt.Errorf("focus on %s: %w (the focus is on %s)", sel, err, got)
		}
		return nil
	})
}

// consoleLog keeps every console message, uncaught exception and browser
// log entry (CSP violations are reported there) of the tab.
type consoleLog struct {
	mu      sync.Mutex
	msgs    []string
	changed chan struct{} // closed and replaced at each new message
}

// listen runs on the tab's event loop: it must be quick and call nothing.
func (c *consoleLog) listen(ev any) {
	var m string
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		var parts []string
		for _, a := range e.Args {
			if a.Type == runtime.RemoteObjectTypeString {
				parts = append(parts, strings.Trim(string(a.Value), `"`))
			} else if a.Description != "" {
				parts = append(parts, a.Description)
			} else {
				parts = append(parts, string(a.Value))
			}
		}
		m = "console." + string(e.Type) + ": " + strings.Join(parts, " ")
	case *runtime.EventExceptionThrown:
		m = "exception: " + e.ExceptionDetails.Text
		if e.ExceptionDetails.Exception != nil {
			m += " " + e.ExceptionDetails.Exception.Description
		}
	case *log.EventEntryAdded:
		m = fmt.Sprintf("log.%s (%s): %s", e.Entry.Level, e.Entry.Source, e.Entry.Text)
		if e.Entry.URL != "" {
			m += " [" + e.Entry.URL + "]"
		}
	default:
		return
	}
	c.mu.Lock()
	c.msgs = append(c.msgs, m)
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
}

func (c *consoleLog) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.msgs...)
}

// matching returns the messages that hold any of the words (case folded).
func (c *consoleLog) matching(words ...string) []string {
	var out []string
	for _, m := range c.all() {
		lm := strings.ToLower(m)
		for _, w := range words {
			if strings.Contains(lm, strings.ToLower(w)) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// waitFor waits until a message holds one of the words.
func (c *consoleLog) waitFor(ctx context.Context, words ...string) ([]string, error) {
	for {
		c.mu.Lock()
		changed := c.changed
		c.mu.Unlock()
		if got := c.matching(words...); len(got) > 0 {
			return got, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-changed:
		}
	}
}
