package autopilotmock

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"gopkg.in/macaroon.v2"
)

// macaroonTimeout is how long litcli's macaroons live: it adds a
// `time-before` caveat 60 s ahead to lit.macaroon before every dial.
const macaroonTimeout = 60 * time.Second

// Conn dials the mock the way litcli dials litd: TLS pinned to tls.cert, and
// lit.macaroon, with a 60 s time-before caveat added, as per-RPC
// credentials (metadata "macaroon", hex). Closed when the test ends.
//
// The caveat is 60 s past the mock's clock at dial time (its wall clock
// unless the test moved it), so after an Advance beyond that the
// connection's macaroon has expired, as a litcli connection's would: dial a
// new Conn.
func (m *Mock) Conn(t testing.TB) *grpc.ClientConn {
	t.Helper()
	conn, err := dial(m.Addr, m.TLSCertPath, m.MacaroonPath, m.Now().Add(macaroonTimeout))
	if err != nil {
		t.Fatalf("autopilotmock: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// Dial is Conn for any litd-like server (litd itself too).
func Dial(addr, tlsCertPath, macaroonPath string) (*grpc.ClientConn, error) {
	return dial(addr, tlsCertPath, macaroonPath, time.Now().Add(macaroonTimeout))
}

func dial(addr, tlsCertPath, macaroonPath string, macaroonBefore time.Time) (*grpc.ClientConn, error) {
	creds, err := credentials.NewClientTLSFromFile(tlsCertPath, "")
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", tlsCertPath, err)
	}
	macCreds, err := macaroonCredentials(macaroonPath, macaroonBefore)
	if err != nil {
		return nil, err
	}
	return grpc.Dial(addr, grpc.WithTransportCredentials(creds), grpc.WithPerRPCCredentials(macCreds))
}

// macaroonCredential sends a macaroon as litd expects it.
type macaroonCredential struct{ hex string }

func (c macaroonCredential) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"macaroon": c.hex}, nil
}

func (macaroonCredential) RequireTransportSecurity() bool { return true }

// macaroonCredentials reads a V2 binary macaroon and adds the caveat
// `time-before <RFC 3339 UTC>`, the text lnd's TimeoutConstraint writes.
func macaroonCredentials(path string, before time.Time) (macaroonCredential, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return macaroonCredential{}, fmt.Errorf("reading macaroon: %w", err)
	}
	mac := &macaroon.Macaroon{}
	if err := mac.UnmarshalBinary(raw); err != nil {
		return macaroonCredential{}, fmt.Errorf("decoding macaroon %s: %w", path, err)
	}
	caveat := "time-before " + before.UTC().Format(time.RFC3339Nano)
	if err := mac.AddFirstPartyCaveat([]byte(caveat)); err != nil {
		return macaroonCredential{}, fmt.Errorf("adding caveat %q: %w", caveat, err)
	}
	bin, err := mac.MarshalBinary()
	if err != nil {
		return macaroonCredential{}, err
	}
	return macaroonCredential{hex: hex.EncodeToString(bin)}, nil
}
