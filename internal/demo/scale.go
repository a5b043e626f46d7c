package demo

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// generate adds n candidates with their history through the store's bulk
// path: about 40% placed (with BSN, IBAN and up to three months of payroll),
// three contact moments each on average, and no documents, which would
// cost a file each and tell a load test nothing new.
func (a *agency) generate(ctx context.Context, g *gen, n int, progress func(done, total int)) error {
	report := func(done int) {
		if progress != nil {
			progress(done, n)
		}
	}
	report(0)
	err := a.db.BulkLoad(ctx, a.actors[0], func(b *store.Bulk) error {
		b.OnCommit(report)
		for k := 0; k < n; k++ {
			if k%1000 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if err := a.generateOne(b, g, k); err != nil {
				return fmt.Errorf("generated candidate %d: %w", k, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("demo: generate candidates: %w", err)
	}
	return nil
}

func (a *agency) generateOne(b *store.Bulk, g *gen, k int) error {
	branch, places := 0, utrechtPlaces
	if g.chance(0.4) {
		branch, places = 1, rotterdamPlaces
	}
	pl := places[0] // the city itself is the largest town around a branch
	if g.chance(0.6) {
		pl = places[g.r.IntN(len(places))]
	}
	first := g.pick(firstNames)
	name := lastNames[g.r.IntN(len(lastNames))]
	// Registrations lean towards recent years, as an agency's file grows.
	registered := g.today.AddDate(0, 0, -int(3650*math.Pow(g.r.Float64(), 1.6)))
	sinceReg := int(g.today.Sub(registered).Hours() / 24)
	house, addition := g.houseNumber()
	domain := "example.nl"
	if k%3 == 2 {
		domain = "example.com"
	}
	nat := g.nationality()
	fs := []string{g.pick(functions)}
	if g.chance(0.4) {
		if f := g.pick(functions); f != fs[0] {
			fs = append(fs, f)
		}
	}
	c := &kluis.Candidate{
		BranchID: a.branches[branch].ID, Initials: g.initials(first), FirstName: first, Prefix: name[0], LastName: name[1],
		DateOfBirth: date(g.ago(g.between(17, 66), 0, g.r.IntN(365))), Nationality: nat,
		Email: emailLocal(first, name[0]+name[1], strconv.Itoa(k)) + "@" + domain, Phone: g.newMobile(),
		Street: g.pick(streets), HouseNumber: house, HouseNumberAddition: addition, Postcode: g.postcode(pl), City: pl.city,
		Functions: fs, Availability: g.pick([]string{"fulltime", "parttime", "weekends", "on-call"}),
		RegisteredOn: date(registered), Source: g.pick([]string{"walk-in", "website", "website", "job-board", "referral", "import"}),
	}
	actor := a.actors[branch]
	note := func(kind string, day time.Time, text string) error {
		return b.AddContactMoment(&kluis.ContactMoment{CandidateID: c.ID, Kind: kind, At: g.at(day), UserID: actor.UserID, Note: text})
	}

	var placement *kluis.Placement
	var client demoClient
	lastActive := registered.AddDate(0, 0, g.r.IntN(min(sinceReg, 900)+1))
	payUntil := time.Time{}
	if g.chance(0.4) {
		start := registered.AddDate(0, 0, g.r.IntN(min(sinceReg, 60)+1))
		end := start.AddDate(0, 0, g.between(14, 1500))
		client = a.clientOf(g, branch)
		placement = &kluis.Placement{ClientID: client.ID, Function: fs[0], StartDate: date(start),
			HourlyWageCents: wageIn(int64(g.between(1420, 2100)), start.Year(), g.today.Year()),
			ContractKind:    g.pick([]string{"phase-a", "phase-a", "phase-b", "phase-c"})}
		c.Status, payUntil = "working", g.today.AddDate(0, -1, 0)
		if end.Before(g.today) {
			placement.EndDate, c.Status, c.Availability, payUntil = date(end), "left", "none", end
		}
		lastActive = start
		c.BSN, c.IBAN = g.ids.newBSN(), g.newIBAN()
		c.IDDocumentType, c.IDDocumentNumber = "id-card", g.idDocumentNumber()
		if !eea[nat] {
			c.IDDocumentType = "residence-permit"
		} else if nat != "NL" {
			c.IDDocumentType = "passport"
		}
		c.IDDocumentExpiry = date(g.today.AddDate(g.between(-2, 9), g.between(0, 11), 0))
	} else {
		switch {
		case sinceReg < 60:
			c.Status = "registered"
		case lastActive.Before(g.ago(1, 0, 0)):
			c.Status, c.Availability = "inactive", "none"
		default:
			c.Status = "available"
		}
	}

	var err error
	if placement != nil {
		err = b.AddCandidate(c, placement)
	} else {
		err = b.AddCandidate(c)
	}
	if err != nil {
		return err
	}
	if err := note("check-in", registered, "Ingeschreven."); err != nil {
		return err
	}
	if err := note("other", registered, "Papieren privacyverklaring van vóór kluis meegegeven."); err != nil {
		return err
	}
	for extra := g.r.IntN(3); extra > 0; extra-- {
		kind := g.pick([]string{"phone", "phone", "email", "visit"})
		if err := note(kind, g.dayBetween(registered, lastActive), g.pick(contactNotes[kind])); err != nil {
			return err
		}
	}
	if placement == nil {
		return nil
	}
	start := placement.StartDate.Time()
	if err := note("phone", start, "Plaatsing bij "+client.Name+" als "+placement.Function+" besproken."); err != nil {
		return err
	}
	periods := months(start, payUntil)
	if !start.Before(payUntil) {
		periods = nil
	}
	if len(periods) > 3 {
		periods = periods[len(periods)-3:]
	}
	for _, ym := range periods {
		gross, net := g.monthlyPay(placement.HourlyWageCents)
		if err := b.AddPayrollRecord(&kluis.PayrollRecord{CandidateID: c.ID, PlacementID: placement.ID,
			Year: ym[0], Period: ym[1], GrossCents: gross, NetCents: net}); err != nil {
			return err
		}
	}
	return nil
}

func (a *agency) clientOf(g *gen, branch int) demoClient {
	for {
		if c := a.clients[g.r.IntN(len(a.clients))]; c.branch == branch {
			return c
		}
	}
}
