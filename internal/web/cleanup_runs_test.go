package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/store"
)

// mustCreateDueCandidate adds a candidate who never worked and was last in
// touch in January 2024: by the test clock (29 November 2026) R1 has made
// all of their data due.
func mustCreateDueCandidate(t *testing.T, u *clientUIEnv, last string) *kluis.Candidate {
	t.Helper()
	c := &kluis.Candidate{BranchID: u.Branch.ID, FirstName: "Olga", LastName: last, RegisteredOn: "2024-01-02"}
	if err := u.DB.CreateCandidate(context.Background(), u.Actor, c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestThePrivacyOfficerCleansUpAChosenCandidateWithProof: the officer
// ticks a due candidate on /cleanup, is asked to confirm with the count,
// confirms, and lands on the run's page; once the run is done the
// candidate is gone, the page says done and links the erasure record,
// which says what was erased and by whom.
func TestThePrivacyOfficerCleansUpAChosenCandidateWithProof(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	old := mustCreateDueCandidate(t, u, "Oudejans")
	young := u.MustCreateCandidate(t, "Nieuwenhuis")
	recruiter := u.session(t, u.Actor.UserID)
	officer := u.user(t, "Fenna", kluis.RolePrivacy)
	ps := u.session(t, officer.ID)

	page := u.get(t, ps, "/cleanup").expect(t, http.StatusOK)
	if !strings.Contains(page.body, `name="candidate" value="`+idText(old.ID)+`"`) || !page.has("nl", "cleanup.start.selected") || !page.has("nl", "cleanup.start.all") {
		t.Fatalf("the list offers no choice:\n%s", page.body)
	}
	preview := u.get(t, ps, "/cleanup/candidates/"+idText(old.ID)).expect(t, http.StatusOK)
	if !preview.has("nl", "cleanup.preview.complete") || !strings.Contains(preview.body, `id="cleanup-one"`) {
		t.Fatalf("the preview:\n%s", preview.body)
	}
	if p := u.get(t, ps, "/cleanup/candidates/"+idText(young.ID)).expect(t, http.StatusOK); !p.has("nl", "cleanup.preview.nothing") || strings.Contains(p.body, `id="cleanup-one"`) {
		t.Fatalf("the preview of a candidate with nothing due:\n%s", p.body)
	}

	// Nothing chosen, a malformed choice, a candidate with nothing due:
	// each is said, and nothing starts.
	u.post(t, ps, "/cleanup/runs", url.Values{"scope": {"selected"}}).expect(t, http.StatusUnprocessableEntity)
	u.post(t, ps, "/cleanup/runs", url.Values{"scope": {"selected"}, "candidate": {"abc"}}).expect(t, http.StatusUnprocessableEntity)
	if p := u.post(t, ps, "/cleanup/runs", url.Values{"scope": {"selected"}, "candidate": {idText(young.ID)}, "confirm": {"yes"}}).
		expect(t, http.StatusUnprocessableEntity); !strings.Contains(p.body, idText(young.ID)) {
		t.Fatalf("the refusal does not name the candidate:\n%s", p.body)
	}
	if _, n, _ := u.DB.CleanupRuns(ctx, u.Actor, kluis.Page{}); n != 0 {
		t.Fatalf("%d runs started by refused forms", n)
	}

	// The confirmation says how many; only confirming starts.
	form := url.Values{"scope": {"selected"}, "candidate": {idText(old.ID)}}
	confirm := u.post(t, ps, "/cleanup/runs", form).expect(t, http.StatusOK)
	if !strings.Contains(confirm.body, `<span id="confirm-count">1</span>`) || !strings.Contains(confirm.body, `name="confirm" value="yes"`) {
		t.Fatalf("the confirmation:\n%s", confirm.body)
	}
	if _, err := u.DB.Candidate(ctx, u.Actor, old.ID); err != nil {
		t.Fatalf("the candidate went before the confirmation: %v", err)
	}
	u.post(t, recruiter, "/cleanup/runs", url.Values{"scope": {"all"}, "confirm": {"yes"}}).expect(t, http.StatusForbidden)
	form.Set("confirm", "yes")
	started := u.post(t, ps, "/cleanup/runs", form).expect(t, http.StatusSeeOther)
	m := regexp.MustCompile(`^/cleanup/runs/(\d+)$`).FindStringSubmatch(started.location)
	if m == nil {
		t.Fatalf("went to %q", started.location)
	}
	u.web.Wait()

	if _, err := u.DB.Candidate(ctx, u.Actor, old.ID); kluis.ErrorCode(err) != kluis.ENotFound {
		t.Fatalf("after the run the candidate is still there: %v", err)
	}
	if _, err := u.DB.Candidate(ctx, u.Actor, young.ID); err != nil {
		t.Fatalf("the run touched a candidate with nothing due: %v", err)
	}
	run := u.get(t, ps, started.location).expect(t, http.StatusOK)
	if !strings.Contains(run.body, `data-state="done"`) || strings.Contains(run.body, "hx-trigger") || !strings.Contains(run.body, `<dd id="run-complete">1</dd>`) ||
		!strings.Contains(run.body, `href="/erasures?run_id=`+m[1]+`"`) {
		t.Fatalf("the run's page:\n%s", run.body)
	}
	if frag := u.do(t, ps, "GET", started.location, nil, true).expect(t, http.StatusOK); strings.Contains(frag.body, "<html") || !strings.Contains(frag.body, `id="run"`) {
		t.Fatalf("htmx gets more than the run's part:\n%s", frag.body)
	}
	if list := u.get(t, ps, "/cleanup").expect(t, http.StatusOK); !strings.Contains(list.body, `href="`+started.location+`"`) {
		t.Fatalf("the clean-up page does not list the run:\n%s", list.body)
	}

	records := u.get(t, ps, "/erasures?run_id="+m[1]).expect(t, http.StatusOK)
	rm := regexp.MustCompile(`href="/erasures/(\d+)"`).FindStringSubmatch(records.body)
	if rm == nil || !strings.Contains(records.body, idText(old.ID)) {
		t.Fatalf("the run's records:\n%s", records.body)
	}
	record := u.get(t, ps, "/erasures/"+rm[1]).expect(t, http.StatusOK)
	if !record.has("nl", "erasure.complete") || !strings.Contains(record.body, "Fenna") || !strings.Contains(record.body, "R1") {
		t.Fatalf("the record:\n%s", record.body)
	}
	if strings.Contains(record.body, "Oudejans") {
		t.Error("the record shows the candidate's name")
	}
	u.get(t, ps, "/erasures?run_id=abc").expect(t, http.StatusUnprocessableEntity)
	u.get(t, ps, "/erasures/999999").expect(t, http.StatusNotFound)
	u.get(t, ps, "/cleanup/runs/999999").expect(t, http.StatusNotFound)
	for _, path := range []string{started.location, "/erasures", "/erasures/" + rm[1], "/cleanup/candidates/" + idText(young.ID)} {
		u.get(t, recruiter, path).expect(t, http.StatusForbidden)
	}
}

// TestTheCleanupAPIStartsARunAndShowsItsProof: a run of all that is due is
// accepted (202), ends with the candidate erased, and its records are
// listed; every bad input is a 400 naming its field; other roles get 403.
func TestTheCleanupAPIStartsARunAndShowsItsProof(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	old := mustCreateDueCandidate(t, u, "Oudejans")
	young := u.MustCreateCandidate(t, "Nieuwenhuis")
	officer := u.user(t, "Fenna", kluis.RolePrivacy)
	secret := u.token(t, officer.ID, "*")
	recruiter := u.token(t, u.Actor.UserID, "*")
	reader := u.token(t, officer.ID, "candidates:read")

	for _, body := range []string{`{}`, `{"candidate_ids": []}`, `{"candidate_ids": [999999]}`, `{"candidate_ids": "all"}`,
		`{"all_due": true, "candidate_ids": [` + idText(old.ID) + `]}`, `{"candidate_ids": [` + idText(young.ID) + `]}`, `{"shoe_size": 44}`, `[`} {
		code, answer := u.apiCall(t, secret, "POST", "/api/v1/cleanup/runs", body, nil)
		if code != http.StatusBadRequest || !strings.Contains(answer, `"fields"`) && body != `[` {
			t.Errorf("%s: %d %s", body, code, answer)
		}
	}
	for _, path := range []string{"/api/v1/candidates/" + idText(old.ID) + "/erasure-preview?reason=whim", "/api/v1/erasures?run_id=abc",
		"/api/v1/erasures?candidate_id=0", "/api/v1/cleanup/runs?limit=0"} {
		if code, answer := u.apiCall(t, secret, "GET", path, "", nil); code != http.StatusBadRequest {
			t.Errorf("%s: %d %s", path, code, answer)
		}
	}
	var prev erasurePreview
	if code, answer := u.apiCall(t, secret, "GET", "/api/v1/candidates/"+idText(old.ID)+"/erasure-preview", "", &prev); code != 200 || !prev.Due || !prev.Complete || len(prev.Erased) == 0 {
		t.Fatalf("preview: %d %s", code, answer)
	}
	if code, _ := u.apiCall(t, secret, "GET", "/api/v1/candidates/"+idText(young.ID)+"/erasure-preview?reason=request", "", &prev); code != 200 || !prev.Due {
		t.Fatalf("a request to be forgotten would erase nothing: %d %+v", code, prev)
	}
	for _, call := range [][2]string{{"POST", "/api/v1/cleanup/runs"}, {"GET", "/api/v1/cleanup/runs"}, {"GET", "/api/v1/erasures"},
		{"GET", "/api/v1/candidates/" + idText(old.ID) + "/erasure-preview"}} {
		if code, _ := u.apiCall(t, recruiter, call[0], call[1], `{"all_due": true}`, nil); code != http.StatusForbidden {
			t.Errorf("the recruiter: %s %s: %d", call[0], call[1], code)
		}
	}
	if code, answer := u.apiCall(t, reader, "POST", "/api/v1/cleanup/runs", `{"all_due": true}`, nil); code != http.StatusForbidden || !strings.Contains(answer, "candidates:write") {
		t.Errorf("a read-only token started a run: %d %s", code, answer)
	}

	var run store.CleanupRun
	if code, answer := u.apiCall(t, secret, "POST", "/api/v1/cleanup/runs", `{"all_due": true}`, &run); code != http.StatusAccepted || run.Total != 1 {
		t.Fatalf("start: %d %s", code, answer)
	}
	u.web.Wait()
	if code, answer := u.apiCall(t, secret, "GET", "/api/v1/cleanup/runs/"+idText(run.ID), "", &run); code != 200 || run.State != "done" || run.Complete != 1 || run.Done != 1 {
		t.Fatalf("the run: %d %s", code, answer)
	}
	if _, err := u.DB.Candidate(ctx, u.Actor, old.ID); kluis.ErrorCode(err) != kluis.ENotFound {
		t.Fatalf("the candidate is still there: %v", err)
	}
	var runs listBody[store.CleanupRun]
	if code, answer := u.apiCall(t, secret, "GET", "/api/v1/cleanup/runs", "", &runs); code != 200 || runs.Total != 1 {
		t.Fatalf("runs: %d %s", code, answer)
	}
	var recs listBody[kluis.Erasure]
	if code, answer := u.apiCall(t, secret, "GET", "/api/v1/erasures?run_id="+idText(run.ID), "", &recs); code != 200 || recs.Total != 1 ||
		recs.Items[0].CandidateID != old.ID || !recs.Items[0].Complete {
		t.Fatalf("records: %d %s", code, answer)
	}
	var rec kluis.Erasure
	if code, answer := u.apiCall(t, secret, "GET", "/api/v1/erasures/"+idText(recs.Items[0].ID), "", &rec); code != 200 || rec.RunID != run.ID {
		t.Fatalf("record: %d %s", code, answer)
	}
	raw, _ := json.Marshal(rec)
	if strings.Contains(string(raw), "Oudejans") {
		t.Error("the record holds the name")
	}
	if code, answer := u.apiCall(t, secret, "POST", "/api/v1/cleanup/runs", `{"all_due": true}`, nil); code != http.StatusBadRequest || !strings.Contains(answer, "all_due") {
		t.Errorf("a run with nothing due: %d %s", code, answer)
	}
}

// TestTheCleanupSettingsAreCheckedAndKept: the agency page shows the
// clean-up's settings, refuses a grace period over 90 days at its field,
// saves good ones; a PUT without them sets their defaults, never 0.
func TestTheCleanupSettingsAreCheckedAndKept(t *testing.T) {
	u := newClientUIEnv(t)
	ctx := context.Background()
	officer := u.user(t, "Fenna", kluis.RolePrivacy)
	ps := u.session(t, officer.ID)
	page := u.get(t, ps, "/settings/agency").expect(t, http.StatusOK)
	if !strings.Contains(page.body, `name="cleanup_grace_days"`) || !strings.Contains(page.body, `value="7"`) || !strings.Contains(page.body, `value="10"`) {
		t.Fatalf("the page lacks the clean-up's settings:\n%s", page.body)
	}
	form := url.Values{"version": {"0"}, "collect": {"nationality", "phone", "functions", "availability", "photo"},
		"cleanup_nightly": {"on"}, "cleanup_grace_days": {"120"}, "cleanup_verify_sample": {"veel"}}
	bad := u.post(t, ps, "/settings/agency", form).expect(t, http.StatusUnprocessableEntity)
	if !strings.Contains(bad.body, `id="e-cleanup_verify_sample"`) {
		t.Fatalf("a malformed sample was not refused at its field:\n%s", bad.body)
	}
	form.Set("cleanup_verify_sample", "20")
	bad = u.post(t, ps, "/settings/agency", form).expect(t, http.StatusUnprocessableEntity)
	if !strings.Contains(bad.body, `id="e-cleanup_grace_days"`) || !strings.Contains(bad.body, "0 tot en met 90") {
		t.Fatalf("a grace period of 120 days was not refused at its field:\n%s", bad.body)
	}
	form.Set("cleanup_grace_days", "3")
	u.post(t, ps, "/settings/agency", form).expect(t, http.StatusSeeOther)
	s, _ := u.DB.Settings(ctx, u.Tenant.ID)
	if !s.CleanupNightly || s.CleanupGraceDays != 3 || s.CleanupVerifySample != 20 {
		t.Fatalf("saved %+v", s)
	}

	secret := u.token(t, officer.ID, "*")
	var out settingsBody
	if code, answer := u.apiCall(t, secret, "PUT", "/api/v1/settings", `{"version": 1, "cleanup_grace_days": 91}`, nil); code != 400 || !strings.Contains(answer, "cleanup_grace_days") {
		t.Fatalf("PUT 91 days: %d %s", code, answer)
	}
	if code, answer := u.apiCall(t, secret, "PUT", "/api/v1/settings", `{"version": 1}`, &out); code != 200 ||
		out.CleanupNightly || out.CleanupGraceDays != 7 || out.CleanupVerifySample != 10 {
		t.Fatalf("PUT without them: %d %s", code, answer)
	}
}
