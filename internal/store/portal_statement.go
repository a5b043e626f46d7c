package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"kluis/internal/kluis"
)

// The privacy statement in the portal: which version the candidate has
// (the newest they were shown or sent, delivered), and accepting a newer
// current version there, which records it shown with channel "portal".

// PortalStatement returns the newest version the session's candidate has
// proof of (0 when none) and the current version (0 when none is
// published).
func (db *DB) PortalStatement(ctx context.Context, s *PortalSession) (mine, current int, err error) {
	err = db.readOne(ctx, forAgency(s.TenantID), func(rd querier) error {
		var v sql.NullInt64
		if err := rd.QueryRowContext(ctx, `SELECT MAX(m.statement_version) FROM contact_moments m WHERE m.tenant_id = $1 AND m.candidate_id = $2
			AND m.statement_version IS NOT NULL AND `+informedBy, s.TenantID, s.CandidateID).Scan(&v); err != nil {
			return fmt.Errorf("portal statement: %w", err)
		}
		mine = int(v.Int64)
		if err := rd.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM privacy_statements WHERE tenant_id = $1", s.TenantID).Scan(&current); err != nil {
			return fmt.Errorf("portal statement: %w", err)
		}
		return nil
	})
	return mine, current, err
}

// PortalAcceptStatement records that the session's candidate read and
// accepted version in the portal: a "privacy statement shown" moment with
// channel "portal". Only the current version is accepted; one accepted
// already is not recorded twice.
func (db *DB) PortalAcceptStatement(ctx context.Context, s *PortalSession, version int, accepted bool) (*kluis.ContactMoment, error) {
	var m *kluis.ContactMoment
	err := db.write(ctx, s.Actor(), func(tx *writeTx) error {
		cur, err := privacyStatement(ctx, tx, s.TenantID, 0)
		if err != nil {
			return err
		}
		p := kluis.Problems{}
		switch {
		case !accepted:
			p.Add("accept", "Vink aan dat u de privacyverklaring hebt gelezen en aanvaardt.", "Tick that you have read and accept the privacy statement.")
		case version != cur.Version:
			p.Add("accept", "Intussen is er een nieuwe versie van de privacyverklaring; lees die en aanvaard hem opnieuw.",
				"A new version of the privacy statement was published meanwhile; read it and accept it again.")
		}
		if err := p.Err(); err != nil {
			return err
		}
		var have int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM contact_moments m WHERE m.tenant_id = $1 AND m.candidate_id = $2 AND m.statement_version = $3
			AND m.kind = 'privacy-statement-shown'`, s.TenantID, s.CandidateID, version).Scan(&have); err != nil {
			return fmt.Errorf("portal statement: %w", err)
		}
		if have > 0 {
			return nil
		}
		m = &kluis.ContactMoment{TenantID: s.TenantID, CandidateID: s.CandidateID, Kind: "privacy-statement-shown", At: db.now().Truncate(time.Second),
			StatementVersion: version, StatementChannel: "portal", Note: statementNote(version, "portal") + " Aanvaard door de kandidaat."}
		return db.insertContactMoment(ctx, tx, m)
	})
	return m, err
}
