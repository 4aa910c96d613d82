"""Calls the standalone stub (`autopilot-mock stub`) as a remote autopilot
server client would, through grpcio with modules generated from OUR
proto/autopilotserver.proto (see gen.sh).

    stub_client.py HOST:PORT (TLS_CERT_PATH | insecure)

Output: exactly one JSON line on stdout (proto field names, every field):
  {"terms", "features", "registered", "registered_again_error",
   "activated", "revoked", "activate_unknown_error"}
where the *_error values are {"code": <number>, "details": <text>}.
Unexpected failures go to stderr and exit non-zero.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.environ.get("AUTOPILOT_MOCK_PYTHON_GEN") or os.path.join(HERE, "gen")
if not os.path.isfile(os.path.join(GEN, "autopilotserver_pb2.py")):
    sys.stderr.write(f"stub_client.py: autopilotserver_pb2 not found in {GEN}; run scripts/test.sh\n")
    sys.exit(2)
sys.path.insert(0, GEN)

import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402

import autopilotserver_pb2 as ap  # noqa: E402
import autopilotserver_pb2_grpc as ap_grpc  # noqa: E402

TIMEOUT = 20
# The compressed secp256k1 generator point: a valid responder key.
RESPONDER = bytes.fromhex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
os.environ["GRPC_SSL_CIPHER_SUITES"] = "HIGH+ECDSA"


def to_dict(message):
    return json_format.MessageToDict(
        message,
        preserving_proto_field_name=True,
        always_print_fields_with_no_presence=True,
    )


def error_of(fn, request):
    try:
        response = fn(request, timeout=TIMEOUT)
    except grpc.RpcError as err:
        return {"code": err.code().value[0], "details": err.details()}
    raise RuntimeError(f"expected an error, got {to_dict(response)}")


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    target, cert = sys.argv[1], sys.argv[2]
    if cert == "insecure":
        ch = grpc.insecure_channel(target)
    else:
        with open(cert, "rb") as f:
            ch = grpc.secure_channel(target, grpc.ssl_channel_credentials(f.read()))
    with ch:
        stub = ap_grpc.AutopilotStub(ch)
        terms = stub.Terms(ap.TermsRequest(), timeout=TIMEOUT)
        features = stub.ListFeatures(ap.ListFeaturesRequest(), timeout=TIMEOUT)
        register = ap.RegisterSessionRequest(
            responder_pub_key=RESPONDER,
            mailbox_addr="mailbox.terminal.lightning.today:443",
            feature_configs={"HealthCheck": b"{}"},
            lit_version=ap.Version(major=0, minor=17, patch=2),
            lnd_version=ap.Version(major=0, minor=21, patch=2),
            privacy_flags=1,
        )
        registered = stub.RegisterSession(register, timeout=TIMEOUT)
        again = error_of(stub.RegisterSession, register)
        activated = stub.ActivateSession(
            ap.ActivateSessionRequest(responder_pub_key=RESPONDER), timeout=TIMEOUT
        )
        revoked = stub.RevokeSession(
            ap.RevokeSessionRequest(responder_pub_key=RESPONDER), timeout=TIMEOUT
        )
        unknown = error_of(
            stub.ActivateSession, ap.ActivateSessionRequest(responder_pub_key=b"\x02")
        )
    out = {
        "terms": to_dict(terms),
        "features": to_dict(features),
        "registered": to_dict(registered),
        "registered_again_error": again,
        "activated": to_dict(activated),
        "revoked": to_dict(revoked),
        "activate_unknown_error": unknown,
    }
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
