package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"
)

// WaitTimeout is how long WaitText waits for a text before it fails with a
// message that names it.
const WaitTimeout = 10 * time.Second

// Action is a browser step that returns nothing.
type Action = chromedp.Action[chromedp.Void]

// LogIn opens the log-in page of base and submits email and password. It
// does not wait for the page that follows: the caller waits for what it
// expects (the start page, or the error).
func LogIn(base, email, password string) Action {
	return chromedp.Steps(
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("f-email")),
		Clear("#f-email"),
		chromedp.SendKeys(chromedp.ID("f-email"), email),
		chromedp.SendKeys(chromedp.ID("f-password"), password),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
	)
}

// Clear empties the form field that the CSS selector sel finds first.
// (chromedp.SetValue cannot set the empty string: it reads the value back
// and takes "" for a failure.)
func Clear(sel string) Action {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		found, err := chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
			const el = document.querySelector(%q);
			if (!el) return false;
			el.value = "";
			return true;
		})()`, sel))(ctx, t)
		if err == nil && !found {
			err = fmt.Errorf("no field %s", sel)
		}
		return err
	})
}

// LoggedIn waits for a page that shows the signed-in user (the top bar).
func LoggedIn() Action {
	return chromedp.WaitVisible(chromedp.CSS(`header.top .who .user`))
}

// WaitText waits until the first element that matches the CSS selector sel
// exists and its visible text holds want. A navigation while it waits is
// survived: it starts again on the new page.
func WaitText(sel, want string) Action {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		deadline := time.Now().Add(WaitTimeout)
		for {
			left := time.Until(deadline)
			if left <= 0 {
				break
			}
			_, err := chromedp.PollFunction[bool](`(sel, want) => {
				const el = document.querySelector(sel);
				return !!el && (el.innerText || el.textContent || "").includes(want);
			}`, chromedp.WithPollingArgs(sel, want), chromedp.WithPollingTimeout(left), chromedp.WithPollingMutation())(ctx, t)
			if err == nil {
				return nil
			}
			if ctx.Err() != nil {
				return fmt.Errorf("waiting for %q in %s: %w", want, sel, ctx.Err())
			}
			if errors.Is(err, chromedp.ErrPollingTimeout) {
				break
			}
			// The page navigated under the poll: look again on the new one.
			if err := sleepCtx(ctx, 20*time.Millisecond); err != nil {
				return err
			}
		}
		got, _ := chromedp.Evaluate[string](fmt.Sprintf(`(() => { const el = document.querySelector(%q); return el ? el.innerText : "(no element)"; })()`, sel))(ctx, t)
		return fmt.Errorf("waited %s for %q in %s; it holds %q", WaitTimeout, want, sel, clip(got, 300))
	})
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// SaveScreenshot writes a full-page PNG of the tab to path.
func SaveScreenshot(ctx context.Context, path string) error {
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, png, 0o644)
}
