package web

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"kluis/internal/kluis"
)

// TestTheBreachAPIGivesTheClockAndTheFiles: every breach the API returns
// carries its 72-hour clock (the reporter's answer too) — the deadline,
// the hours left or late, and, once decided, that it stands still and
// whether in time — read against the injected clock; and the register,
// one breach and the reports come as files through the API as on the
// pages, for the privacy officer only, a wrong format refused by field.
func TestTheBreachAPIGivesTheClockAndTheFiles(t *testing.T) {
	u := newClientUIEnv(t)
	officer := u.user(t, "Petra", kluis.RolePrivacy)
	po := u.token(t, officer.ID, "*")
	recruiter := u.token(t, u.Actor.UserID, "*")
	discovered := u.Clock.Now().Add(-30 * time.Hour).Truncate(time.Second)

	var got struct {
		ID    kluis.ID        `json:"id"`
		Clock breachClockBody `json:"clock"`
	}
	code, body := u.apiCall(t, recruiter, "POST", "/api/v1/breaches",
		`{"title":"Adreslijst gemaild","facts":"Per ongeluk.","discovered_at":"`+discovered.Format(time.RFC3339)+`","categories":["contact"]}`, &got)
	if code != http.StatusCreated || !got.Clock.Deadline.Equal(discovered.Add(72*time.Hour)) || got.Clock.HoursLeft != 42 || !got.Clock.Running || got.Clock.Decided {
		t.Fatalf("the reporter's clock: %d %s", code, body)
	}
	path := "/api/v1/breaches/" + idText(got.ID)

	// Fifty hours on: 8 hours late, in the list and the breach alike.
	u.Clock.T = u.Clock.T.Add(50 * time.Hour)
	var list struct {
		Items []struct {
			Clock breachClockBody `json:"clock"`
		} `json:"items"`
	}
	if code, body := u.apiCall(t, po, "GET", "/api/v1/breaches", "", &list); code != 200 || len(list.Items) != 1 || !list.Items[0].Clock.Overdue || list.Items[0].Clock.HoursLate != 8 || list.Items[0].Clock.HoursLeft != 0 {
		t.Fatalf("the list's clock: %d %s", code, body)
	}
	var one struct {
		Version int64           `json:"version"`
		Clock   breachClockBody `json:"clock"`
	}
	u.apiCall(t, po, "GET", path, "", &one)
	reported := u.Clock.Now().Add(-time.Hour).Format(time.RFC3339)
	if code, body := u.apiCall(t, po, "POST", path+"/decide", `{"version":`+idText(one.Version)+`,"decision":"report","ap_reported_at":"`+reported+`","ap_reference":"AP-1","decision_reason":"De trein was vertraagd."}`, nil); code != 200 {
		t.Fatalf("decide: %d %s", code, body)
	}
	if code, body := u.apiCall(t, po, "GET", path, "", &one); code != 200 || !one.Clock.Decided || one.Clock.Running || one.Clock.InTime || one.Clock.StoppedAt == nil {
		t.Fatalf("the decided clock: %d %s", code, body)
	}

	// The files, as the pages have them (a session begun now: the one of
	// fifty hours ago would have lapsed).
	ps := u.session(t, officer.ID)
	for _, c := range []struct{ api, page, ctype string }{
		{"/api/v1/breaches/export?format=csv", "/breaches/register.csv", "text/csv"},
		{path + "/export?format=csv", "/breaches/" + idText(got.ID) + "/breach.csv", "text/csv"},
		{"/api/v1/reports/breaches.csv", "/reports/breaches.csv", "text/csv"},
		{"/api/v1/reports/requests.xlsx", "/reports/requests.xlsx", "application/vnd.openxmlformats"},
	} {
		code, file := u.apiCall(t, po, "GET", c.api, "", nil)
		page := u.get(t, ps, c.page).expect(t, http.StatusOK)
		if code != http.StatusOK || file != page.body {
			t.Errorf("%s: %d, and not the file of %s", c.api, code, c.page)
		}
		if code, _ := u.apiCall(t, recruiter, "GET", c.api, "", nil); code != http.StatusForbidden {
			t.Errorf("%s: the recruiter gets %d", c.api, code)
		}
	}
	for _, api := range []string{"/api/v1/breaches/export?format=pdf", path + "/export?format=pdf", "/api/v1/reports/register.pdf"} {
		if code, file := u.apiCall(t, po, "GET", api, "", nil); code != http.StatusOK || !bytes.HasPrefix([]byte(file), []byte("%PDF-")) {
			t.Errorf("%s: %d, no PDF", api, code)
		}
	}
	if code, file := u.apiCall(t, po, "GET", "/api/v1/breaches/export", "", nil); code != http.StatusOK || !strings.HasPrefix(file, "%PDF-") {
		t.Errorf("the register without a format is no PDF: %d", code)
	}
	for _, api := range []string{"/api/v1/breaches/export?format=doc", path + "/export?format=xlsx"} {
		if code, body := u.apiCall(t, po, "GET", api, "", nil); code != http.StatusBadRequest || !strings.Contains(body, `"format"`) {
			t.Errorf("%s: %d %s", api, code, body)
		}
	}
	if code, _ := u.apiCall(t, po, "GET", "/api/v1/reports/nothing.csv", "", nil); code != http.StatusNotFound {
		t.Errorf("an unknown report: %d", code)
	}
}
