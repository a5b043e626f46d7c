package crashtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTheMasterKeyRotatesWhileKluisServes follows "Rotating the master key"
// of docs/OPERATIONS.md with the real process: a new key made with `kluis
// keys init`; kluis serve restarted with it and the old one as
// --previous-master-key-file, so that everything stays readable; `kluis
// keys rotate` while it serves; a restart with the new key alone and the
// old key file destroyed. A document uploaded before reads the same at
// every step, and one uploaded during the rotation too.
func TestTheMasterKeyRotatesWhileKluisServes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts kluis serve three times: not with -short")
	}
	r := &rig{t: t, dir: t.TempDir(), rnd: rand.New(rand.NewPCG(3, 4))}
	r.prepare(200)
	token := r.token("recruiter")
	var page struct {
		Items []struct {
			ID json.Number `json:"id"`
		} `json:"items"`
	}
	upload := func(content string) string {
		t.Helper()
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		_ = w.WriteField("candidate_id", page.Items[0].ID.String())
		_ = w.WriteField("kind", "cv")
		part, _ := w.CreateFormFile("file", "cv.pdf")
		fmt.Fprintf(part, "%%PDF-1.4\n%s\n%%%%EOF\n", content)
		_ = w.Close()
		req, _ := http.NewRequest("POST", r.base+"/api/v1/documents", &b)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", w.FormDataContentType())
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var d struct {
			ID json.Number `json:"id"`
		}
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusCreated || json.Unmarshal(body, &d) != nil {
			t.Fatalf("upload: %d %s", res.StatusCode, body)
		}
		return d.ID.String()
	}
	reads := func(step string, docs map[string]string) {
		t.Helper()
		for id, want := range docs {
			req, _ := http.NewRequest("GET", r.base+"/api/v1/documents/"+id+"/content", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || !strings.Contains(string(b), want) {
				t.Errorf("%s: document %s: %d %.200q", step, id, res.StatusCode, b)
			}
		}
		var c struct {
			LastName string `json:"last_name"`
		}
		if code := r.call(token, "GET", "/api/v1/candidates/"+page.Items[0].ID.String(), nil, &c); code != http.StatusOK || c.LastName == "" {
			t.Errorf("%s: the candidate: %d %+v", step, code, c)
		}
	}

	r.start()
	r.call(token, "GET", "/api/v1/candidates?limit=1", nil, &page)
	if len(page.Items) == 0 {
		t.Fatal("no candidates")
	}
	docs := map[string]string{upload("CV van voor de wissel"): "CV van voor de wissel"}
	reads("with the old key", docs)
	r.stop()

	old := r.key
	next := filepath.Join(t.TempDir(), "master-2027.key")
	if out := r.kluis("keys", "init", "--out", next); !strings.Contains(out, "wrote master key") {
		t.Fatalf("keys init: %s", out)
	}
	r.key, r.args = next, []string{"--previous-master-key-file", old}
	r.start()
	reads("with the new key and the old as previous", docs)
	docs[upload("CV van tijdens de wissel")] = "CV van tijdens de wissel"
	out := r.kluis("keys", "rotate", "--data", r.dir, "--master-key-file", old, "--new-master-key-file", next)
	if !strings.Contains(out, "every subject key is now wrapped under master key") {
		t.Fatalf("keys rotate: %s", out)
	}
	reads("after the rotation, still serving", docs)
	r.stop()

	if err := os.Remove(old); err != nil {
		t.Fatal(err)
	}
	r.args = nil
	r.start()
	defer r.stop()
	reads("with the new key alone, the old one destroyed", docs)
}
