package web

import (
	"net/http"
	"strconv"
	"time"
)

func (s *Server) agencyRoutes() []route {
	return []route{
		{"GET", "/settings/agency", session, s.agencyPage},
		{"POST", "/settings/agency", session, s.agencySave},
	}
}

// agencyView is the page of the agency's own settings: its details as the
// controller and the optional data it collects.
type agencyView struct {
	Base
	Form     *Form
	Settings *settingsBody
	// Collect says per optional item whether the form asks to collect it.
	Collect map[string]bool
	Updated time.Time
}

var agencyFields = []string{"address", "kvk_number", "dpo_name", "dpo_email", "dpo_phone", "r1_months", "r3_months",
	"cleanup_nightly", "cleanup_grace_days", "cleanup_verify_sample", "consent_notice_days", "version"}

func (s *Server) agencyView(r *http.Request, f *Form) (*agencyView, error) {
	a := actorFrom(r.Context())
	if !maySetSettings(a.Role) {
		return nil, errNoAccess
	}
	v := &agencyView{Base: s.baseFor(r, "settings", "agency.title"), Form: f, Collect: map[string]bool{}}
	out, err := s.settingsOut(r.Context(), v.Lang)
	if err != nil {
		return nil, err
	}
	v.Settings = out
	if out.UpdatedAt != nil {
		v.Updated = *out.UpdatedAt
	}
	if f != nil && f.Stale {
		// Someone saved in between: the next save, on purpose, replaces it.
		f.Values["version"] = strconv.FormatInt(out.Version, 10)
	}
	if v.Form == nil {
		v.Form = newForm(v.Lang)
		for k, val := range map[string]string{"address": out.Address, "kvk_number": out.KvK, "dpo_name": out.DPOName,
			"dpo_email": out.DPOEmail, "dpo_phone": out.DPOPhone, "version": strconv.FormatInt(out.Version, 10),
			"r1_months": monthsValue(out.R1Months), "r3_months": monthsValue(out.R3Months),
			"cleanup_grace_days": strconv.Itoa(out.CleanupGraceDays), "cleanup_verify_sample": strconv.Itoa(out.CleanupVerifySample),
			"consent_notice_days": strconv.Itoa(out.ConsentNoticeDays),
			"cleanup_nightly":     onValue(out.CleanupNightly)} {
			v.Form.Values[k] = val
		}
		for _, c := range out.Collect {
			v.Collect[c.Key] = c.Collected
		}
	}
	return v, nil
}

func (s *Server) agencyPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.agencyView(r, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "agency", "", v)
}

func (s *Server) agencySave(w http.ResponseWriter, r *http.Request) error {
	if !maySetSettings(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	f := formFrom(r, userFrom(r.Context()).Language, agencyFields...)
	collect := map[string]bool{}
	for _, k := range r.PostForm["collect"] {
		collect[k] = true
	}
	version := f.Int64("version")
	in := &settingsInput{Address: f.Values["address"], KvK: f.Values["kvk_number"], DPOName: f.Values["dpo_name"],
		DPOEmail: f.Values["dpo_email"], DPOPhone: f.Values["dpo_phone"], Version: &version,
		R1Months: int(f.Int64("r1_months")), R3Months: int(f.Int64("r3_months"))}
	// The form always carries the clean-up's settings; one left empty is
	// its default.
	nightly := f.Values["cleanup_nightly"] == "on"
	in.CleanupNightly = &nightly
	for _, k := range []string{"cleanup_grace_days", "cleanup_verify_sample", "consent_notice_days"} {
		if f.Values[k] == "" {
			continue
		}
		n := int(f.Int64(k))
		switch k {
		case "cleanup_grace_days":
			in.CleanupGraceDays = &n
		case "cleanup_verify_sample":
			in.CleanupVerifySample = &n
		default:
			in.ConsentNoticeDays = &n
		}
	}
	for _, c := range s.catalog.Collectables() {
		if !collect[c.Key] {
			in.NotCollected = append(in.NotCollected, c.Key)
		}
	}
	var err error
	if !f.HasErrors() {
		err = s.saveSettings(r.Context(), in)
	}
	if err == nil && !f.HasErrors() {
		return seeOther(w, r, "/settings/agency", "form.saved")
	}
	if err := f.Fail(err); err != nil {
		return err
	}
	v, verr := s.agencyView(r, f)
	if verr != nil {
		return verr
	}
	v.Collect = collect
	return s.render(w, r, http.StatusUnprocessableEntity, "agency", "", v)
}

// MayRecordCard says whether the viewer produces record cards (access
// requests).
func (b Base) MayRecordCard() bool { return b.User != nil && mayProduceRecordCard(b.User.Role) }

// MayCleanUp and MayReadAudit say whether the viewer has the privacy
// officer's lists in the menu.
func (b Base) MayCleanUp() bool   { return b.User != nil && mayCleanUp(b.User.Role) }
func (b Base) MayReadAudit() bool { return b.User != nil && mayReadAudit(b.User.Role) }

// MayGrant says whether the viewer sets the field permissions.
func (b Base) MayGrant() bool { return b.User != nil && mayGrant(b.User.Role) }

// The settings page links here for the roles that decide.
func (b Base) MaySetAgency() bool { return b.User != nil && maySetSettings(b.User.Role) }

// onValue is a ticked checkbox's value in a form.
func onValue(b bool) string {
	if b {
		return "on"
	}
	return ""
}

// monthsValue shows a term in months in a form: empty for the legal one.
func monthsValue(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}
