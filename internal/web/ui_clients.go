package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

func (s *Server) clientRoutes() []route {
	return []route{
		{"GET", "/clients", session, s.clientList},
		{"GET", "/clients/new", session, s.clientNew},
		{"POST", "/clients/new", session, s.clientCreate},
		{"GET", "/clients/{id}", session, s.clientShow},
		{"GET", "/clients/{id}/edit", session, s.clientEdit},
		{"POST", "/clients/{id}/edit", session, s.clientUpdate},
		{"POST", "/clients/{id}/delete", session, s.clientDelete},
		{"POST", "/clients/{id}/contacts", session, s.clientContactCreate},
		{"GET", "/clients/{id}/contacts/{contact}/edit", session, s.clientContactEdit},
		{"POST", "/clients/{id}/contacts/{contact}/edit", session, s.clientContactUpdate},
		{"POST", "/clients/{id}/contacts/{contact}/delete", session, s.clientContactDelete},
	}
}

// uiPageSize is the length of a page of the staff UI's lists.
const uiPageSize = 25

// urlPager pages through a list whose filter is in the query string: the
// previous and next pages are links ("" when there is none).
type urlPager struct {
	From, To, Total int
	Prev, Next      string
}

// newURLPager builds the pager of a page of n rows at offset out of total;
// q is the filter, to which each link adds its offset.
func newURLPager(path string, q url.Values, offset, n, total int) urlPager {
	p := urlPager{From: min(offset+1, total), To: offset + n, Total: total}
	link := func(off int) string {
		v := url.Values{}
		for k, vs := range q {
			if k != "offset" && len(vs) > 0 && vs[0] != "" {
				v.Set(k, vs[0])
			}
		}
		if off > 0 {
			v.Set("offset", strconv.Itoa(off))
		}
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	}
	if offset > 0 {
		p.Prev = link(max(0, offset-uiPageSize))
	}
	if offset+n < total {
		p.Next = link(offset + uiPageSize)
	}
	return p
}

// formFromQuery copies the named query parameters into a form.
func formFromQuery(r *http.Request, lang string, names ...string) *Form {
	f := newForm(lang)
	q := r.URL.Query()
	for _, n := range names {
		f.Values[n] = strings.TrimSpace(q.Get(n))
	}
	return f
}

// offsetOf reads the list offset of a form; a negative one is the start.
func offsetOf(f *Form) int {
	return max(0, int(f.Int64("offset")))
}

// clientSearchFields are the fields of the client search. Company names
// and places are not personal data, so the search is a GET form whose
// terms may stand in the URL.
var clientSearchFields = []string{"q", "city", "offset"}

type clientListView struct {
	Base
	Form  *Form
	Items []clientRow
	Total int
	Pager urlPager
}

// clientRow is a client with the name of its branch.
type clientRow struct {
	kluis.Client
	BranchName string
}

func (s *Server) clientList(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorFrom(r.Context())
	v := clientListView{Base: s.baseFor(r, "clients", "nav.clients")}
	f := formFromQuery(r, v.Lang, clientSearchFields...)
	v.Form = f
	for _, k := range []string{"q", "city"} {
		if _, ok := kluis.CleanLine(f.Values[k], 100); !ok {
			f.Errors[k] = text(v.Lang, "search.toolong")
		}
	}
	offset := offsetOf(f)
	code := http.StatusOK
	if f.HasErrors() {
		code = http.StatusUnprocessableEntity
	} else {
		query := f.Values["q"]
		if kvk, ok := kluis.NormalizeKvK(query); ok {
			query = kvk
		}
		items, total, err := s.db.ListClients(ctx, a, store.ClientFilter{Query: query, City: f.Values["city"],
			Page: kluis.Page{Limit: uiPageSize, Offset: offset}})
		if err != nil {
			return err
		}
		names, err := s.branchNames(r)
		if err != nil {
			return err
		}
		for _, c := range items {
			v.Items = append(v.Items, clientRow{Client: c, BranchName: names[c.BranchID]})
		}
		v.Total = total
		v.Pager = newURLPager("/clients", r.URL.Query(), offset, len(items), total)
	}
	return s.render(w, r, code, "clients", "clients-results", v)
}

// branchNames maps the agency's branch ids to their names.
func (s *Server) branchNames(r *http.Request) (map[kluis.ID]string, error) {
	bs, err := s.db.Branches(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return nil, err
	}
	out := make(map[kluis.ID]string, len(bs))
	for _, b := range bs {
		out[b.ID] = b.Name
	}
	return out, nil
}

