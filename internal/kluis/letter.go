package kluis

import "time"

// RequestLetter is a letter to a candidate about their request, kept with
// the request as a PDF. Sealed letters name the candidate and are stored
// encrypted with the candidate's own key; an erasure empties their content
// and keeps the row as the proof that the letter was sent.
type RequestLetter struct {
	TenantID    ID         `json:"-"`
	ID          ID         `json:"id"`
	RequestID   ID         `json:"request_id"`
	CandidateID ID         `json:"candidate_id"`
	Kind        string     `json:"kind"`
	Lang        string     `json:"lang"`
	Sealed      bool       `json:"sealed"`
	Size        int64      `json:"size"`
	SHA256      string     `json:"sha256"`
	ErasedAt    *time.Time `json:"erased_at,omitempty"`
	UserID      ID         `json:"user_id,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

// LetterKinds are the letters kluis writes about a request.
var LetterKinds = Choices{
	{"access-answer", Msg{"Antwoord op het inzageverzoek", "Answer to the access request"}},
	{"record-card", Msg{"Stamkaart (bijlage bij het antwoord)", "Record card (enclosed with the answer)"}},
	{"extension", Msg{"Bericht van verlenging (art. 12 lid 3)", "Notice of extension (art. 12(3))"}},
	{"refusal", Msg{"Weigering (art. 12 lid 4)", "Refusal (art. 12(4))"}},
	{"erasure", Msg{"Antwoord op het verzoek om vergetelheid (art. 17)", "Answer to the erasure request (art. 17)"}},
}

// LetterLanguages are the languages a letter is written in.
var LetterLanguages = Choices{
	{"nl", Msg{"Nederlands", "Dutch"}},
	{"en", Msg{"Engels", "English"}},
}
