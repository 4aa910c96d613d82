"""The pytest plugin (entry point ``pytest11``): a fixture ``autopilot_mock``.

    def test_my_client(autopilot_mock):
        my_client(autopilot_mock.address, autopilot_mock.tls_cert_pem, autopilot_mock.macaroon_hex)
        assert autopilot_mock.requests()

Each test gets its own mock (free port, temporary lit dir), stopped after it.
Extra ``serve`` arguments come from a marker:

    @pytest.mark.autopilot_mock("--seed", "7")
"""

import pytest

from ._mock import start


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "autopilot_mock(*serve_args): extra `autopilot-mock serve` arguments for the fixture"
    )


@pytest.fixture
def autopilot_mock(request):
    marker = request.node.get_closest_marker("autopilot_mock")
    args = marker.args if marker else ()
    with start(*args) as mock:
        yield mock
