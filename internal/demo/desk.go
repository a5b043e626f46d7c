package demo

import (
	"context"
	"fmt"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// createPrivacyOfficersDesk gives the privacy officer what their desk shows
// on a real agency's first weeks with kluis, each made through the store as
// the staff and the candidates would: a finished clean-up run that erased
// the candidates whose every term had run out; a published privacy
// statement (kluis's default text, whose tables come from the catalogue),
// shown to the hand-made candidates who registered this past year, but two
// — the others appear in the list of candidates without a record of the
// current version; requests of candidates in every state (one past its
// deadline, one extended); consent requests to those whose data expire
// within the month, agreed, declined and unanswered; a week of the access
// log with one staff member who revealed far more BSNs than the others;
// and one data breach discovered yesterday, whose 72-hour clock is still
// running.
func (a *agency) createPrivacyOfficersDesk(ctx context.Context, g *gen, privacy kluis.Actor, users []kluis.User, linkBase string) error {
	if err := a.runCleanup(ctx, g, privacy); err != nil {
		return err
	}
	st := &kluis.PrivacyStatement{TextNL: kluis.DefaultStatement("nl"), TextEN: kluis.DefaultStatement("en")}
	if err := a.db.PublishPrivacyStatement(ctx, privacy, st); err != nil {
		return fmt.Errorf("demo: publish the privacy statement: %w", err)
	}
	cands, _, err := a.db.ListCandidates(ctx, privacy, store.CandidateFilter{Page: kluis.Page{Limit: kluis.MaxPageSize}})
	if err != nil {
		return fmt.Errorf("demo: candidates: %w", err)
	}
	// Those who registered this past year were shown it at the desk (a
	// showing is a contact, which would restart the retention terms of
	// the others); restricted candidates cannot be informed; and two of
	// this year's are left without.
	since := kluis.DateOf(a.db.Now().AddDate(-1, 0, 0))
	var told []kluis.ID
	skip := 2
	for _, c := range cands {
		if c.Restricted != "" || c.RegisteredOn < since {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		// Shown at the desk by the staff of the candidate's branch: a
		// branch's staff do not see the other branch's candidates.
		for _, actor := range append(a.actors, privacy) {
			_, err := a.db.RecordStatementShown(ctx, actor, c.ID, "desk")
			if err == nil {
				told = append(told, c.ID)
				break
			}
			if kluis.ErrorCode(err) != kluis.ENotFound {
				return fmt.Errorf("demo: statement shown to candidate %d: %w", c.ID, err)
			}
		}
	}
	if err := a.createRequests(ctx, privacy, cands); err != nil {
		return err
	}
	if err := a.askConsent(ctx, privacy, linkBase); err != nil {
		return err
	}
	if err := a.logAccess(ctx, users, cands); err != nil {
		return err
	}
	b := &kluis.Breach{
		Title:        "E-mail met cv's aan de verkeerde klant",
		DiscoveredAt: a.db.Now().Add(-30 * time.Hour).Truncate(time.Second),
		Facts:        "Een intercedent stuurde de cv's van twee kandidaten naar een verkeerde contactpersoon bij een klant. De ontvanger meldde het zelf en heeft de e-mail verwijderd.",
		Categories:   []string{"identity", "contact", "documents"},
		Effects:      "Naam, contactgegevens en werkervaring zijn bij één onbevoegde ontvanger terechtgekomen.",
		Measures:     "De ontvanger heeft schriftelijk bevestigd dat de e-mail en de bijlagen zijn verwijderd.",
		Risk:         "risk",
	}
	if err := a.db.ReportBreach(ctx, privacy, b); err != nil {
		return fmt.Errorf("demo: report a breach: %w", err)
	}
	if len(told) >= 2 {
		if _, err := a.db.LinkBreachCandidates(ctx, privacy, b.ID, told[:2]); err != nil {
			return fmt.Errorf("demo: link the breach: %w", err)
		}
	}
	return nil
}
