package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kluis/internal/kluis"
)

// TestARestrictionIsHandledInTheUI: a restriction request restricts from
// its page; every tab of the candidate, and their edit form, carries the
// banner; an edit is refused saying why, unless a branch manager processes
// anyway with a reason; the privacy officer informs and lifts on the
// restriction's page; the list of restrictions and the candidate list's
// filter show the candidate with a badge.
func TestARestrictionIsHandledInTheUI(t *testing.T) {
	u := newClientUIEnv(t)
	c := u.MustCreateCandidate(t, "Beperkt")
	client := u.MustCreateClient(t, "Kwekerij Oost")
	u.MustCreatePlacement(t, c.ID, client.ID, "2026-11-02")
	free := u.MustCreateCandidate(t, "Vrij")
	u.MustCreatePlacement(t, free.ID, client.ID, "2026-11-02")
	officer := u.user(t, "Petra", kluis.RolePrivacy)
	boss := u.user(t, "Bram", kluis.RoleManager)
	po, rec, mgr := u.session(t, officer.ID), u.session(t, u.Actor.UserID), u.session(t, boss.ID)
	q := &kluis.Request{CandidateID: c.ID, Kind: "restriction", Channel: "email"}
	if err := u.DB.CreateRequest(t.Context(), kluis.Actor{TenantID: u.Tenant.ID, UserID: officer.ID, Role: kluis.RolePrivacy}, q); err != nil {
		t.Fatal(err)
	}
	path := "/requests/" + idText(q.ID)
	page := u.get(t, po, path).expect(t, http.StatusOK)
	if strings.Contains(page.body, `id="request-restrict"`) || !strings.Contains(page.body, `id="request-restriction"`) {
		t.Fatal("the restriction form before the identity check")
	}
	u.post(t, po, path+"/verify", url.Values{"version": {"1"}, "verified_how": {"known-email"}}).expect(t, http.StatusSeeOther)
	if p := u.post(t, po, path+"/restrict", url.Values{"version": {"2"}, "ground": {"objection"}}); p.status != http.StatusUnprocessableEntity ||
		clientFieldError(p.body, "ground") == "" {
		t.Fatalf("ground (d) for a restriction request: %d", p.status)
	}
	u.post(t, po, path+"/restrict", url.Values{"version": {"2"}, "ground": {"accuracy"}, "note": {"Adres betwist"}}).expect(t, http.StatusSeeOther)
	page = u.get(t, po, path)
	if !strings.Contains(page.body, `id="request-restriction-link"`) || !strings.Contains(page.body, "restricted-badge") {
		t.Fatalf("the request after restricting:\n%s", page.body)
	}

	cand := "/candidates/" + idText(c.ID)
	for _, tab := range []string{"", "/history", "/documents", "/placements", "/payroll", "/privacy"} {
		for _, who := range []string{rec, po} {
			p := u.get(t, who, cand+tab)
			if p.status != http.StatusOK || !strings.Contains(p.body, `id="processing-restricted"`) {
				t.Errorf("no banner on %s%s: %d", cand, tab, p.status)
			}
		}
	}
	// The clean-up's page of the candidate: the banner, and nothing due.
	if p := u.get(t, po, "/cleanup/candidates/"+idText(c.ID)); p.status != http.StatusOK || !strings.Contains(p.body, `id="processing-restricted"`) ||
		strings.Contains(p.body, `id="cleanup-one"`) {
		t.Errorf("the clean-up page of a restricted candidate: %d", p.status)
	}
	// The placement lists — all placements and the client's — mark the
	// restricted candidate's row and open with the banner; the other
	// candidate's row carries no badge.
	for _, list := range []string{"/placements", "/clients/" + idText(client.ID)} {
		p := u.get(t, rec, list)
		if p.status != http.StatusOK || !strings.Contains(p.body, "restricted-banner art18") || strings.Count(p.body, "restricted-badge") != 1 {
			t.Errorf("the placements on %s: %d, %d badges\n%s", list, p.status, strings.Count(p.body, "restricted-badge"), p.body)
		}
	}
	edit := u.get(t, rec, cand+"/edit").expect(t, http.StatusOK)
	if !strings.Contains(edit.body, `id="processing-restricted"`) || strings.Contains(edit.body, `id="override"`) {
		t.Fatal("the recruiter's edit form: a banner and no override")
	}
	form := url.Values{"version": {"1"}, "branch_id": {idText(u.Branch.ID)}, "status": {"registered"}, "last_name": {"Beperkt"}, "first_name": {"Sanne"},
		"city": {"Zeist"}, "source": {"walk-in"}, "email": {c.Email}, "phone": {c.Phone}, "postcode": {c.Postcode}, "date_of_birth": {string(c.DateOfBirth)},
		"functions": {"Orderpicker"}, "registered_on": {string(c.RegisteredOn)}, "country": {c.Country}}
	refused := u.post(t, rec, cand+"/edit", form)
	if refused.status != http.StatusUnprocessableEntity || !strings.Contains(refused.body, `id="restriction-refused"`) || !strings.Contains(refused.body, "art. 18 AVG") {
		t.Fatalf("the edit: %d %s", refused.status, refused.body)
	}
	if got, _ := u.DB.Candidate(t.Context(), u.Actor, c.ID); got.City != "Utrecht" {
		t.Fatal("the restricted candidate was changed")
	}
	if !strings.Contains(u.get(t, mgr, cand+"/edit").body, `id="override"`) {
		t.Fatal("the manager's form offers no override")
	}
	form.Set("override_reason", "legal-claim")
	form.Set("override_note", "Dossier voor de rechter")
	u.post(t, mgr, cand+"/edit", form).expect(t, http.StatusSeeOther)

	// The list leaves them out; the privacy officer's filter shows them.
	if l := u.post(t, rec, "/candidates/search", url.Values{}); strings.Contains(l.body, cand+`"`) {
		t.Fatal("the recruiter's list shows the restricted candidate")
	}
	if l := u.post(t, po, "/candidates/search", url.Values{"restricted": {"only"}}); !strings.Contains(l.body, cand+`"`) || !strings.Contains(l.body, "restricted-badge") {
		t.Fatalf("the privacy officer's filter: %s", l.body)
	}
	list := u.get(t, po, "/restrictions").expect(t, http.StatusOK)
	if !strings.Contains(list.body, cand+`"`) {
		t.Fatal("the list of restrictions")
	}
	if p := u.get(t, rec, "/restrictions"); p.status != http.StatusForbidden {
		t.Fatalf("a recruiter sees the restrictions: %d", p.status)
	}
	xs, _ := u.DB.ActiveRestrictions(t.Context(), u.Actor, c.ID)
	rpath := "/restrictions/" + idText(xs[0].ID)
	rp := u.get(t, po, rpath).expect(t, http.StatusOK)
	if !strings.Contains(rp.body, "Dossier voor de rechter") || !strings.Contains(rp.body, `id="restriction-lift-first"`) {
		t.Fatalf("the restriction's page: %s", rp.body)
	}
	// The record card carries the restriction: the JSON lists it, the PDF
	// opens with the banner.
	js := u.get(t, po, cand+"/stamkaart.json").expect(t, http.StatusOK)
	if !strings.Contains(js.body, `"restrictions"`) || !strings.Contains(js.body, `"ground": "accuracy"`) {
		t.Fatalf("the JSON record card: %s", js.body)
	}
	if text := pdfText(t, []byte(u.get(t, po, cand+"/stamkaart.pdf").expect(t, http.StatusOK).body)); !strings.Contains(text, "Verwerking beperkt (art. 18 AVG)") ||
		!strings.Contains(text, "Beperkingen van de verwerking") {
		t.Errorf("the PDF record card lacks the restriction:\n%s", text)
	}
	if p := u.post(t, po, rpath+"/lift", url.Values{"version": {"1"}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "art. 18 lid 3") {
		t.Fatalf("lifted before informing: %d", p.status)
	}
	u.post(t, po, rpath+"/inform", url.Values{"version": {"1"}, "informed_how": {"phone"}}).expect(t, http.StatusSeeOther)
	u.post(t, po, rpath+"/lift", url.Values{"version": {"2"}}).expect(t, http.StatusSeeOther)
	if strings.Contains(u.get(t, rec, cand).body, `id="processing-restricted"`) {
		t.Fatal("the banner after the lifting")
	}
	if p := u.get(t, rec, "/placements"); strings.Contains(p.body, "restricted-banner") || strings.Contains(p.body, "restricted-badge") {
		t.Fatal("the placements' banner after the lifting")
	}
}

// TestARectificationIsMadeInTheUI: the candidate's form, on the request,
// with the supplementary statement, which the personal tab then shows;
// the request lists the fields corrected and offers the notices.
func TestARectificationIsMadeInTheUI(t *testing.T) {
	u := newClientUIEnv(t)
	c := u.MustCreateCandidate(t, "Fout")
	officer := u.user(t, "Petra", kluis.RolePrivacy)
	po, rec := u.session(t, officer.ID), u.session(t, u.Actor.UserID)
	a := kluis.Actor{TenantID: u.Tenant.ID, UserID: officer.ID, Role: kluis.RolePrivacy}
	q := &kluis.Request{CandidateID: c.ID, Kind: "rectification", Channel: "email"}
	if err := u.DB.CreateRequest(t.Context(), a, q); err != nil {
		t.Fatal(err)
	}
	if _, err := u.DB.VerifyRequest(t.Context(), a, q.ID, 1, "known-email", ""); err != nil {
		t.Fatal(err)
	}
	path := "/requests/" + idText(q.ID)
	if !strings.Contains(u.get(t, po, path).body, `id="request-rectify"`) {
		t.Fatal("no link to the correction")
	}
	if p := u.get(t, rec, path+"/rectify"); p.status != http.StatusForbidden {
		t.Fatalf("a recruiter rectifies: %d", p.status)
	}
	form := u.get(t, po, path+"/rectify").expect(t, http.StatusOK)
	if !strings.Contains(form.body, `action="`+path+`/rectify"`) || !strings.Contains(form.body, `name="statement"`) || !strings.Contains(form.body, `name="last_name"`) {
		t.Fatalf("the form: %s", form.body)
	}
	vals := url.Values{"request_version": {"2"}, "version": {"1"}, "branch_id": {idText(u.Branch.ID)}, "status": {"registered"}, "last_name": {"Foudt"},
		"first_name": {"Sanne"}, "city": {"Utrecht"}, "source": {"walk-in"}, "email": {c.Email}, "phone": {c.Phone}, "postcode": {c.Postcode},
		"date_of_birth": {string(c.DateOfBirth)}, "functions": {"Orderpicker"}, "registered_on": {string(c.RegisteredOn)}, "country": {c.Country},
		"statement": {"Mijn naam is Foudt."}}
	u.post(t, po, path+"/rectify", vals).expect(t, http.StatusSeeOther)
	page := u.get(t, po, path)
	if !strings.Contains(page.body, "Achternaam") || !strings.Contains(page.body, `id="request-recipients"`) {
		t.Fatalf("the request after the correction: %s", page.body)
	}
	tab := u.get(t, rec, "/candidates/"+idText(c.ID))
	if !strings.Contains(tab.body, "Foudt") || !strings.Contains(tab.body, "Mijn naam is Foudt.") {
		t.Fatalf("the personal tab: %s", tab.body)
	}
	if text := pdfText(t, []byte(u.get(t, po, "/candidates/"+idText(c.ID)+"/stamkaart.pdf").expect(t, http.StatusOK).body)); !strings.Contains(text, "Mijn naam is Foudt.") {
		t.Errorf("the PDF record card lacks the statement:\n%s", text)
	}
	u.post(t, po, path+"/tell", url.Values{"tell_channel": {"letter"}, "tell_lang": {"nl"}}).expect(t, http.StatusSeeOther)
	u.post(t, po, path+"/close", url.Values{"version": {"3"}, "status": {"done"}, "outcome": {"Gecorrigeerd"}}).expect(t, http.StatusSeeOther)
}
