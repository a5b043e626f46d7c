package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"kluis/internal/kluis"
)

// The letters to the candidates concerned by a data breach (art. 34(2)),
// kept with the breach: kluis writes one per candidate not yet told, seals
// it with the candidate's key and records on their history that they were
// told by letter, in the transaction that keeps the letter. An erasure of
// the candidate's history empties the letter and keeps its row as proof,
// as with the letters about a request (letters.go).

// BreachLetterWriter lays out the letter of a breach to one candidate (a
// PDF): the store gives the breach, the candidate's name and postal
// address as read in the transaction that keeps the letter (nothing else
// of them), and the day the letter is dated.
type BreachLetterWriter func(b *kluis.Breach, to *kluis.Candidate, day kluis.Date) ([]byte, error)

func breachLetterAAD(tenant, id kluis.ID) string {
	return sealedAAD("breach_letters", "content", tenant, id)
}

const breachLetterColumns = "tenant_id, id, breach_id, candidate_id, lang, size, sha256, erased_at, user_id, created_at"

func scanBreachLetter(s interface{ Scan(...any) error }, l *kluis.BreachLetter) error {
	return s.Scan(&l.TenantID, &l.ID, &l.BreachID, &l.CandidateID, &l.Lang, &l.Size, &l.SHA256, &l.ErasedAt, (*nullID)(&l.UserID), &l.CreatedAt)
}

// checkNotice checks the language and the privacy officer's message of a
// notice to the candidates, by letter or e-mail, into p; it returns the
// message cleaned.
func checkNotice(p kluis.Problems, lang, message string) string {
	if lang != "nl" && lang != "en" {
		p.Add("lang", "Kies Nederlands (nl) of Engels (en).", "Choose Dutch (nl) or English (en).")
	}
	if s, ok := kluis.CleanText(message, 5000); !ok {
		p.Add("message", "Gebruik hooguit 5000 tekens, zonder stuurtekens.", "Use at most 5000 characters, without control characters.")
	} else if message = s; message == "" {
		p.Add("message", "Beschrijf in gewone taal wat er is gebeurd, de waarschijnlijke gevolgen en de maatregelen.",
			"Describe in plain language what happened, its likely consequences and the measures taken.")
	}
	return message
}

// RecordBreachLetters writes the letter of art. 34 to each candidate linked
// to a breach and not yet told (or only those of cands, when given), in
// lang, with the privacy officer's message about what happened, its likely
// consequences and the measures taken, dated the day it is sent ("" is
// today): write lays each letter out, the store seals it with the
// candidate's key and keeps it with the breach, marks the link as told by
// letter and writes the contact moment, breachNoticeBatch candidates to a
// transaction. Erased, restricted or gone candidates are skipped.
func (db *DB) RecordBreachLetters(ctx context.Context, a kluis.Actor, id kluis.ID, cands []kluis.ID, sent kluis.Date, lang, message string,
	write BreachLetterWriter) (BreachNoticeResult, error) {
	b, err := db.Breach(ctx, a, id)
	if err != nil {
		return BreachNoticeResult{}, err
	}
	p := kluis.Problems{}
	message = checkNotice(p, lang, message)
	if d, ok := kluis.ParseDate(string(sent)); !ok {
		p.Add("sent_on", "Geen geldige datum; gebruik dd-mm-jjjj.", "Not a valid date; use dd-mm-yyyy or yyyy-mm-dd.")
	} else if sent = d; sent == "" {
		sent = db.today()
	} else if sent > db.today() {
		p.Add("sent_on", "Een brief kan niet in de toekomst verstuurd zijn.", "A letter cannot have been sent in the future.")
	} else if sent < kluis.DateOf(b.DiscoveredAt) {
		p.Add("sent_on", "De brief ligt voor de ontdekking van het datalek.", "The letter is before the breach was discovered.")
	}
	if err := p.Err(); err != nil {
		return BreachNoticeResult{}, err
	}
	if write == nil {
		return BreachNoticeResult{}, errors.New("store: a breach letter needs a writer")
	}
	at := sent.Time().Add(12 * time.Hour) // noon: the day is what the letter proves
	if sent == db.today() {
		at = db.now().Truncate(time.Second)
	}
	first := func(tx *writeTx, b *kluis.Breach) {
		b.NoticeText = message
		if b.InformDecision == "" {
			b.InformDecision = "inform"
		}
	}
	return db.notify(ctx, a, id, cands, func(tx *writeTx, b *kluis.Breach, t breachNoticeTarget) (bool, error) {
		told := *b
		told.NoticeText, told.InformDecision = message, "inform"
		content, err := write(&told, &t.to, sent)
		if err != nil {
			return false, err
		}
		if len(content) == 0 || len(content) > MaxLetterBytes {
			return false, fmt.Errorf("breach letter: %d bytes", len(content))
		}
		l := &kluis.BreachLetter{TenantID: a.TenantID, ID: db.ids.Next(), BreachID: b.ID, CandidateID: t.id, Lang: lang, Size: int64(len(content)),
			UserID: a.UserID, CreatedAt: db.now()}
		sum := sha256.Sum256(content)
		l.SHA256 = hex.EncodeToString(sum[:])
		sealed, err := db.sealBytes(ctx, a.TenantID, t.id, breachLetterAAD(a.TenantID, l.ID), content)
		if err != nil {
			return false, err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO breach_letters ("+breachLetterColumns+", content) VALUES ("+placeholders(1, 11)+")",
			l.TenantID, l.ID, l.BreachID, l.CandidateID, l.Lang, l.Size, l.SHA256, nil, nullID(l.UserID), l.CreatedAt, sealed); err != nil {
			return false, fmt.Errorf("keep breach letter: %w", err)
		}
		tx.record(kluis.AuditEntry{Action: "create", Entity: "breach_letters", EntityID: l.ID, CandidateID: t.id, Fields: []string{"content"}})
		note := "Datalek " + strconv.FormatInt(b.ID, 10) + ": per brief geïnformeerd (art. 34 AVG, " + lang + "; brief " + strconv.FormatInt(l.ID, 10) + ")."
		return true, db.recordBreachNotice(ctx, tx, b, t.id, "letter", at, note)
	}, first)
}

