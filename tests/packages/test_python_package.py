"""The installed autopilot-mock wheel, as a Python developer uses it: the
pytest fixture, a real grpcio call, and the mock's record of that call.

Run by tests/packages/run.sh in a fresh venv holding only the wheel, pytest,
grpcio and protobuf; the grpcio modules come from litd's official protos
(PYTHONPATH=$AUTOPILOT_MOCK_PYTHON_GEN).
"""

import os
import subprocess
import sys

import grpc
import pytest

import autopilot_mock
import lit_autopilot_pb2 as litrpc
import lit_autopilot_pb2_grpc as autopilotrpc
import lit_sessions_pb2

LIST_FEATURES = "/litrpc.Autopilot/ListAutopilotFeatures"


def stub_for(mock):
    channel = grpc.secure_channel(mock.address, grpc.ssl_channel_credentials(mock.tls_cert_pem))
    return channel, autopilotrpc.AutopilotStub(channel)


def test_the_fixture_serves_a_real_grpc_call(autopilot_mock):
    channel, stub = stub_for(autopilot_mock)
    with channel:
        features = stub.ListAutopilotFeatures(
            litrpc.ListAutopilotFeaturesRequest(), metadata=[("macaroon", autopilot_mock.macaroon_hex)]
        )
    assert features.features["HealthCheck"].name == "HealthCheck"


def test_without_a_macaroon_litds_error(autopilot_mock):
    channel, stub = stub_for(autopilot_mock)
    with channel, pytest.raises(grpc.RpcError) as err:
        stub.ListAutopilotSessions(litrpc.ListAutopilotSessionsRequest())
    assert err.value.code() == grpc.StatusCode.UNKNOWN
    assert err.value.details() == "expected 1 macaroon, got 0"


# tests/packages/run.sh sets this only for a binary without the received-calls
# journal (no `serve --requests-limit`); anywhere else the test runs.
needs_journal = pytest.mark.skipif(
    os.environ.get("AUTOPILOT_MOCK_NO_RECEIVED_JOURNAL") == "1",
    reason="this autopilot-mock binary has no received-calls journal (serve --requests-limit)",
)


@needs_journal
def test_requests_records_each_call_without_secrets(autopilot_mock):
    channel, stub = stub_for(autopilot_mock)
    with channel:
        stub.ListAutopilotFeatures(
            litrpc.ListAutopilotFeaturesRequest(), metadata=[("macaroon", autopilot_mock.macaroon_hex)]
        )
        with pytest.raises(grpc.RpcError):
            stub.ListAutopilotSessions(litrpc.ListAutopilotSessionsRequest())
    [features] = autopilot_mock.requests(method=LIST_FEATURES)
    assert features["method"] == LIST_FEATURES and features["transport"] == "grpc"
    assert features["credential"] == "macaroon" and features["auth"]["result"] == "ok"
    assert features["response"]["features"]["HealthCheck"]["name"] == "HealthCheck"
    [sessions] = autopilot_mock.requests(method="/litrpc.Autopilot/ListAutopilotSessions")
    assert sessions["transport"] == "grpc" and sessions["seq"] > features["seq"]
    assert sessions["credential"] == "none" and sessions["auth"]["result"] == "refused"
    assert sessions["error"]["message"] == "expected 1 macaroon, got 0"
    assert [e["seq"] for e in autopilot_mock.requests(since_seq=features["seq"])] == [sessions["seq"]]
    # Secrets appear only as their kind.
    assert autopilot_mock.macaroon_hex[:40] not in repr(autopilot_mock.requests())
    autopilot_mock.clear_requests()
    assert autopilot_mock.requests() == []


@pytest.mark.autopilot_mock("--seed", "7")
def test_attributes_clock_reset_and_cleanup(autopilot_mock):
    mock = autopilot_mock
    host, port = mock.address.rsplit(":", 1)
    assert host == "127.0.0.1" and int(port) == mock.port > 0
    assert mock.tls_cert_pem.startswith(b"-----BEGIN CERTIFICATE-----")
    assert open(mock.macaroon_path, "rb").read().hex() == mock.macaroon_hex
    assert mock.tls_cert_path == os.path.join(mock.lit_dir, "tls.cert")

    channel, stub = stub_for(mock)
    md = [("macaroon", mock.macaroon_hex)]
    with channel:
        clock = mock.advance(0)
        expiry = int(clock["unix_nanos"]) // 10**9 + 3600
        stub.AddAutopilotSession(
            litrpc.AddAutopilotSessionRequest(
                label="py", expiry_timestamp_seconds=expiry, features={"HealthCheck": litrpc.FeatureConfig()}
            ),
            metadata=md,
        )
        # The stub saw litd's start-up calls (Terms, ListFeatures), then the registration.
        assert [e["rpc"] for e in mock.journal()][-1:] == ["RegisterSession"]
        mock.advance(7200)
        [session] = stub.ListAutopilotSessions(litrpc.ListAutopilotSessionsRequest(), metadata=md).sessions
        # litd 0.17.2 leaves a session added in this run STATE_CREATED after its expiry.
        assert session.session_state == lit_sessions_pb2.STATE_CREATED
        mock.reset()
        assert not stub.ListAutopilotSessions(litrpc.ListAutopilotSessionsRequest(), metadata=md).sessions
        assert mock.journal() == []


def test_set_script_changes_the_remote_answer():
    with autopilot_mock.start() as mock:
        mock.set_script({"responses": {"ListFeatures": [{"reply": {"error": {"code": "UNAVAILABLE", "message": "down"}}}]}})
        channel, stub = stub_for(mock)
        with channel, pytest.raises(grpc.RpcError) as err:
            stub.ListAutopilotFeatures(litrpc.ListAutopilotFeaturesRequest(), metadata=[("macaroon", mock.macaroon_hex)])
        assert err.value.code() == grpc.StatusCode.UNAVAILABLE
        assert err.value.details() == "down"
        lit_dir, pid = mock.lit_dir, mock.pid
    assert mock.returncode == 0
    assert not os.path.exists(lit_dir)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_the_bundled_binary_and_a_clear_start_error():
    path = autopilot_mock.binary_path()
    # The wheel put it in this venv's bin/, beside the interpreter.
    assert path == os.path.join(sys.prefix, "bin", "autopilot-mock"), path
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    assert out.startswith("autopilot-mock ")
    with pytest.raises(autopilot_mock.MockError) as err:
        autopilot_mock.start("--features", "/nonexistent/features.json")
    assert "exited before it was ready" in str(err.value)
    assert "/nonexistent/features.json" in str(err.value)
