package kluis

import "time"

// AuditEntry is one line of the access and audit log: who did what to which
// record, when. It holds ids and field names, never values, so it may be
// kept after the candidate it names is erased.
type AuditEntry struct {
	TenantID    ID        `json:"-"`
	Seq         int64     `json:"seq"`
	At          time.Time `json:"at"`
	UserID      ID        `json:"user_id"` // 0: kluis itself (scheduled work)
	Role        Role      `json:"role"`
	Action      string    `json:"action"`    // an AuditActions value
	Entity      string    `json:"entity"`    // the table, or "" for the agency as a whole
	EntityID    ID        `json:"entity_id"` // 0 when the entry is not about one row
	CandidateID ID        `json:"candidate_id"`
	Fields      []string  `json:"fields"`
	Reason      string    `json:"reason"` // a RevealReasons value, or why kluis removed data
	RequestID   string    `json:"request_id"`
}

// AuditActions are what an entry records.
var AuditActions = Choices{
	{"view", Msg{"Bekeken", "Viewed"}},
	{"reveal", Msg{"Afgeschermd gegeven getoond", "Masked field revealed"}},
	{"download", Msg{"Gedownload", "Downloaded"}},
	{"create", Msg{"Aangemaakt", "Created"}},
	{"update", Msg{"Gewijzigd", "Changed"}},
	{"delete", Msg{"Verwijderd", "Deleted"}},
	{"remove", Msg{"Door kluis verwijderd (termijn of instelling)", "Removed by kluis (term or setting)"}},
	{"cleanup", Msg{"Opschoonronde gestart", "Clean-up run started"}},
	{"erase", Msg{"Gewist (bewaartermijn of verzoek), met bewijs", "Erased (retention term or request), with proof"}},
	{"settings", Msg{"Instellingen gewijzigd", "Settings changed"}},
	{"login", Msg{"Ingelogd", "Logged in"}},
	{"login-failed", Msg{"Inloggen mislukt", "Log-in failed"}},
	{"locked", Msg{"Account tijdelijk geblokkeerd", "Account locked for a while"}},
}

// RevealReasons are why a staff member may ask to see a masked value. They
// are a closed list, so the log holds no free text that could name anyone.
var RevealReasons = Choices{
	{"identity-check", Msg{"Identiteit controleren", "Checking identity"}},
	{"payroll", Msg{"Loonadministratie", "Payroll"}},
	{"candidate-request", Msg{"Op verzoek van de kandidaat", "At the candidate's request"}},
	{"authority", Msg{"Vraag van een instantie (Belastingdienst, UWV)", "Question from an authority (tax office, UWV)"}},
}

// AuditReasons are the reasons an entry may give: those for revealing, and
// the rules by which kluis removes data itself.
var AuditReasons = append(append(Choices{}, RevealReasons...),
	Choice{"R2", Msg{"R2: kopie ID van wie niet in dienst is, na 4 weken", "R2: ID copy of someone not employed, after 4 weeks"}},
	Choice{"not-collected", Msg{"Het bureau verzamelt dit gegeven niet meer", "The agency no longer collects this"}},
)
