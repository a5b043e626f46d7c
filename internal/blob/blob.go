// Package blob stores document contents outside the database, addressed by
// opaque keys.
//
// Candidate documents (CVs, ID copies, pay slips, photos) are large and
// sensitive; keeping them out of the database keeps backups and queries small
// and lets the bytes be erased independently of the record that points at
// them. The database holds the key, the sniffed content type and the
// sanitised display name; this package holds the bytes and the checks that
// decide whether an upload is accepted at all.
package blob

import (
	"context"
	"errors"
	"io"
)

// Store is the contract the rest of Kluis relies on, so that the directory
// implementation can later be swapped for object storage without touching
// callers.
type Store interface {
	// Put stores the content read from r under key, atomically (a reader
	// never sees a partial blob), failing with ErrExists if key exists.
	// Blobs are immutable: a new version of a document gets a new key, so
	// an overwrite can only be a bug and is refused.
	Put(ctx context.Context, key string, r io.Reader) (n int64, err error)
	// Open returns the content stored under key, or ErrNotFound.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes key. Deleting a missing key is not an error, so that
	// erasure requests and orphan clean-up can be retried safely.
	Delete(ctx context.Context, key string) error
	// Exists reports whether key holds a blob.
	Exists(ctx context.Context, key string) (bool, error)
	// List calls fn for every key (for residue scans and orphan clean-up);
	// order unspecified. An error from fn stops the listing and is returned.
	List(ctx context.Context, fn func(key string) error) error
}

var (
	// ErrNotFound is returned by Open when no blob is stored under a key.
	ErrNotFound = errors.New("blob: not found")
	// ErrExists is returned by Put when the key already holds a blob.
	ErrExists = errors.New("blob: key already exists")
	// ErrInvalidKey is returned for keys outside the accepted syntax. Keys
	// become file paths, so anything that could traverse, alias or smuggle
	// bytes into a path is refused rather than cleaned up.
	ErrInvalidKey = errors.New("blob: invalid key")
)