// BreachLetters lists the letters kept with a breach, by candidate.
func (db *DB) BreachLetters(ctx context.Context, a kluis.Actor, breach kluis.ID) ([]kluis.BreachLetter, error) {
	if _, err := db.Breach(ctx, a, breach); err != nil {
		return nil, err
	}
	rd, _, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := rd.QueryContext(ctx, "SELECT "+breachLetterColumns+" FROM breach_letters WHERE tenant_id = $1 AND breach_id = $2 ORDER BY candidate_id, id",
		a.TenantID, breach)
	if err != nil {
		return nil, fmt.Errorf("breach letters: %w", err)
	}
	defer rows.Close()
	var out []kluis.BreachLetter
	for rows.Next() {
		var l kluis.BreachLetter
		if err := scanBreachLetter(rows, &l); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// OpenBreachLetter returns a letter kept with a breach and its content,
// opened with the candidate's key; an erased letter is not found.
func (db *DB) OpenBreachLetter(ctx context.Context, a kluis.Actor, breach, id kluis.ID) (*kluis.BreachLetter, []byte, error) {
	if _, err := db.Breach(ctx, a, breach); err != nil {
		return nil, nil, err
	}
	rd, _, done, err := db.reader(ctx, forAgency(a.TenantID))
	if err != nil {
		return nil, nil, err
	}
	var l kluis.BreachLetter
	var content []byte
	err = rd.QueryRowContext(ctx, "SELECT "+breachLetterColumns+", content FROM breach_letters WHERE tenant_id = $1 AND breach_id = $2 AND id = $3",
		a.TenantID, breach, id).Scan(&l.TenantID, &l.ID, &l.BreachID, &l.CandidateID, &l.Lang, &l.Size, &l.SHA256, &l.ErasedAt, (*nullID)(&l.UserID), &l.CreatedAt, &content)
	done()
	if errors.Is(err, sql.ErrNoRows) || (err == nil && content == nil) {
		return nil, nil, kluis.NotFound("letter")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("breach letter: %w", err)
	}
	plain, err := db.openBytes(ctx, a.TenantID, l.CandidateID, breachLetterAAD(a.TenantID, l.ID), content)
	if err != nil {
		return nil, nil, fmt.Errorf("open breach letter %d: %w", l.ID, err)
	}
	return &l, plain, nil
}

// eraseBreachLetters empties, inside an erasure, the content of the
// candidate's breach letters when the erasure erases the group they belong
// to (always when the candidate goes altogether). The rows stay as proof.
func eraseBreachLetters(ctx context.Context, tx *writeTx, tenant, cand kluis.ID, due []string, complete bool, now time.Time) error {
	if !complete && !slices.Contains(due, "breach_letters.content") {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "UPDATE breach_letters SET content = NULL, erased_at = $3 WHERE tenant_id = $1 AND candidate_id = $2 AND content IS NOT NULL",
		tenant, cand, now); err != nil {
		return fmt.Errorf("erase breach letters: %w", err)
	}
	return nil
}
