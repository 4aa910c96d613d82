// Package autopilotmock starts autopilot-mock, a test double of Lightning
// Terminal's (litd) litrpc.Autopilot service, from Go tests:
//
//	mock := autopilotmock.Start(t, "--seed", "1")
//	client := litrpc.NewAutopilotClient(mock.Conn(t))
//	_, err := client.ListAutopilotFeatures(ctx, &litrpc.ListAutopilotFeaturesRequest{})
//	reqs := mock.Requests() // the litrpc calls the mock received
//
// The binary comes from $AUTOPILOT_MOCK_BIN, else PATH (`cargo install
// autopilot-mock`, the container image, or the Python/npm packages' copy).
package autopilotmock

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const adminPrefix = "/_autopilot-mock/v1"

// Mock is one running `autopilot-mock serve`, stopped when its test ends.
type Mock struct {
	// Addr is host:port, e.g. 127.0.0.1:40123.
	Addr         string
	LitDir       string
	TLSCertPath  string
	MacaroonPath string
	// MacaroonHex is lit.macaroon as hex, as litd's clients send it.
	MacaroonHex string
	// Ready holds every field of the ready line.
	Ready map[string]any

	t       testing.TB
	cmd     *exec.Cmd
	exited  chan struct{}
	logPath string
	http    *http.Client
}

// Start runs `autopilot-mock serve` with args (on 127.0.0.1:<free port> and a
// temporary lit dir unless args say otherwise), waits for its ready line and
// registers its stop with t.Cleanup. Any failure fails the test.
func Start(t testing.TB, args ...string) *Mock {
	t.Helper()
	bin := os.Getenv("AUTOPILOT_MOCK_BIN")
	if bin == "" {
		found, err := exec.LookPath("autopilot-mock")
		if err != nil {
			t.Fatalf("autopilotmock: binary not found: set AUTOPILOT_MOCK_BIN or put autopilot-mock on PATH (%v)", err)
		}
		bin = found
	}
	dir := t.TempDir()
	cmdArgs := []string{"serve"}
	if !hasFlag(args, "--listen") {
		cmdArgs = append(cmdArgs, "--listen", "127.0.0.1:0")
	}
	if !hasFlag(args, "--lit-dir") {
		cmdArgs = append(cmdArgs, "--lit-dir", filepath.Join(dir, "lit"))
	}
	cmdArgs = append(cmdArgs, args...)

	logPath := filepath.Join(dir, "mock.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatalf("autopilotmock: %v", err)
	}
	defer logFile.Close()
	cmd := exec.Command(bin, cmdArgs...)
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("autopilotmock: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("autopilotmock: cannot run %s: %v", bin, err)
	}
	m := &Mock{t: t, cmd: cmd, exited: make(chan struct{}), logPath: logPath}
	lines := make(chan string, 1)
	go func() {
		scanner := bufio.NewScanner(stdout)
		first := true
		for scanner.Scan() {
			if first {
				lines <- scanner.Text()
				first = false
			}
		}
		close(lines)
	}()
	go func() {
		_ = cmd.Wait()
		close(m.exited)
	}()
	t.Cleanup(m.stop)

	var line string
	select {
	case l, ok := <-lines:
		if !ok {
			<-m.exited
			t.Fatalf("autopilotmock: serve exited before it was ready (%v): %s", cmd.ProcessState, m.Logs())
		}
		line = l
	case <-time.After(30 * time.Second):
		t.Fatalf("autopilotmock: serve printed no ready line within 30 s: %s", m.Logs())
	}
	if err := json.Unmarshal([]byte(line), &m.Ready); err != nil {
		t.Fatalf("autopilotmock: unexpected ready line %q: %v", line, err)
	}
	m.Addr, _ = m.Ready["listen"].(string)
	m.LitDir, _ = m.Ready["lit_dir"].(string)
	m.TLSCertPath, _ = m.Ready["tls_cert"].(string)
	m.MacaroonPath, _ = m.Ready["macaroon"].(string)
	mac, err := os.ReadFile(m.MacaroonPath)
	if err != nil {
		t.Fatalf("autopilotmock: ready line %q: %v", line, err)
	}
	m.MacaroonHex = fmt.Sprintf("%x", mac)
	pem, err := os.ReadFile(m.TLSCertPath)
	if err != nil {
		t.Fatalf("autopilotmock: ready line %q: %v", line, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("autopilotmock: %s holds no PEM certificate", m.TLSCertPath)
	}
	m.http = &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
	return m
}

func hasFlag(args []string, flag string) bool {
	for _, a := range args {
		if a == flag || strings.HasPrefix(a, flag+"=") {
			return true
		}
	}
	return false
}

// stop sends SIGTERM (in-flight calls finish) and waits for the exit.
func (m *Mock) stop() {
	select {
	case <-m.exited:
		return
	default:
	}
	_ = m.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-m.exited:
	case <-time.After(30 * time.Second):
		_ = m.cmd.Process.Kill()
		<-m.exited
	}
}

