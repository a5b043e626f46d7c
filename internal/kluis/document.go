package kluis

import "time"

// Document is a file kept for a candidate; its content lives in the blob
// store under BlobKey, never in the database.
type Document struct {
	TenantID    ID        `json:"-"`
	ID          ID        `json:"id"`
	CandidateID ID        `json:"candidate_id"`
	Kind        string    `json:"kind"`
	FileName    string    `json:"file_name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	BlobKey     string    `json:"-"`
	UserID      ID        `json:"user_id,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// DocumentKinds are the kinds of document; each has its own retention rule.
var DocumentKinds = Choices{
	{"cv", Msg{"CV", "CV"}},
	{"id-copy", Msg{"Kopie ID", "ID copy"}},
	{"photo", Msg{"Pasfoto", "Photo"}},
	{"payroll-tax-form", Msg{"Loonbelastingverklaring", "Payroll-tax form"}},
	{"contract", Msg{"Contract", "Contract"}},
	{"pay-slip", Msg{"Loonstrook", "Pay slip"}},
	{"annual-statement", Msg{"Jaaropgaaf", "Annual statement"}},
	{"certificate", Msg{"Certificaat of diploma", "Certificate"}},
	{"work-permit", Msg{"Tewerkstellingsvergunning", "Work permit"}},
	{"other", Msg{"Anders", "Other"}},
}

// MaxDocumentBytes bounds one upload.
const MaxDocumentBytes = 20 << 20

// DocumentContentTypes are the types accepted, decided by content.
var DocumentContentTypes = []string{
	"application/pdf", "image/jpeg", "image/png", "image/webp",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/msword", "text/plain",
}

// Validate checks the metadata of a document.
func (d *Document) Validate() error {
	p := Problems{}
	if d.CandidateID == 0 {
		p.required("candidate_id")
	}
	p.choice("kind", d.Kind, DocumentKinds, true)
	p.line("file_name", &d.FileName, 200, true)
	if d.Kind == "photo" && d.ContentType != "" && d.ContentType != "image/jpeg" && d.ContentType != "image/png" && d.ContentType != "image/webp" {
		p.Add("file", "Een pasfoto moet een JPEG-, PNG- of WebP-afbeelding zijn.", "A photo must be a JPEG, PNG or WebP image.")
	}
	return p.Err()
}
