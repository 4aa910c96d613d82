package autopilotmock_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/autopilot-mock/autopilot-mock/go/autopilotmock"
	"github.com/autopilot-mock/autopilot-mock/go/autopilotmock/litrpc"
)

const listFeatures = "/litrpc.Autopilot/ListAutopilotFeatures"

// A real litrpc.Autopilot call over grpc-go, dialled as litcli dials litd,
// and the mock's journal entry for it.
func TestListFeaturesThroughConnIsJournaled(t *testing.T) {
	// tests/packages/run.sh sets this only for a binary without the
	// received-calls journal (no `serve --requests-limit`).
	journal := os.Getenv("AUTOPILOT_MOCK_NO_RECEIVED_JOURNAL") != "1"
	mock := autopilotmock.Start(t, "--seed", "1")
	client := litrpc.NewAutopilotClient(mock.Conn(t))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	resp, err := client.ListAutopilotFeatures(ctx, &litrpc.ListAutopilotFeaturesRequest{})
	if err != nil {
		t.Fatalf("ListAutopilotFeatures: %v", err)
	}
	health, ok := resp.Features["HealthCheck"]
	if !ok {
		t.Fatalf("no HealthCheck feature in %v", resp.Features)
	}
	if health.Name != "HealthCheck" {
		t.Errorf("HealthCheck feature named %q", health.Name)
	}
	if !journal {
		t.Skip("the call worked; this autopilot-mock binary has no received-calls journal (serve --requests-limit)")
	}

	reqs := mock.Requests(listFeatures)
	if len(reqs) != 1 {
		t.Fatalf("want 1 journaled %s, got %d: %+v", listFeatures, len(reqs), reqs)
	}
	if reqs[0].Method != listFeatures || reqs[0].Transport != "grpc" {
		t.Errorf("entry: method %q transport %q", reqs[0].Method, reqs[0].Transport)
	}
	// Conn's macaroon (with litcli's caveat) passed the mock's check.
	var credential string
	var auth struct {
		Result string `json:"result"`
	}
	if json.Unmarshal(reqs[0].Fields["credential"], &credential) != nil || credential != "macaroon" ||
		json.Unmarshal(reqs[0].Fields["auth"], &auth) != nil || auth.Result != "ok" {
		t.Errorf("entry: credential %s auth %s", reqs[0].Fields["credential"], reqs[0].Fields["auth"])
	}
	// The macaroon never appears in the journal, only its kind.
	raw, _ := json.Marshal(reqs[0].Fields)
	if strings.Contains(string(raw), mock.MacaroonHex[:40]) {
		t.Errorf("the journal entry holds the macaroon: %s", raw)
	}
	mock.ClearRequests()
	if reqs := mock.Requests(); len(reqs) != 0 {
		t.Errorf("after ClearRequests: %+v", reqs)
	}
}

// Add, advance the clock past the expiry, and the session is revoked; Reset
// drops it.
func TestAddAdvanceReset(t *testing.T) {
	mock := autopilotmock.Start(t)
	client := litrpc.NewAutopilotClient(mock.Conn(t))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	added, err := client.AddAutopilotSession(ctx, &litrpc.AddAutopilotSessionRequest{
		Label:                  "go",
		ExpiryTimestampSeconds: uint64(time.Now().Add(time.Hour).Unix()),
		Features:               map[string]*litrpc.FeatureConfig{"HealthCheck": {}},
	})
	if err != nil {
		t.Fatalf("AddAutopilotSession: %v", err)
	}
	if got := added.Session.SessionState; got != litrpc.SessionState_STATE_CREATED {
		t.Fatalf("state after Add: %v", got)
	}
	mock.Advance(2 * time.Hour)
	// Conn added litcli's 60 s time-before caveat: that macaroon has expired.
	_, err = client.ListAutopilotSessions(ctx, &litrpc.ListAutopilotSessionsRequest{})
	// bakery reports the failing caveat's own text (its time is Conn's mock-clock now + 60 s).
	msg := status.Convert(err).Message()
	if status.Code(err) != codes.Unknown ||
		!strings.HasPrefix(msg, `proxy error with context lit: invalid macaroon: caveat "time-before `) ||
		!strings.HasSuffix(msg, `" not satisfied: macaroon has expired`) {
		t.Fatalf("the old Conn after 2 h: %v", err)
	}
	client = litrpc.NewAutopilotClient(mock.Conn(t))
	listed, err := client.ListAutopilotSessions(ctx, &litrpc.ListAutopilotSessionsRequest{})
	if err != nil {
		t.Fatalf("ListAutopilotSessions: %v", err)
	}
	// litd 0.17.2 leaves a session added in this run STATE_CREATED after its expiry.
	if len(listed.Sessions) != 1 || listed.Sessions[0].SessionState != litrpc.SessionState_STATE_CREATED {
		t.Fatalf("after the expiry: %v", listed.Sessions)
	}
	mock.Reset()
	listed, err = client.ListAutopilotSessions(ctx, &litrpc.ListAutopilotSessionsRequest{})
	if err != nil {
		t.Fatalf("ListAutopilotSessions: %v", err)
	}
	if len(listed.Sessions) != 0 {
		t.Fatalf("after Reset: %v", listed.Sessions)
	}
}
