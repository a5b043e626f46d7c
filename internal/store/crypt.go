package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"kluis/internal/catalog"
	"kluis/internal/kluis"
	"kluis/internal/vault"
)

// sensitiveColumns are the columns the catalogue marks sensitive: they are
// sealed with the data subject's own key before they are written, and
// opened after they are read. The catalogue is the only list.
var sensitiveColumns = func() map[string]bool {
	out := map[string]bool{}
	for _, f := range catalog.New().Fields() {
		if f.Sensitive {
			out[f.Table+"."+f.Column] = true
		}
	}
	return out
}()

var errNoVault = errors.New("store: this needs the key store (start kluis with --master-key-file)")

// subjectKey returns the key of a data subject.
func (db *DB) subjectKey(ctx context.Context, tenant, subject kluis.ID) (*vault.SubjectKey, error) {
	if db.vault == nil {
		return nil, errNoVault
	}
	k, err := db.vault.Key(ctx, tenant, subject)
	if errors.Is(err, vault.ErrShredded) {
		return nil, kluis.Errorf(kluis.ENotFound, "Deze gegevens zijn gewist.", "These data have been erased.")
	}
	return k, err
}

// newSubjectKey makes the key of a new data subject, before their first
// row is written.
func (db *DB) newSubjectKey(ctx context.Context, tenant, subject kluis.ID) error {
	if db.vault == nil {
		return errNoVault
	}
	return db.vault.Create(ctx, tenant, subject)
}

// shred destroys a subject's key: every sealed copy of their data, in the
// database, its backups and the document store, becomes unreadable.
func (db *DB) shred(ctx context.Context, tenant, subject kluis.ID) error {
	if db.vault == nil {
		return errNoVault
	}
	return db.vault.Destroy(context.WithoutCancel(ctx), tenant, subject)
}

// sealedAAD binds a sealed value to its place, so that it cannot be copied
// into another row or column and opened there.
func sealedAAD(table, column string, tenant, id kluis.ID) string {
	return table + "." + column + "/" + strconv.FormatInt(tenant, 10) + "/" + strconv.FormatInt(id, 10)
}

// sealedIndexes are the positions in t.columns of its sensitive columns.
func (t *table[T]) sealedIndexes() []int {
	var out []int
	for i, c := range t.columns {
		if sensitiveColumns[t.name+"."+c] {
			out = append(out, i)
		}
	}
	return out
}

// row returns the values to write for rec, sensitive ones sealed.
func (t *table[T]) row(ctx context.Context, db *DB, rec *T) ([]any, error) {
	vals := t.values(rec)
	idx := t.sealedIndexes()
	if len(idx) == 0 {
		return vals, nil
	}
	if t.subject == nil {
		return nil, fmt.Errorf("store: table %s has sensitive columns but no subject to seal them with", t.name)
	}
	empty := true
	for _, i := range idx {
		if s, _ := vals[i].(string); s != "" {
			empty = false
		}
	}
	if empty {
		return vals, nil // empty stays empty: there is nothing to seal
	}
	tenant, id := t.key(rec)
	k, err := db.subjectKey(ctx, *tenant, t.subject(rec))
	if err != nil {
		return nil, err
	}
	for _, i := range idx {
		plain, ok := vals[i].(string)
		if !ok {
			return nil, fmt.Errorf("store: sensitive column %s.%s is not text", t.name, t.columns[i])
		}
		if vals[i], err = k.Seal(plain, sealedAAD(t.name, t.columns[i], *tenant, *id)); err != nil {
			return nil, err
		}
	}
	return vals, nil
}

// open opens the sensitive columns of a scanned record in place.
func (t *table[T]) open(ctx context.Context, db *DB, rec *T) error {
	idx := t.sealedIndexes()
	if len(idx) == 0 {
		return nil
	}
	tenant, id := t.key(rec)
	targets := t.targets(rec)
	var k *vault.SubjectKey
	for _, i := range idx {
		p := targets[i+2].(*string) // after tenant_id and id
		if *p == "" {
			continue
		}
		if k == nil {
			var err error
			if k, err = db.subjectKey(ctx, *tenant, t.subject(rec)); err != nil {
				return err
			}
		}
		plain, err := k.Open(*p, sealedAAD(t.name, t.columns[i], *tenant, *id))
		if err != nil {
			return fmt.Errorf("open %s.%s of row %d: %w", t.name, t.columns[i], *id, err)
		}
		*p = plain
	}
	return nil
}

// documentAAD binds a stored file to its document row.
func documentAAD(tenant, id kluis.ID) string { return sealedAAD("documents", "content", tenant, id) }

// sealBlob returns a reader of content encrypted with the subject's key.
func (db *DB) sealBlob(ctx context.Context, tenant, subject, doc kluis.ID, content io.Reader) (io.Reader, error) {
	k, err := db.subjectKey(ctx, tenant, subject)
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	go func() {
		ew, err := k.EncryptWriter(pw, documentAAD(tenant, doc))
		if err == nil {
			_, err = io.Copy(ew, content)
			if cerr := ew.Close(); err == nil {
				err = cerr
			}
		}
		pw.CloseWithError(err)
	}()
	return pr, nil
}

// tenantKeySubject is the subject id under which the vault keeps an
// agency's own key, for fingerprints that must compare across candidates.
const tenantKeySubject = 0

// bsnFingerprint is the keyed hash of a BSN within an agency.
func (db *DB) bsnFingerprint(ctx context.Context, tenant kluis.ID, bsn string) (string, error) {
	if db.vault == nil {
		return "", errNoVault
	}
	k, err := db.vault.Key(ctx, tenant, tenantKeySubject)
	if errors.Is(err, vault.ErrNoKey) {
		if err := db.vault.Create(ctx, tenant, tenantKeySubject); err != nil {
			return "", err
		}
		k, err = db.vault.Key(ctx, tenant, tenantKeySubject)
	}
	if err != nil {
		return "", err
	}
	return k.Fingerprint("bsn:" + bsn), nil
}

// sealBytes seals a whole file kept in a row (a letter) with the subject's
// key, bound to its place by aad.
func (db *DB) sealBytes(ctx context.Context, tenant, subject kluis.ID, aad string, plain []byte) ([]byte, error) {
	k, err := db.subjectKey(ctx, tenant, subject)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	ew, err := k.EncryptWriter(&buf, aad)
	if err != nil {
		return nil, err
	}
	if _, err := ew.Write(plain); err != nil {
		return nil, err
	}
	if err := ew.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// openBytes opens what sealBytes sealed.
func (db *DB) openBytes(ctx context.Context, tenant, subject kluis.ID, aad string, sealed []byte) ([]byte, error) {
	k, err := db.subjectKey(ctx, tenant, subject)
	if err != nil {
		return nil, err
	}
	r, err := k.DecryptReader(bytes.NewReader(sealed), aad)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}
