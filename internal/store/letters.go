package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"kluis/internal/kluis"
)

// Letters about a request, kept with it (issue 7). A letter that names the
// candidate is sealed with the candidate's key before it is written, so
// that a complete erasure destroys it with the key; any erasure of the
// candidate's history (the group of request_letters.content) empties the
// content of their sealed letters and keeps each row — kind, language,
// date, size and fingerprint — as the proof that the letter was sent. The
// erasure letter names nobody and is kept as it is.

// MaxLetterBytes bounds a stored letter.
const MaxLetterBytes = 8 << 20

const letterColumns = "tenant_id, id, request_id, candidate_id, kind, lang, sealed, size, sha256, erased_at, user_id, created_at"

func scanLetter(s interface{ Scan(...any) error }, l *kluis.RequestLetter) error {
	return s.Scan(&l.TenantID, &l.ID, &l.RequestID, &l.CandidateID, &l.Kind, &l.Lang, &l.Sealed, &l.Size, &l.SHA256, &l.ErasedAt,
		(*nullID)(&l.UserID), &l.CreatedAt)
}

func letterAAD(tenant, id kluis.ID) string {
	return sealedAAD("request_letters", "content", tenant, id)
}

// SaveLetter keeps a letter (a PDF) with its request, by the actor. A
// sealed letter is encrypted with the candidate's key; one for a
// candidate who is gone cannot be sealed and is refused.
func (db *DB) SaveLetter(ctx context.Context, a kluis.Actor, l *kluis.RequestLetter, content []byte) error {
	q, err := db.Request(ctx, a, l.RequestID)
	if err != nil {
		return err
	}
	p := kluis.Problems{}
	if !kluis.LetterKinds.Has(l.Kind) {
		p.Add("kind", "Onbekende soort brief.", "Unknown kind of letter.")
	}
	if !kluis.LetterLanguages.Has(l.Lang) {
		p.Add("lang", "Kies Nederlands of Engels.", "Choose Dutch or English.")
	}
	if len(content) == 0 || len(content) > MaxLetterBytes {
		p.Add("content", "De brief is leeg of te groot.", "The letter is empty or too large.")
	}
	if err := p.Err(); err != nil {
		return err
	}
	l.TenantID, l.CandidateID, l.UserID = a.TenantID, q.CandidateID, a.UserID
	l.ID, l.CreatedAt, l.Size, l.ErasedAt = db.ids.Next(), db.now(), int64(len(content)), nil
	sum := sha256.Sum256(content)
	l.SHA256 = hex.EncodeToString(sum[:])
	stored := content
	if l.Sealed {
		var err error
		if stored, err = db.sealBytes(ctx, a.TenantID, q.CandidateID, letterAAD(a.TenantID, l.ID), content); err != nil {
			return err
		}
	}
	return db.write(ctx, a, func(tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO request_letters ("+letterColumns+", content) VALUES ("+placeholders(1, 13)+")",
			l.TenantID, l.ID, l.RequestID, l.CandidateID, l.Kind, l.Lang, l.Sealed, l.Size, l.SHA256, nil, nullID(l.UserID), l.CreatedAt, stored); err != nil {
			return fmt.Errorf("save letter: %w", err)
		}
		tx.record(kluis.AuditEntry{Action: "create", Entity: "request_letters", EntityID: l.ID, CandidateID: l.CandidateID, Fields: []string{l.Kind}})
		return nil
	})
}

// Letters lists the letters of a request, oldest first.
func (db *DB) Letters(ctx context.Context, a kluis.Actor, request kluis.ID) ([]kluis.RequestLetter, error) {
	if _, err := db.Request(ctx, a, request); err != nil {
		return nil, err
	}
	rd, _, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := rd.QueryContext(ctx, "SELECT "+letterColumns+" FROM request_letters WHERE tenant_id = $1 AND request_id = $2 ORDER BY created_at, id",
		a.TenantID, request)
	if err != nil {
		return nil, fmt.Errorf("letters: %w", err)
	}
	defer rows.Close()
	out := []kluis.RequestLetter{}
	for rows.Next() {
		var l kluis.RequestLetter
		if err := scanLetter(rows, &l); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// OpenLetter returns a letter of a request and its content, unsealed. A
// letter whose content an erasure removed is not found, saying so.
func (db *DB) OpenLetter(ctx context.Context, a kluis.Actor, request, id kluis.ID) (*kluis.RequestLetter, []byte, error) {
	if _, err := db.Request(ctx, a, request); err != nil {
		return nil, nil, err
	}
	var l kluis.RequestLetter
	var content []byte
	rd, _, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return nil, nil, err
	}
	defer done()
	err = rd.QueryRowContext(ctx, "SELECT "+letterColumns+", content FROM request_letters WHERE tenant_id = $1 AND request_id = $2 AND id = $3",
		a.TenantID, request, id).Scan(&l.TenantID, &l.ID, &l.RequestID, &l.CandidateID, &l.Kind, &l.Lang, &l.Sealed, &l.Size, &l.SHA256,
		&l.ErasedAt, (*nullID)(&l.UserID), &l.CreatedAt, &content)
	done()
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, kluis.NotFound("letter")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("open letter: %w", err)
	}
	if l.ErasedAt != nil || content == nil {
		return nil, nil, kluis.Errorf(kluis.ENotFound, "De inhoud van deze brief is gewist met de gegevens van de kandidaat.",
			"The content of this letter was erased with the candidate's data.")
	}
	if !l.Sealed {
		return &l, content, nil
	}
	plain, err := db.openBytes(ctx, a.TenantID, l.CandidateID, letterAAD(a.TenantID, l.ID), content)
	if err != nil {
		return nil, nil, fmt.Errorf("open letter %d: %w", l.ID, err)
	}
	return &l, plain, nil
}

// eraseLetters empties, inside an erasure, the content of the candidate's
// sealed letters when the erasure erases the group they belong to (always
// when the candidate goes altogether). The rows stay as proof.
func eraseLetters(ctx context.Context, tx *writeTx, tenant, cand kluis.ID, due []string, complete bool, now time.Time) error {
	if !complete && !slices.Contains(due, "request_letters.content") {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "UPDATE request_letters SET content = NULL, erased_at = $3 WHERE tenant_id = $1 AND candidate_id = $2 AND sealed = $4 AND content IS NOT NULL",
		tenant, cand, now, true); err != nil {
		return fmt.Errorf("erase letters: %w", err)
	}
	return nil
}