// clientFields are the fields of the client form, in form order.
var clientFields = []string{"name", "kvk_number", "branch_id", "street", "house_number", "postcode", "city", "country",
	"email", "phone", "version"}

type clientFormView struct {
	Base
	Form     *Form
	Client   *kluis.Client // nil for a new client
	Branches []Option
}

func (s *Server) clientFormView(r *http.Request, f *Form, c *kluis.Client) (clientFormView, error) {
	titleKey := "client.new"
	if c != nil {
		titleKey = "client.edit"
	}
	v := clientFormView{Base: s.baseFor(r, "clients", titleKey), Form: f, Client: c}
	bs, err := s.db.Branches(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return v, err
	}
	v.Branches = branchOptions(bs)
	return v, nil
}

// formOfClient fills a form with a stored client.
func formOfClient(lang string, c *kluis.Client) *Form {
	f := newForm(lang)
	for k, v := range map[string]string{
		"name": c.Name, "kvk_number": c.KvKNumber, "branch_id": formatID(c.BranchID), "street": c.Street,
		"house_number": c.HouseNumber, "postcode": c.Postcode, "city": c.City, "country": c.Country,
		"email": c.Email, "phone": c.Phone, "version": strconv.FormatInt(c.Version, 10),
	} {
		f.Values[k] = v
	}
	return f
}

// clientOfForm reads the posted form onto c.
func clientOfForm(f *Form, c *kluis.Client) {
	v := f.Values
	c.BranchID = f.Int64("branch_id")
	c.Name, c.KvKNumber, c.Street, c.HouseNumber = v["name"], v["kvk_number"], v["street"], v["house_number"]
	c.Postcode, c.City, c.Country, c.Email, c.Phone = v["postcode"], v["city"], v["country"], v["email"], v["phone"]
}

func (s *Server) clientNew(w http.ResponseWriter, r *http.Request) error {
	f := newForm(s.baseFor(r, "", "").Lang)
	if u := userFrom(r.Context()); u != nil && u.BranchID != 0 {
		f.Values["branch_id"] = formatID(u.BranchID)
	}
	f.Values["country"] = "NL"
	v, err := s.clientFormView(r, f, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "client_form", "", v)
}

func (s *Server) clientCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r, 0); err != nil {
		return err
	}
	f := formFrom(r, s.baseFor(r, "", "").Lang, clientFields...)
	var c kluis.Client
	clientOfForm(f, &c)
	if !f.HasErrors() {
		err := s.db.CreateClient(r.Context(), actorFrom(r.Context()), &c)
		if err == nil {
			return seeOther(w, r, "/clients/"+formatID(c.ID), "form.saved")
		}
		if err := f.Fail(err); err != nil {
			return err
		}
	}
	v, err := s.clientFormView(r, f, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "client_form", "", v)
}

func (s *Server) clientEdit(w http.ResponseWriter, r *http.Request) error {
	c, err := s.pathClient(r)
	if err != nil {
		return err
	}
	v, err := s.clientFormView(r, formOfClient(s.baseFor(r, "", "").Lang, c), c)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "client_form", "", v)
}

func (s *Server) clientUpdate(w http.ResponseWriter, r *http.Request) error {
	c, err := s.pathClient(r)
	if err != nil {
		return err
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	lang := s.baseFor(r, "", "").Lang
	f := formFrom(r, lang, clientFields...)
	version := f.Int64("version")
	clientOfForm(f, c)
	if !f.HasErrors() {
		err := s.db.UpdateClient(r.Context(), actorFrom(r.Context()), c, version)
		if err == nil {
			return seeOther(w, r, "/clients/"+formatID(c.ID), "form.saved")
		}
		if err := f.Fail(err); err != nil {
			return err
		}
		if f.Stale {
			// Show what is stored now; the user's edit is lost only from
			// the form, never silently from the database.
			fresh, err := s.db.Client(r.Context(), actorFrom(r.Context()), c.ID)
			if err != nil {
				return err
			}
			f = formOfClient(lang, fresh)
			f.Stale, c = true, fresh
		}
	}
	v, err := s.clientFormView(r, f, c)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusUnprocessableEntity, "client_form", "", v)
}

func (s *Server) pathClient(r *http.Request) (*kluis.Client, error) {
	id, err := pathID(r, "client")
	if err != nil {
		return nil, err
	}
	return s.db.Client(r.Context(), actorFrom(r.Context()), id)
}

