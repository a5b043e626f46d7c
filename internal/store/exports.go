package store

import (
	"context"

	"kluis/internal/kluis"
)

// Exports of a restricted candidate (art. 18). A file made of a
// candidate's data for use outside kluis — a document's content, the
// documents as a ZIP, the portability export — is use of those data, and
// while their processing is restricted the store refuses it (MayExport,
// and OpenDocument for every file it opens), whatever the screen or API
// call. Three exports still go:
//
//   - processing anyway (art. 18(2)): the context carries an override
//     (WithOverride), recorded in restriction_overrides with the export
//     (entity "export:<what>") as for a write;
//   - the answer to the candidate's own access or portability request:
//     the privacy officer gives the request (AnsweringRequest), and the
//     store checks that it is that candidate's, verified and open;
//   - the candidate themselves in the portal (PortalSession.Exercising).
//
// A check that passes marks the context for the candidate (cleared), so
// that the files of one archive do not each record the override again.

type answeringKey struct{}

type clearedKey struct{}

type portalSessionKey struct{}

// AnsweringRequest marks what is made with ctx as the answer to the
// request id (access or portability) of the candidate it names.
func AnsweringRequest(ctx context.Context, id kluis.ID) context.Context {
	return context.WithValue(ctx, answeringKey{}, id)
}

// Exercising marks what is made with ctx as the session's candidate's
// own download of their data in the portal (art. 15 and 20).
func (s *PortalSession) Exercising(ctx context.Context) context.Context {
	return context.WithValue(exercisingRights(ctx), portalSessionKey{}, s.CandidateID)
}

// MayExport refuses an export (what: "documents", "portability") of the
// candidate's data while their processing is restricted, unless it is
// one of the three that go (above). It returns the context to make the
// export with.
func (db *DB) MayExport(ctx context.Context, a kluis.Actor, cand kluis.ID, what string) (context.Context, error) {
	if c, _ := ctx.Value(clearedKey{}).(kluis.ID); c == cand {
		return ctx, nil
	}
	restricted, err := db.ProcessingRestricted(ctx, a, cand)
	if err != nil {
		return ctx, err
	}
	// The export's files are opened with the context returned: checked
	// once for the export, not once a file.
	cleared := context.WithValue(ctx, clearedKey{}, cand)
	if !restricted {
		return cleared, nil
	}
	if own, _ := ctx.Value(portalSessionKey{}).(kluis.ID); own == cand && own != 0 && a.Role == kluis.RoleCandidate {
		return cleared, nil
	}
	if id, _ := ctx.Value(answeringKey{}).(kluis.ID); id != 0 {
		if err := db.answers(ctx, a, id, cand); err != nil {
			return ctx, err
		}
		return cleared, nil
	}
	if _, ok := overrideFrom(ctx); !ok {
		return ctx, kluis.ErrProcessingRestricted()
	}
	err = db.write(ctx, a, func(tx *writeTx) error {
		return tx.mayProcess(ctx, cand, "export:"+what)
	})
	if err != nil {
		return ctx, err
	}
	return cleared, nil
}

// answers checks that request id is one an export may answer: the
// candidate's own access or portability request, verified and open, in
// the hands of the privacy officer.
func (db *DB) answers(ctx context.Context, a kluis.Actor, id, cand kluis.ID) error {
	if a.Role != kluis.RolePrivacy {
		return kluis.ErrProcessingRestricted()
	}
	q, err := db.Request(ctx, a, id)
	if kluis.ErrorCode(err) == kluis.ENotFound {
		p := kluis.Problems{}
		p.Add("request", "Dit verzoek bestaat niet.", "This request does not exist.")
		return p.Err()
	}
	if err != nil {
		return err
	}
	p := kluis.Problems{}
	switch {
	case q.CandidateID != cand:
		p.Add("request", "Dit verzoek is niet van deze kandidaat.", "This request is not this candidate's.")
	case q.Kind != "access" && q.Kind != "portability":
		p.Add("request", "Alleen een verzoek om inzage of overdraagbaarheid wordt met een export beantwoord.",
			"Only an access or portability request is answered with an export.")
	case q.Closed():
		p.Add("request", "Dit verzoek is al afgesloten.", "This request is closed already.")
	case !q.Verified():
		p.Add("request", "Controleer eerst de identiteit van de aanvrager.", "Verify the requester's identity first.")
	}
	return p.Err()
}
