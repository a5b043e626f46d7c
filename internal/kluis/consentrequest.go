package kluis

import "time"

// ConsentRequest is kluis asking a candidate, by e-mail, whether it may
// keep their data longer than R1 or R3 allows: a personal link to agree
// or decline, valid until the data expire, usable once. No answer, or a
// decline, and the data expire on schedule.
type ConsentRequest struct {
	TenantID    ID         `json:"-"`
	ID          ID         `json:"id"`
	CandidateID ID         `json:"candidate_id"`
	DataExpires Date       `json:"data_expires"` // the day the data would go
	SentOn      Date       `json:"sent_on"`
	RemindedOn  Date       `json:"reminded_on,omitempty"`
	LinkExpires time.Time  `json:"link_expires"`
	Answer      string     `json:"answer,omitempty"` // "agreed" or "declined"; "" while unanswered
	AnsweredAt  *time.Time `json:"answered_at,omitempty"`
	ConsentID   ID         `json:"consent_id,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

// ConsentRenewalWording is the text a candidate agrees to through the link
// (kept with the consent as its wording).
const ConsentRenewalWording = "kluis-verlenging-v1: mijn gegevens mogen 2 jaar langer worden bewaard om mij werk aan te bieden; ik kan dit altijd intrekken."

// ConsentReminderAfter is how long after the request an unanswered one is
// followed by a reminder.
const ConsentReminderAfter = 14 * 24 * time.Hour
