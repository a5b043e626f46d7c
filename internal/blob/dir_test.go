package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func newTestDir(t testing.TB) *Dir {
	t.Helper()
	d, err := NewDir(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// filesUnder lists every non-directory below root, temp files included, so
// tests can see residue that List deliberately hides.
func filesUnder(t testing.TB, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !de.IsDir() {
			r, _ := filepath.Rel(root, p)
			files = append(files, filepath.ToSlash(r))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	return files
}

func listKeys(t testing.TB, d *Dir) []string {
	t.Helper()
	var keys []string
	if err := d.List(context.Background(), func(k string) error {
		keys = append(keys, k)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	return keys
}

func mustPut(t testing.TB, d *Dir, key, content string) {
	t.Helper()
	if _, err := d.Put(context.Background(), key, strings.NewReader(content)); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func readKey(t testing.TB, d *Dir, key string) string {
	t.Helper()
	rc, err := d.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestNewDirCreatesPrivateRoot(t *testing.T) {
	root := filepath.Join(t.TempDir(), "a", "store")
	d, err := NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	fi, err := os.Stat(root)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o700 {
		t.Errorf("root mode = %v, want 0700", got)
	}
}

func TestDirRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		key     string
		content string
	}{
		{"a single-segment key round-trips", "cv.pdf", "%PDF-1.7 cv"},
		{"a fanned-out key round-trips and lands in nested directories", "candidates/0042/id-copy_2024.jpg", "\xff\xd8\xff photo"},
		{"an empty blob round-trips", "empty/blob", ""},
		{"a key of exactly 200 bytes round-trips", strings.Repeat("k", 100) + "/" + strings.Repeat("v", 99), "long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			d := newTestDir(t)

			n, err := d.Put(ctx, tt.key, strings.NewReader(tt.content))
			if err != nil {
				t.Fatal(err)
			}
			if n != int64(len(tt.content)) {
				t.Errorf("Put wrote %d bytes, want %d", n, len(tt.content))
			}
			if ok, err := d.Exists(ctx, tt.key); err != nil || !ok {
				t.Errorf("Exists after Put = %v, %v; want true", ok, err)
			}
			if got := readKey(t, d, tt.key); got != tt.content {
				t.Errorf("Open read %q, want %q", got, tt.content)
			}
			if got := listKeys(t, d); !slices.Equal(got, []string{tt.key}) {
				t.Errorf("List = %q, want [%q]", got, tt.key)
			}

			path := filepath.Join(d.Root(), filepath.FromSlash(tt.key))
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatalf("blob is not stored at the path its key names: %v", err)
			}
			if got := fi.Mode().Perm(); got != 0o600 {
				t.Errorf("file mode = %v, want 0600", got)
			}
			for dir := filepath.Dir(path); dir != d.Root(); dir = filepath.Dir(dir) {
				fi, err := os.Stat(dir)
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode().Perm(); got != 0o700 {
					t.Errorf("directory %s mode = %v, want 0700", dir, got)
				}
			}
			if got := filesUnder(t, d.Root()); !slices.Equal(got, []string{tt.key}) {
				t.Errorf("files on disk = %q, want only the blob", got)
			}

			if err := d.Delete(ctx, tt.key); err != nil {
				t.Fatal(err)
			}
			if ok, err := d.Exists(ctx, tt.key); err != nil || ok {
				t.Errorf("Exists after Delete = %v, %v; want false", ok, err)
			}
			if _, err := d.Open(ctx, tt.key); !errors.Is(err, ErrNotFound) {
				t.Errorf("Open after Delete: err = %v, want ErrNotFound", err)
			}
			if err := d.Delete(ctx, tt.key); err != nil {
				t.Errorf("deleting a missing key: err = %v, want nil", err)
			}
			if got := listKeys(t, d); len(got) != 0 {
				t.Errorf("List after Delete = %q, want nothing", got)
			}
		})
	}
}

func TestDirMissingKeys(t *testing.T) {
	tests := []struct {
		name  string
		setup []string
		key   string
	}{
		{"a key never stored is not found", nil, "nothing/here"},
		{"a key below an existing blob is not found", []string{"cv"}, "cv/page1"},
		{"a key that is only a prefix of stored keys is not found", []string{"candidates/1/cv"}, "candidates/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			d := newTestDir(t)
			for _, k := range tt.setup {
				mustPut(t, d, k, "x")
			}
			if _, err := d.Open(ctx, tt.key); !errors.Is(err, ErrNotFound) {
				t.Errorf("Open: err = %v, want ErrNotFound", err)
			}
			if ok, err := d.Exists(ctx, tt.key); err != nil || ok {
				t.Errorf("Exists = %v, %v; want false, nil", ok, err)
			}
			if err := d.Delete(ctx, tt.key); err != nil {
				t.Errorf("Delete: err = %v, want nil", err)
			}
			for _, k := range tt.setup {
				if got := readKey(t, d, k); got != "x" {
					t.Errorf("%q changed to %q", k, got)
				}
			}
		})
	}
}

func TestDirPutIntoOccupiedPlace(t *testing.T) {
	tests := []struct {
		name    string
		setup   map[string]string
		key     string
		wantErr error
	}{
		{"a second put of the same key fails with ErrExists and keeps the original",
			map[string]string{"a/cv.pdf": "original"}, "a/cv.pdf", ErrExists},
		{"a put of a key that is a prefix of stored keys is an invalid key",
			map[string]string{"a/cv.pdf": "original"}, "a", ErrInvalidKey},
		{"a put of a key that extends a stored key is an invalid key",
			map[string]string{"a": "original"}, "a/cv.pdf", ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newTestDir(t)
			for k, v := range tt.setup {
				mustPut(t, d, k, v)
			}
			_, err := d.Put(context.Background(), tt.key, strings.NewReader("replacement"))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Put: err = %v, want %v", err, tt.wantErr)
			}
			var want []string
			for k, v := range tt.setup {
				want = append(want, k)
				if got := readKey(t, d, k); got != v {
					t.Errorf("%q now holds %q, want %q", k, got, v)
				}
			}
			slices.Sort(want)
			if got := filesUnder(t, d.Root()); !slices.Equal(got, want) {
				t.Errorf("files on disk = %q, want %q (no temp files)", got, want)
			}
		})
	}
}

