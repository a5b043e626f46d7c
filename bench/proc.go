package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// registry remembers every subprocess this program starts, so that each is
// ended — by its own id — however the program ends.
type registry struct {
	mu   sync.Mutex
	live map[int]*exec.Cmd
}

var procs = &registry{live: map[int]*exec.Cmd{}}

func (r *registry) add(c *exec.Cmd) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.live[c.Process.Pid] = c
}

func (r *registry) remove(pid int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.live, pid)
}

// killAll sends SIGTERM to every live subprocess, then SIGKILL to those
// still there after three seconds.
func (r *registry) killAll() {
	r.mu.Lock()
	var ps []*exec.Cmd
	for _, c := range r.live {
		ps = append(ps, c)
	}
	r.mu.Unlock()
	for _, c := range ps {
		_ = c.Process.Signal(syscall.SIGTERM)
	}
	deadline := time.Now().Add(3 * time.Second)
	for _, c := range ps {
		for processAlive(c.Process.Pid) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if processAlive(c.Process.Pid) {
			_ = c.Process.Kill()
		}
		r.remove(c.Process.Pid)
	}
}

// processAlive reports whether pid is a process that has not ended (a
// zombie, ended but not yet waited for, counts as ended).
func processAlive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses.
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || i+2 >= len(b) || (b[i+2] != 'Z' && b[i+2] != 'X')
}

// server is a long-running subprocess: kluis serve or the bare server.
type server struct {
	name    string
	cmd     *exec.Cmd
	addr    string
	done    chan struct{} // closed when the process has ended
	waitErr error
	logPath string
}

// startServer starts bin with args (stdout and stderr to logPath) and
// registers it. The child gets SIGKILL if this program dies first.
func startServer(name, bin string, args []string, env []string, logPath, addr string) (*server, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	procs.add(cmd)
	s := &server{name: name, cmd: cmd, addr: addr, done: make(chan struct{}), logPath: logPath}
	go func() {
		s.waitErr = cmd.Wait()
		logf.Close()
		procs.remove(cmd.Process.Pid)
		close(s.done)
	}()
	return s, nil
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// stop ends the server gracefully (SIGTERM), and for good after 20 s.
func (s *server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

func (s *server) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// logTail returns the last lines of the server's log, for error messages.
func (s *server) logTail() string {
	b, _ := os.ReadFile(s.logPath)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 8 {
		lines = lines[len(lines)-8:]
	}
	return strings.Join(lines, "\n")
}

// waitReady polls url every 2 ms until it answers 200, the process ends,
// ctx ends or limit passes. It returns the time from since to the first 200.
func (s *server) waitReady(ctx context.Context, since time.Time, rawURL string, header http.Header, limit time.Duration) (time.Duration, error) {
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	defer client.CloseIdleConnections()
	deadline := since.Add(limit)
	for time.Now().Before(deadline) {
		if s.exited() {
			return 0, fmt.Errorf("%s ended before it was ready: %v\n%s", s.name, s.waitErr, s.logTail())
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
		if err != nil {
			return 0, err
		}
		req.Header = header.Clone()
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(since), nil
			}
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
	return 0, fmt.Errorf("%s was not ready after %s\n%s", s.name, limit, s.logTail())
}

// rssMB reads the resident set size (VmRSS) of pid in MiB; key may also be
// VmHWM, the peak.
func rssMB(pid int, key string) float64 {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, key+":") {
			fields := strings.Fields(line[len(key)+1:])
			if len(fields) > 0 {
				kb, _ := strconv.ParseFloat(fields[0], 64)
				return kb / 1024
			}
		}
	}
	return 0
}

// rssSampler samples VmRSS of pid every 100 ms until stopped and keeps the
// largest value.
type rssSampler struct {
	stopc chan struct{}
	done  chan struct{}
	max   float64
}

func sampleRSS(pid int) *rssSampler {
	s := &rssSampler{stopc: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			s.max = max(s.max, rssMB(pid, "VmRSS"))
			select {
			case <-s.stopc:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *rssSampler) stop() float64 {
	close(s.stopc)
	<-s.done
	return s.max
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// runCmd runs a short command to its end, bounded by limit, and returns its
// standard output; its standard error goes to errw (or into the error).
func runCmd(ctx context.Context, limit time.Duration, dir string, errw io.Writer, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	if errw != nil {
		cmd.Stderr = io.MultiWriter(&stderr, errw)
	} else {
		cmd.Stderr = &stderr
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	procs.add(cmd)
	err := cmd.Wait()
	procs.remove(cmd.Process.Pid)
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 2000 {
			msg = "…" + msg[len(msg)-2000:]
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return stdout.Bytes(), fmt.Errorf("%s %s: took longer than %s: %s", name, strings.Join(args, " "), limit, msg)
		}
		return stdout.Bytes(), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, msg)
	}
	return stdout.Bytes(), nil
}
