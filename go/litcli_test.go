package autopilotmock_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/status"

	"github.com/autopilot-mock/autopilot-mock/go/autopilotmock"
	"github.com/autopilot-mock/autopilot-mock/go/autopilotmock/litrpc"
)

// What litcli calls beside `litcli autopilot`, over grpc-go as litcli dials
// litd: `status`, `getinfo`, `sessions add|list|revoke`, `actions` and
// `privacy`, on one port and one store.
func TestLitcliCallsBesideAutopilot(t *testing.T) {
	mock := autopilotmock.Start(t)
	conn := mock.Conn(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	// litcli status
	st, err := litrpc.NewStatusClient(conn).SubServerStatus(ctx, &litrpc.SubServerStatusReq{})
	if err != nil {
		t.Fatalf("SubServerStatus: %v", err)
	}
	if lit, ok := st.SubServers["lit"]; !ok || !lit.Running || lit.Disabled {
		t.Errorf("status lit: %+v", st.SubServers["lit"])
	}
	if len(st.SubServers) != 7 {
		t.Errorf("want litd's 7 sub-servers, got %d: %v", len(st.SubServers), st.SubServers)
	}

	// litcli getinfo
	info, err := litrpc.NewProxyClient(conn).GetInfo(ctx, &litrpc.GetInfoRequest{})
	if err != nil || info.Version != "0.17.2-alpha" {
		t.Errorf("GetInfo: %+v %v", info, err)
	}

	// litcli sessions add --type readonly, list, revoke
	sessions := litrpc.NewSessionsClient(conn)
	added, err := sessions.AddSession(ctx, &litrpc.AddSessionRequest{
		Label:                  "litcli",
		SessionType:            litrpc.SessionType_TYPE_MACAROON_READONLY,
		ExpiryTimestampSeconds: uint64(time.Now().Add(time.Hour).Unix()),
		MailboxServerAddr:      "mailbox.terminal.lightning.today:443",
	})
	if err != nil {
		t.Fatalf("AddSession: %v", err)
	}
	if added.Session.SessionState != litrpc.SessionState_STATE_CREATED ||
		added.Session.SessionType != litrpc.SessionType_TYPE_MACAROON_READONLY {
		t.Errorf("added: %v", added.Session)
	}
	// An autopilot session next to it: listed by both services.
	auto, err := litrpc.NewAutopilotClient(conn).AddAutopilotSession(ctx, &litrpc.AddAutopilotSessionRequest{
		Label:                  "autopilot",
		ExpiryTimestampSeconds: uint64(time.Now().Add(time.Hour).Unix()),
		MailboxServerAddr:      "mailbox.terminal.lightning.today:443",
		Features:               map[string]*litrpc.FeatureConfig{"HealthCheck": {}},
	})
	if err != nil {
		t.Fatalf("AddAutopilotSession: %v", err)
	}
	listed, err := sessions.ListSessions(ctx, &litrpc.ListSessionsRequest{})
	if err != nil || len(listed.Sessions) != 2 {
		t.Fatalf("ListSessions: %v %v", listed, err)
	}
	if listed.Sessions[1].SessionType != litrpc.SessionType_TYPE_AUTOPILOT {
		t.Errorf("second listed: %v", listed.Sessions[1].SessionType)
	}
	if _, err := sessions.RevokeSession(ctx, &litrpc.RevokeSessionRequest{
		LocalPublicKey: added.Session.LocalPublicKey,
	}); err != nil {
		t.Fatalf("RevokeSession: %v", err)
	}
	listed, err = sessions.ListSessions(ctx, &litrpc.ListSessionsRequest{})
	if err != nil || listed.Sessions[0].SessionState != litrpc.SessionState_STATE_REVOKED {
		t.Errorf("after revoke: %v %v", listed, err)
	}

	// litcli actions (over actions the test seeds)
	mock.SeedActions(
		map[string]any{"actor_name": "autopilot", "rpc_method": "/lnrpc.Lightning/GetInfo", "state": "STATE_DONE"},
		map[string]any{"actor_name": "autopilot", "rpc_method": "/lnrpc.Lightning/ListChannels", "state": "STATE_ERROR", "error_reason": "boom"},
	)
	firewall := litrpc.NewFirewallClient(conn)
	actions, err := firewall.ListActions(ctx, &litrpc.ListActionsRequest{
		State: litrpc.ActionState_STATE_ERROR, CountTotal: true,
	})
	if err != nil || len(actions.Actions) != 1 || actions.Actions[0].ErrorReason != "boom" || actions.TotalCount != 1 {
		t.Errorf("ListActions: %v %v", actions, err)
	}

	// litcli privacy: the autopilot session's group holds no pair for this value.
	_, err = firewall.PrivacyMapConversion(ctx, &litrpc.PrivacyMapConversionRequest{
		RealToPseudo: true, GroupId: auto.Session.GroupId, Input: "03aa",
	})
	if s, _ := status.FromError(err); err == nil || s.Message() != "no such key found" {
		t.Errorf("PrivacyMapConversion: %v", err)
	}
	_, err = firewall.PrivacyMapConversion(ctx, &litrpc.PrivacyMapConversionRequest{
		RealToPseudo: true, GroupId: []byte{1, 2, 3, 4}, Input: "03aa",
	})
	if s, _ := status.FromError(err); err == nil || s.Message() != "unknown group" {
		t.Errorf("PrivacyMapConversion of an unknown group: %v", err)
	}
}
