package blob

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// MaxKeyLen bounds keys so that the resulting paths stay well inside
// PATH_MAX/NAME_MAX on every file system we deploy to.
const MaxKeyLen = 200

// tmpPrefix starts the name of every file Put writes before committing it.
// '~' is outside the key alphabet, so a temp file can never be mistaken for
// (or collide with) a stored key.
const tmpPrefix = ".put~"

// Dir is a Store on a local directory tree. Every key maps to a file whose
// path is the key itself, so an operator can find and erase a document with
// ordinary tools.
//
// All file system access goes through an os.Root: key validation is the
// first line of defence against path traversal, and the Root is the second,
// which also stops symbolic links planted inside the tree from leading out
// of it.
type Dir struct {
	root *os.Root
	path string
}

var _ Store = (*Dir)(nil)

// NewDir opens (creating it with mode 0700 if needed) a store rooted at root.
// The returned Dir holds a descriptor for root until Close.
func NewDir(root string) (*Dir, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	r, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &Dir{root: r, path: abs}, nil
}

// Root returns the absolute path of the directory the store lives in.
func (d *Dir) Root() string { return d.path }

// Close releases the descriptor held on the root directory.
func (d *Dir) Close() error { return d.root.Close() }

// ValidateKey reports whether key is acceptable to every Store, so callers
// can reject bad keys before doing expensive work such as receiving an
// upload.
//
// Keys are one or more '/'-separated segments of [a-z0-9._-]. Upper case is
// excluded so that keys behave the same on case-insensitive file systems;
// "." segments and ".." anywhere are excluded so that no two keys name the
// same file and no key names a file outside the store.
func ValidateKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	}
	if len(key) > MaxKeyLen {
		return fmt.Errorf("%w: longer than %d bytes", ErrInvalidKey, MaxKeyLen)
	}
	if strings.Contains(key, "..") {
		return fmt.Errorf("%w: %q contains \"..\"", ErrInvalidKey, key)
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" {
			return fmt.Errorf("%w: %q has an empty segment", ErrInvalidKey, key)
		}
		if seg == "." {
			return fmt.Errorf("%w: %q has a \".\" segment", ErrInvalidKey, key)
		}
		for i := 0; i < len(seg); i++ {
			if !keyByte(seg[i]) {
				return fmt.Errorf("%w: %q has a forbidden byte %q", ErrInvalidKey, key, seg[i])
			}
		}
	}
	return nil
}

func keyByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.'
}

// rel turns a key into a path relative to the root. It is the only place
// keys become paths, which is what FuzzDirKey pins down.
func rel(key string) (string, error) {
	if err := ValidateKey(key); err != nil {
		return "", err
	}
	return filepath.FromSlash(key), nil
}

// Put implements Store. The content is written to a temp file next to its
// final place, fsynced, and then hard-linked to the key: link(2), unlike
// rename(2), fails when the target exists, which gives ErrExists without a
// check-then-act race between concurrent Puts of the same key.
func (d *Dir) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	name, err := rel(key)
	if err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	dir := filepath.Dir(name)
	created, err := d.mkdirs(key, dir)
	if err != nil {
		return 0, err
	}
	// Not needed for correctness (Link decides), but it saves receiving a
	// whole upload only to throw it away.
	if fi, err := d.root.Lstat(name); err == nil {
		return 0, d.occupied(key, fi)
	}

	tmp := filepath.Join(dir, tmpPrefix+rand.Text())
	f, err := d.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, fmt.Errorf("blob: put %q: %w", key, err)
	}
	// Until the link exists, every failure must leave nothing behind: a
	// half-written ID copy is exactly the residue we must not keep.
	linked := false
	defer func() {
		if f != nil {
			f.Close()
		}
		if !linked {
			d.root.Remove(tmp)
		}
	}()

	n, err := io.Copy(f, ctxReader{ctx, r})
	if err != nil {
		return n, fmt.Errorf("blob: put %q: %w", key, err)
	}
	if err := f.Sync(); err != nil {
		return n, fmt.Errorf("blob: put %q: %w", key, err)
	}
	err = f.Close()
	f = nil
	if err != nil {
		return n, fmt.Errorf("blob: put %q: %w", key, err)
	}
	if err := d.root.Link(tmp, name); err != nil {
		if fi, serr := d.root.Lstat(name); serr == nil {
			return 0, d.occupied(key, fi)
		}
		return n, fmt.Errorf("blob: put %q: %w", key, err)
	}
	linked = true
	// The blob is committed; a leftover temp name is harmless because List
	// skips it and RemoveStaleTemp collects it, so its removal error is not
	// worth failing a stored upload for.
	_ = d.root.Remove(tmp)

	// Without syncing the directory the link itself may be lost in a
	// crash, leaving a database row pointing at nothing. Directories
	// created for this key must be made durable in their parents too.
	for _, p := range append([]string{dir}, created...) {
		if err := d.syncDir(p); err != nil {
			return n, fmt.Errorf("blob: put %q: %w", key, err)
		}
	}
	return n, nil
}

// occupied explains why a key's place is taken. A directory there means the
// key is a prefix of other keys, which no Put can ever satisfy, so it is
// reported as a bad key rather than as an existing blob.
func (d *Dir) occupied(key string, fi fs.FileInfo) error {
	if fi.IsDir() {
		return fmt.Errorf("%w: %q is a prefix of existing keys", ErrInvalidKey, key)
	}
	return fmt.Errorf("%w: %q", ErrExists, key)
}

