package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestTheBinary builds kluis and uses it as an operator would: create an
// agency, a user and a token, serve, call the API, and stop with SIGTERM.
func TestTheBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "kluis")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	master := filepath.Join(dir, "secrets", "master.key")
	if err := os.MkdirAll(filepath.Dir(master), 0o700); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "KLUIS_DATA="+data, "KLUIS_MASTER_KEY_FILE="+master)
	run := func(stdin string, args ...string) (string, string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		cmd.Stdin = strings.NewReader(stdin)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("kluis %v: %v\n%s", args, err, stderr.String())
		}
		return stdout.String(), stderr.String()
	}
	for _, sub := range []string{"serve", "migrate", "tenant", "user", "token", "keys", "import", "demo"} {
		cmd := exec.Command(bin, sub, "--help")
		out, _ := cmd.CombinedOutput()
		if !strings.Contains(string(out), "Usage: kluis "+sub) {
			t.Errorf("kluis %s --help says %q", sub, out)
		}
	}
	if out, _ := run("", "keys", "init", "--out", master); !strings.Contains(out, "wrote master key") {
		t.Fatalf("keys init: %q", out)
	}
	if out, _ := run("", "migrate"); !strings.Contains(out, "schema version 0") {
		t.Fatalf("migrate: %q", out)
	}
	run("", "tenant", "add", "--slug", "bureau-oost", "--name", "Bureau Oost", "--branch", "Enschede", "--city", "Enschede")
	out, _ := run("een lang en geheim wachtwoord\n", "user", "add", "--tenant", "bureau-oost", "--email", "p.jansen@example.nl", "--role", "payroll", "--password-stdin")
	if strings.Contains(out, "geheim") {
		t.Fatal("user add printed the password it was given")
	}
	token, _ := run("", "token", "create", "--tenant", "bureau-oost", "--user", "p.jansen@example.nl", "--scopes", "candidates:read,payroll:write")
	token = strings.TrimSpace(token)
	if !strings.HasPrefix(token, "kluis_") {
		t.Fatalf("token %q", token)
	}

	refuse := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	refuse.Env = append(os.Environ(), "KLUIS_DATA="+data)
	if out, err := refuse.CombinedOutput(); err == nil || !strings.Contains(string(out), "master key") {
		t.Fatalf("serve without a master key: %v %s", err, out)
	}
	serve := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	serve.Env = env
	stderr, _ := serve.StderrPipe()
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer serve.Process.Kill()
	lines := bufio.NewScanner(stderr)
	addr := ""
	for addr == "" && lines.Scan() {
		var entry struct{ Msg, Addr string }
		if json.Unmarshal(lines.Bytes(), &entry) == nil && entry.Msg == "kluis listening" {
			addr = entry.Addr
		}
	}
	if addr == "" {
		t.Fatal("serve never said where it listens")
	}
	go io.Copy(io.Discard, stderr)
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/branches", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "Enschede") {
		t.Fatalf("branches: %d %s", res.StatusCode, body)
	}
	if err := serve.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- serve.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve did not stop cleanly on SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop within 20s of SIGTERM")
	}
}