// Logs is what the mock wrote on stderr so far.
func (m *Mock) Logs() string {
	b, _ := os.ReadFile(m.logPath)
	return string(b)
}

// admin calls the admin API (JSON, macaroon in Grpc-Metadata-Macaroon) and
// decodes the answer into out (when not nil).
func (m *Mock) admin(method, path string, body, out any) error {
	var reader io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		reader = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, "https://"+m.Addr+adminPrefix+path, reader)
	if err != nil {
		return err
	}
	req.Header.Set("Grpc-Metadata-Macaroon", m.MacaroonHex)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := m.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(raw, &e) == nil && e.Message != "" {
			return fmt.Errorf("%s %s%s: HTTP %d: %s", method, adminPrefix, path, resp.StatusCode, e.Message)
		}
		return fmt.Errorf("%s %s%s: HTTP %d: %s", method, adminPrefix, path, resp.StatusCode, raw)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}

func (m *Mock) must(err error) {
	if err != nil {
		m.t.Helper()
		m.t.Fatalf("autopilotmock: %v", err)
	}
}

// Reset is the admin API's POST reset: no sessions, privacy maps or actions, the
// stub's clients and journal forgotten and its start-up script restored.
func (m *Mock) Reset() {
	m.t.Helper()
	m.must(m.admin(http.MethodPost, "/reset", nil, nil))
}

// SeedActions replaces the firewall's action log (what Firewall.ListActions
// answers) with these actions, each a litrpc.Action in litd's REST JSON, e.g.
// map[string]any{"rpc_method": "/lnrpc.Lightning/GetInfo", "state": "STATE_DONE"}.
func (m *Mock) SeedActions(actions ...any) {
	m.t.Helper()
	m.must(m.admin(http.MethodDelete, "/actions", nil, nil))
	m.must(m.admin(http.MethodPost, "/actions", map[string]any{"actions": actions}, nil))
}

// SetScript replaces the remote stub's script (the README's "The script").
func (m *Mock) SetScript(script any) {
	m.t.Helper()
	m.must(m.admin(http.MethodPut, "/script", script, nil))
}

// Advance moves the mock's clock forward; sessions past their expiry are
// revoked at once.
func (m *Mock) Advance(d time.Duration) {
	m.t.Helper()
	m.must(m.admin(http.MethodPost, "/clock", map[string]int64{"advance_nanos": d.Nanoseconds()}, nil))
}

// Now is the mock's clock (GET clock).
func (m *Mock) Now() time.Time {
	m.t.Helper()
	var clock struct {
		UnixNanos json.RawMessage `json:"unix_nanos"` // a decimal string (u64 as in litd's JSON)
	}
	m.must(m.admin(http.MethodGet, "/clock", nil, &clock))
	nanos, err := strconv.ParseInt(strings.Trim(string(clock.UnixNanos), `"`), 10, 64)
	if err != nil {
		m.must(fmt.Errorf("GET clock: unix_nanos %s: %w", clock.UnixNanos, err))
	}
	return time.Unix(0, nanos)
}

// Request is one litrpc call the mock received. Fields holds every field of
// the entry as the admin API gave it (request, response, auth, latency...).
type Request struct {
	Seq       uint64
	Method    string
	Transport string
	Fields    map[string]json.RawMessage
}

// UnmarshalJSON keeps every field in Fields and the common ones typed.
func (r *Request) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &r.Fields); err != nil {
		return err
	}
	var common struct {
		Seq       uint64 `json:"seq"`
		Method    string `json:"method"`
		Transport string `json:"transport"`
	}
	if err := json.Unmarshal(b, &common); err != nil {
		return err
	}
	r.Seq, r.Method, r.Transport = common.Seq, common.Method, common.Transport
	return nil
}

// Requests lists the litrpc calls the mock received, oldest first; with a
// method (a full name, "/litrpc.Autopilot/ListAutopilotFeatures"), only its.
func (m *Mock) Requests(method ...string) []Request {
	m.t.Helper()
	path := "/requests"
	if len(method) > 0 {
		path += "?method=" + url.QueryEscape(method[0])
	}
	var out struct {
		Entries []Request `json:"entries"`
	}
	m.must(m.admin(http.MethodGet, path, nil, &out))
	return out.Entries
}

// ClearRequests empties the journal of received calls.
func (m *Mock) ClearRequests() {
	m.t.Helper()
	m.must(m.admin(http.MethodDelete, "/requests", nil, nil))
}
