"""Start autopilot-mock, a test double of litd's ``litrpc.Autopilot`` service, from Python.

    with autopilot_mock.start("--seed", "1") as mock:
        channel = grpc.secure_channel(mock.address, grpc.ssl_channel_credentials(mock.tls_cert_pem))
        ...  # call it with metadata [("macaroon", mock.macaroon_hex)]
        assert mock.requests()[-1]["method"] == "/litrpc.Autopilot/ListAutopilotFeatures"

The wheel carries the binary (``binary_path()``); ``AUTOPILOT_MOCK_BIN`` overrides it.
"""

from ._binary import binary_path
from ._mock import Mock, MockError, start

__all__ = ["Mock", "MockError", "binary_path", "start"]