// clientPageView is the client page: its details, its contact persons
// (with one contact form in place) and its placements.
type clientPageView struct {
	Base
	C          *kluis.Client
	BranchName string
	// Alert is a refusal to show above the details (a client that cannot
	// be deleted), already in the viewer's language.
	Alert string

	Contacts []kluis.ClientContact
	// ContactForm is the add form, or the edit form of EditContact: one
	// contact form at a time, so that field ids stay unique.
	ContactForm  *Form
	EditContact  kluis.ID
	ContactAlert string // a refusal within the contacts section
	ContactFlash string // a message key shown in the contacts section

	Placements     []placementRow
	PlacementTotal int
}

// clientPage loads the client and everything its page shows.
func (s *Server) clientPage(r *http.Request, c *kluis.Client) (*clientPageView, error) {
	ctx, a := r.Context(), actorFrom(r.Context())
	v := &clientPageView{Base: s.baseFor(r, "clients", "nav.clients"), C: c}
	v.Title = c.Name
	v.ContactForm = newForm(v.Lang)
	names, err := s.branchNames(r)
	if err != nil {
		return nil, err
	}
	v.BranchName = names[c.BranchID]
	// Contact persons are people: a role that may see none of their data
	// (the administrator) gets the client without them.
	if s.projector(r.Context()).CanSee(a.Role, "client_contacts") {
		if v.Contacts, _, err = s.db.ClientContacts(ctx, a, c.ID, kluis.Page{Limit: kluis.MaxPageSize}); err != nil {
			return nil, err
		}
	}
	ps, total, err := s.db.ListPlacements(ctx, a, store.PlacementFilter{ClientID: c.ID, Page: kluis.Page{Limit: uiPageSize}})
	if err != nil {
		return nil, err
	}
	v.PlacementTotal = total
	if v.Placements, err = s.placementRows(r, ps); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Server) clientShow(w http.ResponseWriter, r *http.Request) error {
	c, err := s.pathClient(r)
	if err != nil {
		return err
	}
	v, err := s.clientPage(r, c)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "client", "", v)
}

// postedVersion reads the version a delete form carries; without one the
// form is not ours.
func postedVersion(r *http.Request) (int64, error) {
	if err := parseForm(r, 0); err != nil {
		return 0, err
	}
	v, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil || v <= 0 {
		return 0, kluis.Errorf(kluis.EInvalid, "Het formulier kon niet worden gelezen.", "The form could not be read.")
	}
	return v, nil
}

func (s *Server) clientDelete(w http.ResponseWriter, r *http.Request) error {
	c, err := s.pathClient(r)
	if err != nil {
		return err
	}
	version, err := postedVersion(r)
	if err != nil {
		return err
	}
	err = s.db.DeleteClient(r.Context(), actorFrom(r.Context()), c.ID, version)
	if err == nil {
		return seeOther(w, r, "/clients", "form.deleted")
	}
	if kluis.ErrorCode(err) != kluis.EConflict {
		return err
	}
	// The client stays: it changed since the page was loaded, or it has
	// placements or disclosures, which are the candidates' history.
	fresh, err2 := s.db.Client(r.Context(), actorFrom(r.Context()), c.ID)
	if err2 != nil {
		return err2
	}
	v, err2 := s.clientPage(r, fresh)
	if err2 != nil {
		return err2
	}
	if fresh.Version != version {
		v.Alert = v.T("client.changed")
	} else {
		v.Alert = v.T("client.inuse")
	}
	return s.render(w, r, refusedStatus(r), "client", "", v)
}

// refusedStatus is the status of a page that shows a refusal in place:
// 409, but 422 to htmx, which swaps no other 4xx response in (see the
// htmx-config in the layout).
func refusedStatus(r *http.Request) int {
	if r.Header.Get("HX-Request") == "true" {
		return http.StatusUnprocessableEntity
	}
	return http.StatusConflict
}

// contactFields are the fields of the contact person form.
var contactFields = []string{"name", "job_title", "email", "phone", "version"}

func formOfContact(lang string, c *kluis.ClientContact) *Form {
	f := newForm(lang)
	f.Values["name"], f.Values["job_title"], f.Values["email"], f.Values["phone"] = c.Name, c.JobTitle, c.Email, c.Phone
	f.Values["version"] = strconv.FormatInt(c.Version, 10)
	return f
}

func contactOfForm(f *Form, c *kluis.ClientContact) {
	v := f.Values
	c.Name, c.JobTitle, c.Email, c.Phone = v["name"], v["job_title"], v["email"], v["phone"]
}

// renderContacts answers a change in the contacts section: the section to
// htmx, the whole client page else.
func (s *Server) renderContacts(w http.ResponseWriter, r *http.Request, code int, v *clientPageView) error {
	return s.render(w, r, code, "client", "client-contacts", v)
}

