package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"

	"github.com/chromedp/chromedp"
)

// InstallHint is what to do when no Chromium is found.
const InstallHint = "Chromium not found: apt-get install -y chromium"

// Window is the size of the browser window: a common laptop screen.
const (
	WindowWidth  = 1366
	WindowHeight = 900
)

// FindChromium returns the Chromium to drive: the one KLUIS_CHROMIUM names
// if set, else Debian's /usr/bin/chromium, else `chromium` on PATH.
func FindChromium() (string, error) {
	if p := os.Getenv("KLUIS_CHROMIUM"); p != "" {
		if found, err := exec.LookPath(p); err == nil {
			return found, nil
		}
		return "", notFoundError{fmt.Sprintf(" (KLUIS_CHROMIUM=%s is not an executable)", p)}
	}
	if st, err := os.Stat("/usr/bin/chromium"); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
		return "/usr/bin/chromium", nil
	}
	if found, err := exec.LookPath("chromium"); err == nil {
		return found, nil
	}
	return "", notFoundError{}
}

// notFoundError says that no Chromium is installed, and how to get one.
type notFoundError struct{ detail string }

func (e notFoundError) Error() string { return InstallHint + e.detail }

// AllocatorOptions are the only flags kluis starts Chromium with: headless,
// no sandbox (CI runs as root), no GPU, no QUIC, none of the first-run,
// background-networking, component-update or sync traffic (the browser
// talks to the loopback server and nothing else), a profile of its own in
// userDataDir, and a 1366×900 window. (Debian's /usr/bin/chromium is a
// wrapper script that adds its packaging defaults from /etc/chromium.d.)
func AllocatorOptions(execPath, userDataDir string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(execPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(userDataDir),
		chromedp.WindowSize(WindowWidth, WindowHeight),
	}
}

// NewBrowser starts Chromium with AllocatorOptions and opens a tab. The
// returned context drives that tab; cancel closes the browser. The browser
// lives no longer than parent: give parent a deadline so that a hung
// browser cannot hang the caller. Context options (such as
// chromedp.WithListener) apply to the tab.
func NewBrowser(parent context.Context, execPath, userDataDir string, opts ...chromedp.ContextOption) (context.Context, context.CancelFunc, error) {
	actx, acancel := chromedp.NewExecAllocator(parent, AllocatorOptions(execPath, userDataDir)...)
	ctx, cancel := chromedp.NewContext(actx, opts...)
	stop := func() { cancel(); acancel() }
	// Start the browser now, on the parent's deadline alone: a later
	// action's shorter timeout must not end the browser's life with it.
	if err := chromedp.Do(ctx); err != nil {
		stop()
		return nil, nil, fmt.Errorf("start %s: %w", execPath, err)
	}
	return ctx, stop, nil
}
