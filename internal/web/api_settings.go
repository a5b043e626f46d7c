package web

import (
	"context"
	"net/http"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// maySetSettings reports whether a role decides the agency's settings: the
// administrator, and the privacy officer, whose decision data minimisation
// and the controller's details are.
func maySetSettings(r kluis.Role) bool { return r == kluis.RoleAdmin || r == kluis.RolePrivacy }

// settingsBody is the agency's settings as the API shows them.
type settingsBody struct {
	Address  string        `json:"address"`
	KvK      string        `json:"kvk_number"`
	DPOName  string        `json:"dpo_name"`
	DPOEmail string        `json:"dpo_email"`
	DPOPhone string        `json:"dpo_phone"`
	Collect  []collectItem `json:"collect"`
	R1Months int           `json:"r1_months"`
	R3Months int           `json:"r3_months"`
	// The clean-up: every night on its own or not, the days of grace
	// after a term ends, and how many candidates a run checks for residue.
	CleanupNightly      bool `json:"cleanup_nightly"`
	CleanupGraceDays    int  `json:"cleanup_grace_days"`
	CleanupVerifySample int  `json:"cleanup_verify_sample"`
	// How many days before data expire under R1 or R3 candidates are
	// asked by e-mail whether they may be kept longer; 0 asks nobody.
	ConsentNoticeDays int        `json:"consent_notice_days"`
	Version           int64      `json:"version"`
	UpdatedAt         *time.Time `json:"updated_at"`
}

// collectItem is one optional item and whether the agency collects it.
type collectItem struct {
	Key       string     `json:"key"`
	Label     string     `json:"label"`
	Collected bool       `json:"collected"`
	OffSince  kluis.Date `json:"not_collected_since,omitempty"`
	RemovalOn kluis.Date `json:"removal_on,omitempty"`
	// Held is how many candidates (or documents) still hold a value that
	// is due for removal.
	Held int `json:"held"`
}

// settingsInput is a change of the settings: the whole set, with the
// version it is based on.
type settingsInput struct {
	Address      string   `json:"address"`
	KvK          string   `json:"kvk_number"`
	DPOName      string   `json:"dpo_name"`
	DPOEmail     string   `json:"dpo_email"`
	DPOPhone     string   `json:"dpo_phone"`
	NotCollected []string `json:"not_collected"`
	R1Months     int      `json:"r1_months"`
	R3Months     int      `json:"r3_months"`
	// The clean-up's settings. The change replaces the whole set, so an
	// absent one is its default (off, 7 days, 10 candidates), as an absent
	// term is the legal one: never a silent 0.
	CleanupNightly      *bool  `json:"cleanup_nightly"`
	CleanupGraceDays    *int   `json:"cleanup_grace_days"`
	CleanupVerifySample *int   `json:"cleanup_verify_sample"`
	ConsentNoticeDays   *int   `json:"consent_notice_days"` // absent: 30
	Version             *int64 `json:"version"`
}

// settingsOut gathers the settings with, per optional item, what is held.
func (s *Server) settingsOut(ctx context.Context, lang string) (*settingsBody, error) {
	a := actorFrom(ctx)
	set, err := s.db.Settings(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	held, err := s.db.HeldNotCollected(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	out := &settingsBody{Address: set.Address, KvK: set.KvK, DPOName: set.DPOName, DPOEmail: set.DPOEmail, DPOPhone: set.DPOPhone,
		Version: set.Version, Collect: []collectItem{}, R1Months: set.R1Months, R3Months: set.R3Months,
		CleanupNightly: set.CleanupNightly, CleanupGraceDays: set.CleanupGraceDays, CleanupVerifySample: set.CleanupVerifySample,
		ConsentNoticeDays: set.ConsentNoticeDays}
	if set.Version > 0 {
		out.UpdatedAt = &set.UpdatedAt
	}
	for _, c := range s.catalog.Collectables() {
		out.Collect = append(out.Collect, collectItem{Key: c.Key, Label: c.Label.In(lang), Collected: set.Collects(c.Key),
			OffSince: set.NotCollected[c.Key], RemovalOn: set.RemovalDay(c.Key), Held: held[c.Key]})
	}
	return out, nil
}

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request) error {
	out, err := s.settingsOut(r.Context(), lang(r))
	if err != nil {
		return err
	}
	return writeRecord(w, http.StatusOK, out, out.Version)
}

func (s *Server) putSettings(w http.ResponseWriter, r *http.Request) error {
	a := actorFrom(r.Context())
	if !maySetSettings(a.Role) {
		return errNoAccess
	}
	var in settingsInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Version == nil || *in.Version < 0 {
		p := kluis.Problems{}
		p.Add("version", "Geef de versie mee waarop de wijziging is gebaseerd (0 als er nog geen instellingen zijn).",
			"Give the version the change is based on (0 when there are no settings yet).")
		return p.Err()
	}
	if err := s.saveSettings(r.Context(), &in); err != nil {
		return err
	}
	return s.getSettings(w, r)
}

// saveSettings stores a change and makes this process see it at once.
func (s *Server) saveSettings(ctx context.Context, in *settingsInput) error {
	a := actorFrom(ctx)
	set := &kluis.Settings{Address: in.Address, KvK: in.KvK, DPOName: in.DPOName, DPOEmail: in.DPOEmail, DPOPhone: in.DPOPhone,
		NotCollected: map[string]kluis.Date{}, R1Months: in.R1Months, R3Months: in.R3Months,
		CleanupGraceDays: store.DefaultCleanupGraceDays, CleanupVerifySample: store.DefaultCleanupVerifySample,
		ConsentNoticeDays: store.DefaultConsentNoticeDays}
	if in.ConsentNoticeDays != nil {
		set.ConsentNoticeDays = *in.ConsentNoticeDays
	}
	if in.CleanupNightly != nil {
		set.CleanupNightly = *in.CleanupNightly
	}
	if in.CleanupGraceDays != nil {
		set.CleanupGraceDays = *in.CleanupGraceDays
	}
	if in.CleanupVerifySample != nil {
		set.CleanupVerifySample = *in.CleanupVerifySample
	}
	for _, k := range in.NotCollected {
		set.NotCollected[k] = ""
	}
	err := s.db.SaveSettings(ctx, a, set, *in.Version)
	s.settingsCache.forget(a.TenantID)
	if err == nil {
		s.log.Info("settings changed", "tenant", a.TenantID, "user", a.UserID, "version", set.Version, "not_collected", set.Off())
	}
	return err
}