// contactSaved ends a successful change of a contact person: htmx gets
// the fresh section, a browser without it a redirect to the page.
func (s *Server) contactSaved(w http.ResponseWriter, r *http.Request, c *kluis.Client, flash string) error {
	if r.Header.Get("HX-Request") != "true" {
		http.Redirect(w, r, "/clients/"+formatID(c.ID)+"?flash="+url.QueryEscape(flash)+"#contacts", http.StatusSeeOther) // #nosec G710 -- a path kluis built from an id
		return nil
	}
	v, err := s.clientPage(r, c)
	if err != nil {
		return err
	}
	v.ContactFlash = flash
	return s.renderContacts(w, r, http.StatusOK, v)
}

// pathContact loads the client of the path and its contact person; a
// contact of another client does not exist here.
func (s *Server) pathContact(r *http.Request) (*kluis.Client, *kluis.ClientContact, error) {
	c, err := s.pathClient(r)
	if err != nil {
		return nil, nil, err
	}
	id, err := strconv.ParseInt(r.PathValue("contact"), 10, 64)
	if err != nil || id <= 0 {
		return nil, nil, kluis.NotFound("client contact")
	}
	cc, err := s.db.ClientContact(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return nil, nil, err
	}
	if cc.ClientID != c.ID {
		return nil, nil, kluis.NotFound("client contact")
	}
	return c, cc, nil
}

func (s *Server) clientContactCreate(w http.ResponseWriter, r *http.Request) error {
	c, err := s.pathClient(r)
	if err != nil {
		return err
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	f := formFrom(r, s.baseFor(r, "", "").Lang, contactFields...)
	cc := kluis.ClientContact{ClientID: c.ID}
	contactOfForm(f, &cc)
	err = s.db.CreateClientContact(r.Context(), actorFrom(r.Context()), &cc)
	if err == nil {
		return s.contactSaved(w, r, c, "form.saved")
	}
	if err := f.Fail(err); err != nil {
		return err
	}
	v, err := s.clientPage(r, c)
	if err != nil {
		return err
	}
	v.ContactForm = f
	return s.renderContacts(w, r, http.StatusUnprocessableEntity, v)
}

func (s *Server) clientContactEdit(w http.ResponseWriter, r *http.Request) error {
	c, cc, err := s.pathContact(r)
	if err != nil {
		return err
	}
	v, err := s.clientPage(r, c)
	if err != nil {
		return err
	}
	v.ContactForm, v.EditContact = formOfContact(v.Lang, cc), cc.ID
	return s.renderContacts(w, r, http.StatusOK, v)
}

func (s *Server) clientContactUpdate(w http.ResponseWriter, r *http.Request) error {
	c, cc, err := s.pathContact(r)
	if err != nil {
		return err
	}
	if err := parseForm(r, 0); err != nil {
		return err
	}
	lang := s.baseFor(r, "", "").Lang
	f := formFrom(r, lang, contactFields...)
	version := f.Int64("version")
	contactOfForm(f, cc)
	if !f.HasErrors() {
		err := s.db.UpdateClientContact(r.Context(), actorFrom(r.Context()), cc, version)
		if err == nil {
			return s.contactSaved(w, r, c, "form.saved")
		}
		if err := f.Fail(err); err != nil {
			return err
		}
		if f.Stale {
			fresh, err := s.db.ClientContact(r.Context(), actorFrom(r.Context()), cc.ID)
			if err != nil {
				return err
			}
			f = formOfContact(lang, fresh)
			f.Stale = true
		}
	}
	v, err := s.clientPage(r, c)
	if err != nil {
		return err
	}
	v.ContactForm, v.EditContact = f, cc.ID
	return s.renderContacts(w, r, http.StatusUnprocessableEntity, v)
}

func (s *Server) clientContactDelete(w http.ResponseWriter, r *http.Request) error {
	c, cc, err := s.pathContact(r)
	if err != nil {
		return err
	}
	version, err := postedVersion(r)
	if err != nil {
		return err
	}
	err = s.db.DeleteClientContact(r.Context(), actorFrom(r.Context()), cc.ID, version)
	if err == nil {
		return s.contactSaved(w, r, c, "form.deleted")
	}
	if kluis.ErrorCode(err) != kluis.EConflict {
		return err
	}
	v, err := s.clientPage(r, c)
	if err != nil {
		return err
	}
	v.ContactAlert = v.T("contact.changed")
	return s.renderContacts(w, r, refusedStatus(r), v)
}