var hostileKeys = []struct {
	name string
	key  string
}{
	{"a parent reference is rejected", "../x"},
	{"a bare parent reference is rejected", ".."},
	{"a deep parent reference is rejected", "../../../../../../etc/passwd"},
	{"an absolute path is rejected", "/etc/passwd"},
	{"an empty segment is rejected", "a//b"},
	{"a parent reference in the middle is rejected", "a/../b"},
	{"a trailing parent reference is rejected", "a/.."},
	{"a dot segment is rejected", "a/./b"},
	{"a lone dot is rejected", "."},
	{"a trailing slash is rejected", "a/"},
	{"a NUL byte is rejected", "cv\x00.pdf"},
	{"a backslash is rejected", `a\b`},
	{"a backslash parent reference is rejected", `..\..\x`},
	{"a key over 200 bytes is rejected", strings.Repeat("a", 201)},
	{"an empty key is rejected", ""},
	{"upper case is rejected", "CV.pdf"},
	{"a space is rejected", "my cv.pdf"},
	{"a newline is rejected", "a\nb"},
	{"a non-ASCII letter is rejected", "zoë.pdf"},
	{"a Windows drive is rejected", "c:/x"},
	{"a tilde (the temp file marker) is rejected", "a/.put~x"},
}

func TestDirRejectsHostileKeys(t *testing.T) {
	for _, tt := range hostileKeys {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			parent := t.TempDir()
			d, err := NewDir(filepath.Join(parent, "store"))
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			// Something a traversal would hit, to prove it is left alone.
			if err := os.WriteFile(filepath.Join(parent, "x"), []byte("outside"), 0o600); err != nil {
				t.Fatal(err)
			}

			if _, err := d.Put(ctx, tt.key, strings.NewReader("evil")); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("Put: err = %v, want ErrInvalidKey", err)
			}
			if _, err := d.Open(ctx, tt.key); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("Open: err = %v, want ErrInvalidKey", err)
			}
			if _, err := d.Exists(ctx, tt.key); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("Exists: err = %v, want ErrInvalidKey", err)
			}
			if err := d.Delete(ctx, tt.key); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("Delete: err = %v, want ErrInvalidKey", err)
			}
			if got := filesUnder(t, parent); !slices.Equal(got, []string{"x"}) {
				t.Errorf("files around the store = %q, want only the untouched outside file", got)
			}
			if b, _ := os.ReadFile(filepath.Join(parent, "x")); string(b) != "outside" {
				t.Errorf("outside file changed to %q", b)
			}
		})
	}
}

