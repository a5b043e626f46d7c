package web

import (
	"archive/zip"
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"time"

	"kluis/internal/kluis"
	"kluis/internal/report"
	"kluis/internal/store"
)

// Letters about a request, kept with it (issue 7), and the answer to an
// access or portability request in one step. Only the privacy officer
// makes and reads them. A letter that names the candidate is sealed with
// the candidate's key; the erasure letter names nobody (see
// store/letters.go).

// letterInput is the body of POST /api/v1/requests/{id}/letters and the
// form on the request's page.
type letterInput struct {
	Kind   string `json:"kind"`
	Lang   string `json:"lang"`
	Reason string `json:"reason"`
}

// answerInput is the body of POST /api/v1/requests/{id}/answer.
type answerInput struct {
	Lang string `json:"lang"`
}

// letterFormKinds are the letters the request page's form writes; the
// answer and the record card come from the answer in one step.
var letterFormKinds = kluis.Choices{}

func init() {
	for _, c := range kluis.LetterKinds {
		if c.Value == "extension" || c.Value == "refusal" || c.Value == "erasure" {
			letterFormKinds = append(letterFormKinds, c)
		}
	}
}

// The closed lists of the letters, for templates.
func (Base) LetterKindChoices() kluis.Choices     { return kluis.LetterKinds }
func (Base) LetterFormChoices() kluis.Choices     { return letterFormKinds }
func (Base) LetterLanguageChoices() kluis.Choices { return kluis.LetterLanguages }

// requestLetters is the letters section of a request's page.
type requestLetters struct {
	Items []kluis.RequestLetter
	Form  *Form
	// CanAnswer: a verified, open access or portability request of a
	// candidate who is still there can be answered in one step.
	CanAnswer bool
}

// loadLetters loads the letters section; failed is the refused letter
// form, nil for none.
func (s *Server) loadLetters(r *http.Request, q *kluis.Request, lang string, candidateThere bool, failed *Form) (*requestLetters, error) {
	items, err := s.db.Letters(r.Context(), actorFrom(r.Context()), q.ID)
	if err != nil {
		return nil, err
	}
	v := &requestLetters{Items: items, Form: failed}
	if v.Form == nil {
		v.Form = newForm(lang)
		v.Form.Values["lang"] = "nl"
	}
	v.CanAnswer = candidateThere && q.Verified() && !q.Closed() && (q.Kind == "access" || q.Kind == "portability")
	return v, nil
}

// letterProblem is a refusal of a letter as a field error.
func letterProblem(field, nl, en string) error {
	p := kluis.Problems{}
	p.Add(field, nl, en)
	return p.Err()
}