// mkdirs creates the directories of dir one by one (rather than MkdirAll) so
// that it knows which parents gained an entry and must be fsynced.
func (d *Dir) mkdirs(key, dir string) (syncParents []string, err error) {
	if dir == "." {
		return nil, nil
	}
	p := ""
	for seg := range strings.SplitSeq(dir, string(filepath.Separator)) {
		parent := p
		if parent == "" {
			parent = "."
		}
		p = filepath.Join(p, seg)
		err := d.root.Mkdir(p, 0o700)
		switch {
		case err == nil:
			syncParents = append(syncParents, parent)
		case errors.Is(err, fs.ErrExist):
			fi, err := d.root.Lstat(p)
			if err != nil {
				return nil, fmt.Errorf("blob: put %q: %w", key, err)
			}
			if !fi.IsDir() {
				return nil, fmt.Errorf("%w: %q extends existing key %q", ErrInvalidKey, key, filepath.ToSlash(p))
			}
		default:
			return nil, fmt.Errorf("blob: put %q: %w", key, err)
		}
	}
	return syncParents, nil
}

func (d *Dir) syncDir(p string) error {
	f, err := d.root.Open(p)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Open implements Store.
func (d *Dir) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	name, err := rel(key)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Only regular files are blobs; checking before opening also avoids
	// blocking on a FIFO someone might have left in the tree.
	fi, err := d.root.Lstat(name)
	if err != nil {
		if notExist(err) {
			return nil, fmt.Errorf("%w: %q", ErrNotFound, key)
		}
		return nil, fmt.Errorf("blob: open %q: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, key)
	}
	f, err := d.root.Open(name)
	if err != nil {
		if notExist(err) {
			return nil, fmt.Errorf("%w: %q", ErrNotFound, key)
		}
		return nil, fmt.Errorf("blob: open %q: %w", key, err)
	}
	return f, nil
}

// Delete implements Store. The directory is fsynced afterwards because a
// deletion is usually an erasure obligation, and a crash must not bring the
// document back.
func (d *Dir) Delete(ctx context.Context, key string) error {
	name, err := rel(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	fi, err := d.root.Lstat(name)
	if err != nil {
		if notExist(err) {
			return nil
		}
		return fmt.Errorf("blob: delete %q: %w", key, err)
	}
	if fi.IsDir() {
		// A prefix of other keys, not a blob: there is nothing to delete.
		return nil
	}
	if err := d.root.Remove(name); err != nil && !notExist(err) {
		return fmt.Errorf("blob: delete %q: %w", key, err)
	}
	if err := d.syncDir(filepath.Dir(name)); err != nil {
		return fmt.Errorf("blob: delete %q: %w", key, err)
	}
	return nil
}

// Exists implements Store.
func (d *Dir) Exists(ctx context.Context, key string) (bool, error) {
	name, err := rel(key)
	if err != nil {
		return false, err
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	fi, err := d.root.Lstat(name)
	if err != nil {
		if notExist(err) {
			return false, nil
		}
		return false, fmt.Errorf("blob: exists %q: %w", key, err)
	}
	return fi.Mode().IsRegular(), nil
}

// errStop carries an error from fn out of fs.WalkDir, which would otherwise
// give fs.SkipDir and fs.SkipAll from fn a special meaning.
type errStop struct{ err error }

func (e errStop) Error() string { return e.err.Error() }

// List implements Store. Anything in the tree that is not a regular file
// named by a valid key (temp files, editor droppings, symlinks) is skipped,
// so fn only ever sees keys that Open accepts.
func (d *Dir) List(ctx context.Context, fn func(key string) error) error {
	err := fs.WalkDir(d.root.FS(), ".", func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == "." || !de.Type().IsRegular() || ValidateKey(p) != nil {
			return nil
		}
		if err := fn(p); err != nil {
			return errStop{err}
		}
		return nil
	})
	if stop, ok := errors.AsType[errStop](err); ok {
		return stop.err
	}
	if err != nil {
		return fmt.Errorf("blob: list: %w", err)
	}
	return nil
}

// RemoveStaleTemp deletes temp files left by Puts that were interrupted by
// a crash; such files hold (partial) documents that no key points at, so
// they would otherwise escape both List and erasure. Only files older than
// olderThan are touched, because another process sharing the directory may
// still be writing younger ones.
func (d *Dir) RemoveStaleTemp(ctx context.Context, olderThan time.Duration) (removed int, err error) {
	cutoff := time.Now().Add(-olderThan)
	err = fs.WalkDir(d.root.FS(), ".", func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if de.IsDir() || !strings.HasPrefix(de.Name(), tmpPrefix) {
			return nil
		}
		fi, err := de.Info()
		if err != nil {
			if notExist(err) {
				return nil // finished or cleaned up meanwhile
			}
			return err
		}
		if fi.ModTime().After(cutoff) {
			return nil
		}
		if err := d.root.Remove(filepath.FromSlash(p)); err != nil && !notExist(err) {
			return err
		}
		removed++
		return nil
	})
	if err != nil {
		return removed, fmt.Errorf("blob: remove stale temp files: %w", err)
	}
	return removed, nil
}

// notExist also treats ENOTDIR as absence: for a key "a/b" when "a" is a
// blob, "a/b" simply does not exist.
func notExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// ctxReader lets a cancelled request abort a long upload between reads.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