func TestDirConcurrentPuts(t *testing.T) {
	const writers = 32
	tests := []struct {
		name     string
		keyFor   func(i int) string
		wantWins int
	}{
		{"concurrent puts of different keys all succeed", func(i int) string {
			return fmt.Sprintf("candidates/%d/cv-%d.pdf", i%4, i)
		}, writers},
		{"concurrent puts of the same key let exactly one win", func(int) string {
			return "candidates/1/cv.pdf"
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newTestDir(t)
			content := func(i int) string { return strings.Repeat(fmt.Sprintf("writer %d\n", i), 1000) }
			errs := make([]error, writers)
			var wg sync.WaitGroup
			for i := range writers {
				wg.Go(func() {
					_, errs[i] = d.Put(context.Background(), tt.keyFor(i), strings.NewReader(content(i)))
				})
			}
			wg.Wait()

			wins := 0
			for i, err := range errs {
				switch {
				case err == nil:
					wins++
					if got := readKey(t, d, tt.keyFor(i)); got != content(i) {
						t.Errorf("%q holds another writer's content", tt.keyFor(i))
					}
				case !errors.Is(err, ErrExists):
					t.Errorf("writer %d: err = %v, want nil or ErrExists", i, err)
				}
			}
			if wins != tt.wantWins {
				t.Errorf("%d puts succeeded, want %d", wins, tt.wantWins)
			}
			if got := filesUnder(t, d.Root()); len(got) != tt.wantWins {
				t.Errorf("files on disk = %q, want %d blobs and no temp files", got, tt.wantWins)
			}
		})
	}
}

// failingReader delivers some content and then fails, like a client that
// disconnects halfway through an upload.
type failingReader struct {
	left int
	err  error
	hook func()
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.left == 0 {
		return 0, f.err
	}
	n := min(len(p), f.left, 100)
	for i := range n {
		p[i] = 'x'
	}
	f.left -= n
	if f.hook != nil {
		f.hook()
	}
	return n, nil
}

func TestDirFailedPutLeavesNothing(t *testing.T) {
	errDisconnect := errors.New("client disconnected")
	tests := []struct {
		name    string
		reader  func(cancel context.CancelFunc) io.Reader
		precede bool // cancel the context before Put
		wantErr error
	}{
		{"a reader failing midway leaves neither the blob nor a temp file",
			func(context.CancelFunc) io.Reader { return &failingReader{left: 5000, err: errDisconnect} },
			false, errDisconnect},
		{"a context cancelled midway leaves neither the blob nor a temp file",
			func(cancel context.CancelFunc) io.Reader {
				return &failingReader{left: 1 << 20, err: io.EOF, hook: cancel}
			},
			false, context.Canceled},
		{"a context cancelled beforehand stores nothing",
			func(context.CancelFunc) io.Reader { return strings.NewReader("content") },
			true, context.Canceled},
		{"an upload exceeding the policy leaves neither the blob nor a temp file",
			func(context.CancelFunc) io.Reader {
				_, body, err := CheckedReader(strings.NewReader(strings.Repeat("text ", 1000)),
					Policy{MaxBytes: 1000, Allowed: []string{"text/plain"}})
				if err != nil {
					panic(err)
				}
				return body
			},
			false, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newTestDir(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.precede {
				cancel()
			}
			const key = "candidates/7/payslip.pdf"
			_, err := d.Put(ctx, key, tt.reader(cancel))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Put: err = %v, want %v", err, tt.wantErr)
			}
			if ok, err := d.Exists(context.Background(), key); err != nil || ok {
				t.Errorf("Exists = %v, %v; want false", ok, err)
			}
			if got := filesUnder(t, d.Root()); len(got) != 0 {
				t.Errorf("files on disk = %q, want none", got)
			}
			// Nothing left behind may block a retry.
			mustPut(t, d, key, "retry")
		})
	}
}