// makeLetter writes and keeps a letter of kind about the request: the
// extension notice, a refusal or the erasure letter.
func (s *Server) makeLetter(r *http.Request, id kluis.ID, in letterInput) (*kluis.RequestLetter, error) {
	ctx, a := r.Context(), actorFrom(r.Context())
	if !mayHandleRequests(a.Role) {
		return nil, errNoAccess
	}
	q, err := s.db.Request(ctx, a, id)
	if err != nil {
		return nil, err
	}
	p := kluis.Problems{}
	if !letterFormKinds.Has(in.Kind) {
		p.Add("kind", "Kies een van: "+joinValues(letterFormKinds)+".", "Choose one of: "+joinValues(letterFormKinds)+".")
	}
	if in.Lang == "" {
		in.Lang = "nl"
	}
	if !kluis.LetterLanguages.Has(in.Lang) {
		p.Add("lang", "Kies Nederlands (nl) of Engels (en).", "Choose Dutch (nl) or English (en).")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	ctl, err := s.controller(r)
	if err != nil {
		return nil, err
	}
	l := &report.Letter{Controller: ctl, Date: s.clock.Now().UTC().Truncate(time.Second), Request: *q, Lang: in.Lang}
	letter := &kluis.RequestLetter{RequestID: q.ID, Kind: in.Kind, Lang: in.Lang, Sealed: in.Kind != "erasure"}
	var buf bytes.Buffer
	switch in.Kind {
	case "erasure":
		if q.Kind != "erasure" || q.Status != "done" {
			return nil, letterProblem("kind", "De brief over het wissen volgt op het wissen: wis eerst met de knop Wissen.",
				"The erasure letter follows the erasure: erase first with the Erase button.")
		}
		var e *kluis.Erasure
		if q.ErasureID != 0 {
			if e, err = s.db.ErasureRecord(ctx, a, q.ErasureID); err != nil {
				return nil, err
			}
		}
		// The organisations told to erase the data too (art. 19).
		notices, nerr := s.db.RequestNotices(ctx, a, q.ID)
		if nerr != nil {
			return nil, nerr
		}
		var notified []string
		for _, n := range notices {
			if !n.ToCandidate && n.About == "erasure" && !slices.Contains(notified, n.Recipient) {
				notified = append(notified, n.Recipient)
			}
		}
		err = l.ErasureLetter(&buf, e, notified, amsterdam)
	case "extension", "refusal":
		var c *kluis.Candidate
		c, err = s.db.Candidate(ctx, a, q.CandidateID)
		if kluis.ErrorCode(err) == kluis.ENotFound {
			return nil, letterProblem("kind", "De kandidaat is gewist: er is geen adres meer om deze brief aan te richten.",
				"The candidate was erased: there is no address left to send this letter to.")
		}
		if err != nil {
			return nil, err
		}
		l.To = report.AddresseeOf(c)
		reason := in.Reason
		if in.Kind == "extension" {
			if q.Closed() {
				return nil, letterProblem("kind", "Dit verzoek is al afgesloten.", "This request is closed already.")
			}
			if reason == "" {
				reason = q.ExtensionReason
			}
		}
		switch {
		case reason == "":
			return nil, letterProblem("reason", "Verplicht: de kandidaat moet weten waarom.", "Required: the candidate must know why.")
		case len([]rune(reason)) > kluis.RequestReasonMax:
			return nil, letterProblem("reason", "Hooguit "+strconv.Itoa(kluis.RequestReasonMax)+" tekens.", "At most "+strconv.Itoa(kluis.RequestReasonMax)+" characters.")
		}
		if in.Kind == "extension" {
			due := q.DueOn
			if q.ExtendedOn == "" {
				due = kluis.AddMonths(kluis.RequestDue(q.ReceivedOn), 2)
			}
			err = l.ExtensionLetter(&buf, reason, due, amsterdam)
		} else {
			err = l.RefusalLetter(&buf, reason, amsterdam)
		}
	}
	if err != nil {
		return nil, err
	}
	if err := s.db.SaveLetter(ctx, a, letter, buf.Bytes()); err != nil {
		return nil, err
	}
	return letter, nil
}

func joinValues(cs kluis.Choices) string {
	out := ""
	for i, v := range cs.Values() {
		if i > 0 {
			out += ", "
		}
		out += v
	}
	return out
}

// letterCreate is POST /requests/{id}/letters.
func (s *Server) letterCreate(w http.ResponseWriter, r *http.Request) error {
	if !mayHandleRequests(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	id, err := pathID(r, "request")
	if err != nil {
		return err
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	f := formFrom(r, s.baseFor(r, "", "").Lang, "kind", "lang", "reason")
	_, err = s.makeLetter(r, id, letterInput{Kind: f.Values["kind"], Lang: f.Values["lang"], Reason: f.Values["reason"]})
	if err == nil {
		return seeOther(w, r, "/requests/"+formatID(id), "request.letter.done")
	}
	if err := f.Fail(err); err != nil {
		return err
	}
	v, err := s.loadRequestView(r, map[string]*Form{"letter": f})
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "request", "", v)
}

// sendLetter sends a kept letter as a PDF.
func (s *Server) sendLetter(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	if !mayHandleRequests(a.Role) {
		return errNoAccess
	}
	id, err := pathID(r, "request")
	if err != nil {
		return err
	}
	lid, err := strconv.ParseInt(r.PathValue("letter"), 10, 64)
	if err != nil || lid <= 0 {
		return kluis.NotFound("letter")
	}
	l, body, err := s.db.OpenLetter(ctx, a, id, lid)
	if err != nil {
		return err
	}
	s.logAccess(ctx, "download", "request_letters", l.ID, l.CandidateID, []string{l.Kind}, "")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	return sendFile(w, "application/pdf", "brief-"+strconv.FormatInt(id, 10)+"-"+strconv.FormatInt(l.ID, 10)+"-"+l.Kind+".pdf", body)
}

// answer produces the answer to a verified, open access request in one
// step — the cover letter, the record card as PDF, JSON and CSV, and the
// documents — or, to a portability request, the cover letter and the
// export of art. 20 with the documents the candidate handed in. The cover
// letter and the record card are kept with the request; the package is
// written as a ZIP to w, and its making is in the access log.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, id kluis.ID, lang string) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	if !mayHandleRequests(a.Role) {
		return errNoAccess
	}
	if lang == "" {
		lang = s.baseFor(r, "", "").Lang
	}
	if !kluis.LetterLanguages.Has(lang) {
		return letterProblem("lang", "Kies Nederlands (nl) of Engels (en).", "Choose Dutch (nl) or English (en).")
	}
	q, err := s.db.Request(ctx, a, id)
	if err != nil {
		return err
	}
	switch {
	case q.Kind != "access" && q.Kind != "portability":
		return letterProblem("kind", "Alleen een verzoek om inzage of overdraagbaarheid wordt zo beantwoord.", "Only an access or portability request is answered this way.")
	case q.Closed():
		return kluis.Errorf(kluis.EConflict, "Dit verzoek is al afgesloten.", "This request is closed already.")
	case !q.Verified():
		return letterProblem("verified_how", "Controleer eerst de identiteit van de aanvrager; pas daarna wordt er iets verstrekt.",
			"Verify the requester's identity first; nothing is disclosed before that.")
	}
	rc, err := s.recordCard(r, q.CandidateID)
	if err != nil {
		return err
	}
	// The answer to the candidate's own request goes, restricted or not
	// (art. 18 restricts processing, never the rights of art. 15 and 20).
	xctx, err := s.db.MayExport(store.AnsweringRequest(ctx, q.ID), a, q.CandidateID, q.Kind)
	if err != nil {
		return err
	}
	r = r.WithContext(xctx)
	cand := strconv.FormatInt(q.CandidateID, 10)
	type file struct {
		name string
		body []byte
	}
	var files []file
	var enclosed []report.Enclosure
	add := func(name string, what kluis.Msg, body []byte) {
		files = append(files, file{name, body})
		enclosed = append(enclosed, report.Enclosure{Name: name, What: what})
	}
	var card bytes.Buffer
	portable := q.Kind == "portability"
	var docs []kluis.Document
	if portable {
		p := report.NewPortability(rc, s.catalog)
		var js, csv bytes.Buffer
		if err := p.JSON(&js); err != nil {
			return err
		}
		if err := p.CSV(&csv, s.catalog); err != nil {
			return err
		}
		add("overdraagbaar-"+cand+".json", kluis.Msg{NL: "de gegevens die u ons zelf gaf, als JSON", EN: "the data you gave us yourself, as JSON"}, js.Bytes())
		add("overdraagbaar-"+cand+"-csv.zip", kluis.Msg{NL: "dezelfde gegevens als CSV-bestanden", EN: "the same data as CSV files"}, csv.Bytes())
		if docs, err = s.candidateDocuments(r, q.CandidateID, true); err != nil {
			return err
		}
	} else {
		var js, csv bytes.Buffer
		if err := rc.PDF(&card, lang, s.catalog, amsterdam); err != nil {
			return err
		}
		if err := rc.JSON(&js); err != nil {
			return err
		}
		if err := rc.CSV(&csv); err != nil {
			return err
		}
		add("stamkaart-"+cand+".pdf", kluis.Msg{NL: "de stamkaart: al uw gegevens en wat de wet u verder laat weten", EN: "the record card: all your data and what the law further tells you"}, card.Bytes())
		add("stamkaart-"+cand+".json", kluis.Msg{NL: "dezelfde gegevens als JSON", EN: "the same data as JSON"}, js.Bytes())
		add("stamkaart-"+cand+"-csv.zip", kluis.Msg{NL: "dezelfde gegevens als CSV-bestanden, één per onderdeel", EN: "the same data as CSV files, one per section"}, csv.Bytes())
		if docs, err = s.candidateDocuments(r, q.CandidateID, false); err != nil {
			return err
		}
	}
	n := strconv.Itoa(len(docs))
	enclosed = append(enclosed, report.Enclosure{Name: report.DocumentsDir,
		What: kluis.Msg{NL: n + " documenten zoals wij ze bewaren, met een overzicht (manifest.json)", EN: n + " documents as we keep them, with a list (manifest.json)"}})
	ctl, err := s.controller(r)
	if err != nil {
		return err
	}
	c := rc.Candidate
	l := &report.Letter{Controller: ctl, Date: rc.Generated, Request: *q, Lang: lang, To: report.AddresseeOf(c)}
	var cover bytes.Buffer
	if err := l.AccessLetter(&cover, enclosed, amsterdam); err != nil {
		return err
	}
	// Kept with the request before anything is sent: what was answered.
	if err := s.db.SaveLetter(ctx, a, &kluis.RequestLetter{RequestID: q.ID, Kind: "access-answer", Lang: lang, Sealed: true}, cover.Bytes()); err != nil {
		return err
	}
	if !portable {
		if err := s.db.SaveLetter(ctx, a, &kluis.RequestLetter{RequestID: q.ID, Kind: "record-card", Lang: lang, Sealed: true}, card.Bytes()); err != nil {
			return err
		}
	}
	s.logAccess(ctx, "download", "requests", q.ID, q.CandidateID, []string{"access-answer"}, "")
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="antwoord-verzoek-`+strconv.FormatInt(q.ID, 10)+`.zip"`)
	w.WriteHeader(http.StatusOK)
	zw := zip.NewWriter(w)
	at := rc.Generated
	put := func(name string, body []byte) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: at})
		if err == nil {
			_, err = f.Write(body)
		}
		return err
	}
	err = put("antwoord-verzoek-"+strconv.FormatInt(q.ID, 10)+".pdf", cover.Bytes())
	for _, f := range files {
		if err == nil {
			err = put(f.name, f.body)
		}
	}
	if err == nil {
		_, err = report.AddDocuments(zw, report.DocumentsDir, q.CandidateID, docs, s.openDocument(r), at)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		s.log.WarnContext(ctx, "access answer cut short", "request_id", requestID(ctx), "request", q.ID, "err", err)
	}
	return nil
}

// answerForm is POST /requests/{id}/answer: the package as a download.
func (s *Server) answerForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "request")
	if err != nil {
		return err
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	return s.answer(w, r, id, r.PostForm.Get("lang"))
}

// apiAnswer is POST /api/v1/requests/{id}/answer.
func (s *Server) apiAnswer(w http.ResponseWriter, r *http.Request) error {
	var in answerInput
	id, err := s.requestStep(w, r, &in)
	if err != nil {
		return err
	}
	return s.answer(w, r, id, in.Lang)
}

// apiLetters is GET /api/v1/requests/{id}/letters.
func (s *Server) apiLetters(w http.ResponseWriter, r *http.Request) error {
	if !mayHandleRequests(actorFrom(r.Context()).Role) {
		return errNoAccess
	}
	id, err := pathID(r, "request")
	if err != nil {
		return err
	}
	items, err := s.db.Letters(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	return writeList(w, items, len(items), kluis.Page{Limit: max(len(items), 1)})
}

// apiCreateLetter is POST /api/v1/requests/{id}/letters.
func (s *Server) apiCreateLetter(w http.ResponseWriter, r *http.Request) error {
	var in letterInput
	id, err := s.requestStep(w, r, &in)
	if err != nil {
		return err
	}
	l, err := s.makeLetter(r, id, in)
	if err != nil {
		return err
	}
	return writeRecord(w, http.StatusCreated, l, 0)
}

// reminderSetting is the body of GET and PUT /api/v1/requests/reminders.
type reminderSetting struct {
	RequestReminderDays *int `json:"request_reminder_days"`
}

// apiReminders is GET /api/v1/requests/reminders.
func (s *Server) apiReminders(w http.ResponseWriter, r *http.Request) error {
	a := actorFrom(r.Context())
	if !mayHandleRequests(a.Role) {
		return errNoAccess
	}
	n, err := s.db.RequestReminderDays(r.Context(), a.TenantID)
	if err != nil {
		return err
	}
	return writeRecord(w, http.StatusOK, reminderSetting{RequestReminderDays: &n}, 0)
}

// apiSetReminders is PUT /api/v1/requests/reminders.
func (s *Server) apiSetReminders(w http.ResponseWriter, r *http.Request) error {
	a := actorFrom(r.Context())
	if !mayHandleRequests(a.Role) {
		return errNoAccess
	}
	var in reminderSetting
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.RequestReminderDays == nil {
		return letterProblem("request_reminder_days", "Verplicht.", "Required.")
	}
	if err := s.db.SetRequestReminderDays(r.Context(), a, *in.RequestReminderDays); err != nil {
		return err
	}
	return writeRecord(w, http.StatusOK, in, 0)
}

// reminderForm is POST /requests/reminders: the setting from the
// register's page.
func (s *Server) reminderForm(w http.ResponseWriter, r *http.Request) error {
	a := actorFrom(r.Context())
	if !mayHandleRequests(a.Role) {
		return errNoAccess
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	f := formFrom(r, s.baseFor(r, "", "").Lang, "request_reminder_days")
	n, err := strconv.Atoi(f.Values["request_reminder_days"])
	if err != nil {
		n = -1 // refused below, with the message of the range
	}
	err = s.db.SetRequestReminderDays(r.Context(), a, n)
	if err == nil {
		return seeOther(w, r, "/requests", "requests.reminders.done")
	}
	if err := f.Fail(err); err != nil {
		return err
	}
	return s.requestsPageWith(w, r, f)
}

// remindersForm is the form of the reminders' setting, as stored.
func (s *Server) remindersForm(r *http.Request, lang string) (*Form, error) {
	n, err := s.db.RequestReminderDays(r.Context(), actorFrom(r.Context()).TenantID)
	if err != nil {
		return nil, err
	}
	f := newForm(lang)
	f.Values["request_reminder_days"] = strconv.Itoa(n)
	return f, nil
}
