package cli

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"strings"
	"testing"

	"kluis/internal/kluis"
	"kluis/internal/store/storetest"
)

type settingsAnswer struct {
	DPOEmail string `json:"dpo_email"`
	KvK      string `json:"kvk_number"`
	Version  int64  `json:"version"`
	Collect  []struct {
		Key       string     `json:"key"`
		Collected bool       `json:"collected"`
		RemovalOn kluis.Date `json:"removal_on"`
		Held      int        `json:"held"`
	} `json:"collect"`
}

func photoUpload(t *testing.T, cand kluis.ID) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("candidate_id", fmt.Sprint(cand))
	_ = mw.WriteField("kind", "photo")
	fw, _ := mw.CreateFormFile("file", "pasfoto.png")
	_, _ = fw.Write([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"))
	_ = mw.Close()
	return &buf, mw.FormDataContentType()
}

// TestAnAgencyChoosesWhatItCollects: the privacy officer switches optional
// data off through the API; from then on no role sees it, no write may add
// it, no search may use it, and a photo upload is refused with a reason.
func TestAnAgencyChoosesWhatItCollects(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *storetest.Env) {
		recruiter := startServer(t, e)
		privacy := recruiter.as(e, kluis.RolePrivacy)
		payroll := recruiter.as(e, kluis.RolePayroll)

		in := map[string]any{"branch_id": e.Branch.ID, "last_name": "Jansen", "nationality": "NL", "functions": []string{"Lasser"}}
		var cand kluis.Candidate
		recruiter.want(201, "POST", "/api/v1/candidates", in).json(t, &cand)
		body, ctype := photoUpload(t, cand.ID)
		payroll.want(201, "POST", "/api/v1/documents", body, "Content-Type", ctype)

		var s settingsAnswer
		recruiter.want(200, "GET", "/api/v1/settings", nil).json(t, &s)
		if s.Version != 0 || len(s.Collect) != 5 || !s.Collect[0].Collected {
			t.Fatalf("defaults: %+v", s)
		}
		change := map[string]any{"dpo_email": "fg@bureau.example", "kvk_number": "12345678", "not_collected": []string{"nationality", "functions", "photo"}, "version": 0}
		recruiter.want(403, "PUT", "/api/v1/settings", change)
		bad := map[string]any{"dpo_email": "nee", "not_collected": []string{"bsn"}, "version": 0}
		r := privacy.want(400, "PUT", "/api/v1/settings", bad)
		if !strings.Contains(string(r.body), `"dpo_email"`) || !strings.Contains(string(r.body), `"not_collected"`) {
			t.Fatalf("field errors: %s", r.body)
		}
		privacy.want(400, "PUT", "/api/v1/settings", map[string]any{"dpo_email": "fg@bureau.example"})
		privacy.want(200, "PUT", "/api/v1/settings", change).json(t, &s)
		if s.Version != 1 || s.DPOEmail != "fg@bureau.example" {
			t.Fatalf("saved: %+v", s)
		}
		for _, c := range s.Collect {
			want := c.Key == "phone" || c.Key == "availability"
			if c.Collected != want || (!want && c.RemovalOn != "2026-12-06") {
				t.Errorf("item %+v", c)
			}
			if (c.Key == "nationality" || c.Key == "photo" || c.Key == "functions") && c.Held != 1 {
				t.Errorf("item %s holds %d values, want 1", c.Key, c.Held)
			}
		}
		privacy.want(409, "PUT", "/api/v1/settings", change)

		// Nobody sees what is not collected, not even the privacy officer
		// in the daily views.
		path := fmt.Sprintf("/api/v1/candidates/%d", cand.ID)
		for _, c := range []*client{recruiter, privacy, payroll} {
			var got map[string]any
			c.want(200, "GET", path, nil).json(t, &got)
			if _, ok := got["nationality"]; ok {
				t.Errorf("the nationality is shown: %v", got)
			}
			if _, ok := got["functions"]; ok {
				t.Errorf("the functions are shown: %v", got)
			}
			if got["last_name"] != "Jansen" {
				t.Errorf("ordinary fields went missing: %v", got)
			}
		}
		// Lists and searches too.
		for _, list := range []response{recruiter.want(200, "GET", "/api/v1/candidates", nil),
			recruiter.want(200, "POST", "/api/v1/candidates/search", map[string]any{"query": "Jans"})} {
			if strings.Contains(string(list.body), `"nationality"`) || !strings.Contains(string(list.body), "Jansen") {
				t.Errorf("a list shows the nationality, or lost the candidate: %s", list.body)
			}
		}
		var docs struct{ Total int }
		payroll.want(200, "GET", fmt.Sprintf("/api/v1/documents?candidate_id=%d", cand.ID), nil).json(t, &docs)
		if docs.Total != 0 {
			t.Errorf("%d documents listed; the photo is not collected", docs.Total)
		}

		// New values are refused with the reason, field by field.
		r = recruiter.want(400, "POST", "/api/v1/candidates", map[string]any{"branch_id": e.Branch.ID, "last_name": "Bos", "nationality": "BE"})
		if !strings.Contains(string(r.body), "minimisation") && !strings.Contains(string(r.body), "dataminimalisatie") {
			t.Errorf("no reason given: %s", r.body)
		}
		recruiter.want(400, "PATCH", path, map[string]any{"nationality": "DE", "version": cand.Version})
		recruiter.want(200, "PATCH", path, map[string]any{"city": "Utrecht", "version": cand.Version})
		recruiter.want(400, "POST", "/api/v1/candidates/search", map[string]any{"function": "Lasser"})
		body, ctype = photoUpload(t, cand.ID)
		r = payroll.want(400, "POST", "/api/v1/documents", body, "Content-Type", ctype)
		if !strings.Contains(string(r.body), `"kind"`) {
			t.Errorf("the refusal names no field: %s", r.body)
		}
	})
}