func TestDirList(t *testing.T) {
	errStopHere := errors.New("stop")
	tests := []struct {
		name    string
		fn      func(seen *[]string) func(string) error
		want    []string
		wantErr error
	}{
		{"list reports every key and skips temp files, foreign files and symlinks",
			func(seen *[]string) func(string) error {
				return func(k string) error { *seen = append(*seen, k); return nil }
			},
			[]string{"a/b/c.pdf", "a/d.jpg", "top"}, nil},
		{"an error from fn stops the listing and is returned",
			func(seen *[]string) func(string) error {
				return func(k string) error { *seen = append(*seen, k); return errStopHere }
			},
			nil, errStopHere},
		{"fs.SkipAll from fn is returned as an error, not swallowed",
			func(seen *[]string) func(string) error {
				return func(k string) error { *seen = append(*seen, k); return fs.SkipAll }
			},
			nil, fs.SkipAll},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newTestDir(t)
			for _, k := range []string{"a/b/c.pdf", "a/d.jpg", "top"} {
				mustPut(t, d, k, k)
			}
			root := d.Root()
			for _, junk := range []string{"a/b/" + tmpPrefix + "ABCDEF", tmpPrefix + "XYZ", "a/README.TXT", "a/b/scan 1.pdf"} {
				if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(junk)), []byte("junk"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Symlink(filepath.Join(root, "top"), filepath.Join(root, "link")); err != nil {
				t.Fatal(err)
			}

			var seen []string
			err := d.List(context.Background(), tt.fn(&seen))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("List: err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				if len(seen) != 1 {
					t.Errorf("fn called %d times after failing, want once", len(seen))
				}
				return
			}
			slices.Sort(seen)
			if !slices.Equal(seen, tt.want) {
				t.Errorf("List = %q, want %q", seen, tt.want)
			}
		})
	}
}

func TestDirRemoveStaleTemp(t *testing.T) {
	d := newTestDir(t)
	mustPut(t, d, "a/cv.pdf", "kept")
	root := d.Root()
	old := filepath.Join(root, "a", tmpPrefix+"OLD")
	young := filepath.Join(root, "a", tmpPrefix+"YOUNG")
	for _, p := range []string{old, young} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-48 * time.Hour)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}

	n, err := d.RemoveStaleTemp(context.Background(), 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("removed %d temp files, want 1", n)
	}
	want := []string{"a/" + tmpPrefix + "YOUNG", "a/cv.pdf"}
	if got := filesUnder(t, root); !slices.Equal(got, want) {
		t.Errorf("files on disk = %q, want %q", got, want)
	}
}

func FuzzDirKey(f *testing.F) {
	for _, tt := range hostileKeys {
		f.Add(tt.key)
	}
	for _, k := range []string{"cv.pdf", "candidates/42/cv.pdf", "a/b/c/d/e", "a.b/c-d_e", "...", "a/.hidden"} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		name, err := rel(key)
		if err != nil {
			if !errors.Is(err, ErrInvalidKey) {
				t.Fatalf("rejected %q with %v, want ErrInvalidKey", key, err)
			}
			return
		}
		root := filepath.Join(t.TempDir(), "store")
		abs := filepath.Join(root, name)
		r, err := filepath.Rel(root, abs)
		if err != nil || !filepath.IsLocal(r) || !strings.HasPrefix(abs, root+string(filepath.Separator)) {
			t.Fatalf("accepted key %q resolves to %q, outside %q", key, abs, root)
		}
		if r != name || filepath.Clean(name) != name {
			t.Fatalf("accepted key %q is not in canonical form (%q), so two keys could name one file", key, r)
		}

		d, err := NewDir(root)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if _, err := d.Put(context.Background(), key, bytes.NewReader([]byte(key))); err != nil {
			t.Fatalf("Put(%q): %v", key, err)
		}
		if b, err := os.ReadFile(abs); err != nil || string(b) != key {
			t.Fatalf("blob for %q not found at %q: %v", key, abs, err)
		}
		if got := listKeys(t, d); !slices.Equal(got, []string{key}) {
			t.Fatalf("List = %q, want [%q]", got, key)
		}
	})
}
