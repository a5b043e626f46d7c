// Package cleanup runs the clean-up (opschonen): it erases, candidate by
// candidate, what the retention plan says is due, in the background, with
// progress, verification of a sample, and a report without personal data.
// A run is written to the database before it starts (store.CleanupRun and
// its items), so that a run killed halfway is resumed by the next process
// and nothing is touched twice.
package cleanup

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// DefaultBatch is how many candidates are erased between two progress
// reports (and two deletions of files and keys).
const DefaultBatch = 200

// Runner runs clean-up runs.
type Runner struct {
	DB *store.DB
	// Batch is the number of candidates between progress reports; 0 is
	// DefaultBatch.
	Batch int
	// Progress, when set, is told of a run's progress after every batch
	// and when it ends.
	Progress func(run *store.CleanupRun)
	// Verifying is the time the last Run spent verifying its sample: a
	// scan of every table, the database file and the documents, whose
	// cost grows with the database, not with the candidates erased.
	Verifying time.Duration
}

// Run does the work of a run until every item is handled or ctx ends. The
// actor is the one who started it (kluis itself for a nightly run).
func (r *Runner) Run(ctx context.Context, a kluis.Actor, run *store.CleanupRun) error {
	db := r.DB
	r.Verifying = 0
	set, err := db.Settings(ctx, a.TenantID)
	if err != nil {
		return err
	}
	opt := store.EraseOptions{Reason: "retention", RunID: run.ID}
	if run.Nightly {
		opt.GraceDays = set.CleanupGraceDays
	}
	// The sample to verify: the first candidates of the run, as many as
	// the setting says (less those a killed predecessor verified). Their
	// identifiers are gathered before their erasure and kept in memory
	// only.
	sample := set.CleanupVerifySample - run.Verified
	known := map[kluis.ID]*store.Known{}
	var toVerify []kluis.Erasure
	// Counted once from the database (a resumed run counts what its
	// predecessor did), then in memory, batch by batch.
	if err := db.CountCleanupRun(ctx, run); err != nil {
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		ids, err := db.PendingCleanupItems(ctx, a.TenantID, run.ID, cmp.Or(r.Batch, DefaultBatch))
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			break
		}
		for _, id := range ids {
			if len(known) >= sample {
				break
			}
			if k, err := db.KnowBeforeErasure(ctx, a.TenantID, id); err == nil {
				known[id] = k
			}
		}
		handled := len(ids)
		for len(ids) > 0 {
			recs, err := db.Erase(ctx, a, ids, opt)
			for _, rec := range recs {
				if known[rec.CandidateID] != nil {
					toVerify = append(toVerify, rec)
				}
				if rec.Complete {
					run.Complete++
				} else {
					run.Partial++
				}
			}
			var one *store.EraseError
			if errors.As(err, &one) {
				// One candidate failed: it is noted by id and code, and
				// the rest of the batch goes on.
				run.Report.Errors = append(run.Report.Errors, fmt.Sprintf("%d: %s", one.Candidate, kluis.ErrorCode(one.Err)))
				if err := db.MarkCleanupItem(ctx, a.TenantID, run.ID, one.Candidate, "failed"); err != nil {
					return err
				}
				run.Failed++
				ids = after(ids, one.Candidate)
				continue
			}
			if err != nil {
				return err
			}
			break
		}
		// The sample is verified as soon as its batch is erased: a run
		// that is killed later keeps its verification, and one killed
		// before it gathers a new sample when it is resumed.
		if len(toVerify) > 0 {
			began := time.Now()
			hits, err := db.VerifyErasures(ctx, toVerify, known)
			r.Verifying += time.Since(began)
			if err != nil {
				return err
			}
			run.Verified += len(toVerify)
			run.Residue += hits
			toVerify = nil
		}
		done := run.Complete + run.Partial + run.Failed
		run.Done += handled
		run.Skipped = run.Done - done
		if err := db.SaveCleanupCounts(ctx, run); err != nil {
			return err
		}
		if r.Progress != nil {
			r.Progress(run)
		}
	}
	db.Checkpoint(ctx)
	if err := db.SaveCleanupProgress(ctx, run, true); err != nil {
		return err
	}
	if r.Progress != nil {
		r.Progress(run)
	}
	return nil
}

// after returns the ids that follow id.
func after(ids []kluis.ID, id kluis.ID) []kluis.ID {
	for i, x := range ids {
		if x == id {
			return ids[i+1:]
		}
	}
	return nil
}

// Resume finishes what crashes left: erasures whose files or keys were
// still to remove, and runs whose process stopped giving signs of life
// (all running runs of the tenant when stale is false: at start-up of a
// single process, or `kluis cleanup --apply`). Tenant 0 is every agency.
func (r *Runner) Resume(ctx context.Context, tenant kluis.ID, staleOnly bool) (int, error) {
	if _, err := r.DB.ResumeErasures(ctx); err != nil {
		return 0, err
	}
	runs, err := r.DB.UnfinishedCleanupRuns(ctx, tenant, staleOnly)
	if err != nil {
		return 0, err
	}
	for i := range runs {
		run := &runs[i]
		a := kluis.Actor{TenantID: run.TenantID, UserID: run.UserID, Role: kluis.RolePrivacy}
		if run.UserID == 0 {
			a.Role = ""
		}
		if err := r.Run(ctx, a, run); err != nil {
			return i, err
		}
	}
	return len(runs), nil
}

// Nightly starts and runs the night's clean-up of an agency that chose
// it, once a day, from 02:00 on. It reports whether it ran.
func (r *Runner) Nightly(ctx context.Context, tenant kluis.ID, now kluis.Clock) (bool, error) {
	set, err := r.DB.Settings(ctx, tenant)
	if err != nil || !set.CleanupNightly || now.Now().Hour() < 2 {
		return false, err
	}
	runs, _, err := r.DB.CleanupRuns(ctx, kluis.Actor{TenantID: tenant}, kluis.Page{Limit: 20})
	if err != nil {
		return false, err
	}
	today := kluis.DateOf(now.Now())
	for _, run := range runs {
		if run.Nightly && run.Date == today {
			return false, nil
		}
	}
	a := kluis.Actor{TenantID: tenant}
	run, err := r.DB.StartCleanupRun(ctx, a, nil, true)
	if err != nil {
		return false, err
	}
	return true, r.Run(ctx, a, run)
}
