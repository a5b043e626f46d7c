package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"kluis/internal/kluis"
)

// TestAnErasureRequestIsWalkedThroughTheAPI: received → verified → erased
// → closed. The candidate is gone; the request stays with its outcome and
// without any personal data. Nothing is erased before the identity check,
// and only the privacy officer keeps the register.
func TestAnErasureRequestIsWalkedThroughTheAPI(t *testing.T) {
	u := newClientUIEnv(t)
	c := u.MustCreateCandidate(t, "Vergeetmij")
	officer := u.user(t, "Petra", kluis.RolePrivacy)
	po := u.token(t, officer.ID, "candidates:write")
	reader := u.token(t, officer.ID, "candidates:read")
	recruiter := u.token(t, u.Actor.UserID, "*")
	cand := idText(c.ID)

	// Field-by-field 400s, in the caller's language, never a 500.
	code, body := u.apiCall(t, po, "POST", "/api/v1/requests", `{"kind":"wish","channel":"pigeon","received_on":"2026-13-01"}`, nil)
	if code != http.StatusBadRequest || !strings.Contains(body, `"kind"`) || !strings.Contains(body, `"channel"`) ||
		!strings.Contains(body, `"received_on"`) || !strings.Contains(body, `"candidate_id"`) {
		t.Fatalf("bad request: %d %s", code, body)
	}
	if code, _ := u.apiCall(t, po, "POST", "/api/v1/requests", `{"kind":"erasure","channel":"email","shoe_size":44}`, nil); code != http.StatusBadRequest {
		t.Fatalf("unknown field: %d", code)
	}
	if code, _ := u.apiCall(t, recruiter, "POST", "/api/v1/requests", `{"candidate_id":`+cand+`,"kind":"erasure","channel":"email"}`, nil); code != http.StatusForbidden {
		t.Fatalf("a recruiter registered a request: %d", code)
	}
	if code, _ := u.apiCall(t, reader, "POST", "/api/v1/requests", `{"candidate_id":`+cand+`,"kind":"erasure","channel":"email"}`, nil); code != http.StatusForbidden {
		t.Fatalf("a read-only token registered a request: %d", code)
	}

	var q kluis.Request
	code, body = u.apiCall(t, po, "POST", "/api/v1/requests",
		`{"candidate_id":`+cand+`,"kind":"erasure","channel":"letter","description":"Sanne Vergeetmij wil uit het bestand"}`, &q)
	if code != http.StatusCreated || q.Status != "received" || q.DueOn != "2026-12-29" {
		t.Fatalf("registered: %d %s", code, body)
	}
	id := "/api/v1/requests/" + idText(q.ID)
	if code, body := u.apiCall(t, po, "POST", id+"/erase", `{}`, nil); code != http.StatusBadRequest || !strings.Contains(body, "verified_how") {
		t.Fatalf("erased before the identity check: %d %s", code, body)
	}
	if code, _ := u.apiCall(t, po, "POST", id+"/verify", `{"verified_how":"shown-a-photo"}`, nil); code != http.StatusBadRequest {
		t.Fatalf("an unknown verification: %d", code)
	}
	if code, _ := u.apiCall(t, po, "POST", id+"/verify", `{"version":7,"verified_how":"id-document-shown"}`, nil); code != http.StatusConflict {
		t.Fatalf("a stale version: %d", code)
	}
	if code, body := u.apiCall(t, po, "POST", id+"/verify", `{"version":1,"verified_how":"id-document-shown"}`, &q); code != http.StatusOK || q.Status != "verified" {
		t.Fatalf("verify: %d %s", code, body)
	}
	if code, body := u.apiCall(t, po, "POST", id+"/extend", `{"extension_reason":"Archief"}`, nil); code != http.StatusBadRequest || !strings.Contains(body, "notice_sent_on") {
		t.Fatalf("an extension without notice: %d %s", code, body)
	}
	if code, body := u.apiCall(t, po, "POST", id+"/erase", `{"version":2}`, &q); code != http.StatusOK {
		t.Fatalf("erase: %d %s", code, body)
	}
	if q.Status != "done" || q.ErasureID == 0 || q.ResidueHits == nil || *q.ResidueHits != 0 || q.ClosedOn == "" || q.Outcome == "" {
		t.Fatalf("the request after the erasure: %+v", q)
	}
	if code, _ := u.apiCall(t, po, "GET", "/api/v1/candidates/"+cand, "", nil); code != http.StatusNotFound {
		t.Fatalf("the candidate is still there: %d", code)
	}
	var kept kluis.Request
	code, body = u.apiCall(t, reader, "GET", id, "", &kept)
	if code != http.StatusOK || kept.Description != "" || strings.Contains(body, "Vergeetmij") || kept.Outcome != q.Outcome || kept.Kind != "erasure" {
		t.Fatalf("the kept request: %d %s", code, body)
	}
	var e kluis.Erasure
	if code, body := u.apiCall(t, po, "GET", "/api/v1/erasures/"+idText(q.ErasureID), "", &e); code != http.StatusOK || e.RequestID != q.ID {
		t.Fatalf("the erasure record: %d %s", code, body)
	}
	if code, _ := u.apiCall(t, po, "POST", id+"/close", `{"status":"refused","outcome":"x"}`, nil); code != http.StatusConflict {
		t.Fatalf("a closed request closed again: %d", code)
	}
	if code, _ := u.apiCall(t, recruiter, "GET", id, "", nil); code != http.StatusForbidden {
		t.Fatalf("a recruiter read the register: %d", code)
	}
}

// TestAnAccessRequestIsAnsweredWithTheRecordCard: once verified, the
// record card is produced and the request closed as done.
func TestAnAccessRequestIsAnsweredWithTheRecordCard(t *testing.T) {
	u := newClientUIEnv(t)
	c := u.MustCreateCandidate(t, "Inzage")
	officer := u.user(t, "Petra", kluis.RolePrivacy)
	po := u.token(t, officer.ID, "*")
	var q kluis.Request
	if code, body := u.apiCall(t, po, "POST", "/api/v1/requests", `{"candidate_id":`+idText(c.ID)+`,"kind":"access","channel":"email","received_on":"31-10-2026"}`, &q); code != http.StatusCreated {
		t.Fatalf("%d %s", code, body)
	}
	if q.DueOn != "2026-11-30" {
		t.Fatalf("due %s", q.DueOn)
	}
	id := "/api/v1/requests/" + idText(q.ID)
	if code, _ := u.apiCall(t, po, "POST", id+"/close", `{"status":"done","outcome":"Stamkaart gestuurd"}`, nil); code != http.StatusBadRequest {
		t.Fatalf("done before the identity check: %d", code)
	}
	if code, _ := u.apiCall(t, po, "POST", id+"/erase", ``, nil); code != http.StatusBadRequest {
		t.Fatalf("an access request erased: %d", code)
	}
	if code, body := u.apiCall(t, po, "POST", id+"/verify", `{"verified_how":"known-email","verified_on":"2026-11-02"}`, &q); code != http.StatusOK || q.VerifiedOn != "2026-11-02" {
		t.Fatalf("%d %s", code, body)
	}
	if code, body := u.apiCall(t, po, "GET", "/api/v1/candidates/"+idText(c.ID)+"/record-card", "", nil); code != http.StatusOK || !strings.Contains(body, "Inzage") {
		t.Fatalf("record card: %d %.200s", code, body)
	}
	if code, body := u.apiCall(t, po, "POST", id+"/close", `{"status":"done","outcome":"Stamkaart gestuurd"}`, &q); code != http.StatusOK || q.Status != "done" {
		t.Fatalf("%d %s", code, body)
	}
	var l listBody[kluis.Request]
	if code, body := u.apiCall(t, po, "GET", "/api/v1/requests?kind=access&candidate_id="+idText(c.ID), "", &l); code != http.StatusOK || l.Total != 1 {
		t.Fatalf("%d %s", code, body)
	}
	if code, _ := u.apiCall(t, po, "GET", "/api/v1/requests?overdue=maybe", "", nil); code != http.StatusBadRequest {
		t.Fatalf("a bad filter: %d", code)
	}
	_ = context.Background()
}
