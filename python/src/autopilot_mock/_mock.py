"""One running ``autopilot-mock serve`` process and its admin API."""

import atexit
import http.client
import json
import os
import queue
import shutil
import signal
import ssl
import subprocess
import tempfile
import threading
import urllib.parse
import weakref
from pathlib import Path
from typing import Any, Dict, List, Optional

from ._binary import binary_path

ADMIN = "/_autopilot-mock/v1"

# Mocks not stopped yet: an interpreter that exits without stop() (a test
# that crashed, a forgotten context manager) still ends them.
_running: "weakref.WeakSet[Mock]" = weakref.WeakSet()


@atexit.register
def _stop_leftovers() -> None:
    for mock in list(_running):
        mock.stop(timeout=5)


class MockError(RuntimeError):
    """The mock did not start, or an admin call failed (``status``, ``code``, ``message``)."""

    def __init__(self, message: str, status: Optional[int] = None, code: Optional[int] = None):
        super().__init__(message)
        self.status = status
        self.code = code


def _has_flag(args, flag: str) -> bool:
    return any(a == flag or a.startswith(flag + "=") for a in args)


class Mock:
    """A started mock. Use :func:`start` (a context manager) to get one."""

    def __init__(self, process: subprocess.Popen, ready: Dict[str, Any], owned_dir: Optional[str],
                 stdout_lines: "queue.Queue[str]", log_path: Path):
        self._process = process
        self._owned_dir = owned_dir
        self._stdout = stdout_lines
        self._log_path = log_path
        self.ready: Dict[str, Any] = ready
        self.address: str = ready["listen"]
        self.port: int = int(self.address.rsplit(":", 1)[1])
        self.lit_dir: str = ready["lit_dir"]
        self.tls_cert_path: str = ready["tls_cert"]
        self.macaroon_path: str = ready["macaroon"]
        self.pid: int = process.pid
        self.tls_cert_pem: bytes = Path(self.tls_cert_path).read_bytes()
        self.macaroon_hex: str = Path(self.macaroon_path).read_bytes().hex()
        self.returncode: Optional[int] = None
        self.output: List[str] = []
        self._tls = ssl.create_default_context(cadata=self.tls_cert_pem.decode("ascii"))
        _running.add(self)

    # ---------------------------------------------------------- admin API
    def _admin(self, method: str, path: str, body: Any = None) -> Any:
        host, port = self.address.rsplit(":", 1)
        conn = http.client.HTTPSConnection(host.strip("[]"), int(port), context=self._tls, timeout=30)
        headers = {"Grpc-Metadata-Macaroon": self.macaroon_hex}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, ADMIN + path, body=data, headers=headers)
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        text = raw.decode("utf-8", "replace")
        parsed = json.loads(text) if text.strip() else None
        if response.status >= 300:
            message = parsed.get("message", text) if isinstance(parsed, dict) else text
            code = parsed.get("code") if isinstance(parsed, dict) else None
            raise MockError(f"{method} {ADMIN}{path}: HTTP {response.status}: {message}",
                            status=response.status, code=code)
        return parsed

    def reset(self) -> None:
        """The admin API's POST reset: no sessions, privacy maps or actions; the stub's clients and journal forgotten, its start-up script restored."""
        self._admin("POST", "/reset")

    def set_script(self, script: Dict[str, Any]) -> None:
        """Replaces the remote stub's script (README, "The script")."""
        self._admin("PUT", "/script", script)

    def journal(self) -> List[Dict[str, Any]]:
        """The calls the mock's remote stub received (RegisterSession, ...), oldest first."""
        return self._admin("GET", "/journal")["entries"]

    def requests(self, method: Optional[str] = None, since_seq: Optional[int] = None) -> List[Dict[str, Any]]:
        """The litrpc calls the mock received, oldest first (``method``: a full method name)."""
        query = {}
        if method is not None:
            query["method"] = method
        if since_seq is not None:
            query["since_seq"] = str(since_seq)
        path = "/requests" + ("?" + urllib.parse.urlencode(query) if query else "")
        return self._admin("GET", path)["entries"]

    def clear_requests(self) -> None:
        self._admin("DELETE", "/requests")

    def advance(self, seconds: float) -> Dict[str, Any]:
        """Moves the mock's clock forward; sessions past their expiry are revoked at once."""
        if float(seconds).is_integer():
            body = {"advance_seconds": int(seconds)}
        else:
            body = {"advance_nanos": int(round(seconds * 1e9))}
        return self._admin("POST", "/clock", body)

    # ----------------------------------------------------------- lifecycle
    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, waits for exit (in-flight calls finish) and removes a temporary lit dir.

        Returns the exit code (with ``--scenario``: 0 when the client passed).
        Lines printed after the ready line (the verdict) are in ``output``.
        """
        if self.returncode is None:
            if self._process.poll() is None:
                self._process.send_signal(signal.SIGTERM)
                try:
                    self._process.wait(timeout)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
            self.returncode = self._process.returncode
            while True:
                try:
                    line = self._stdout.get(timeout=2)
                except queue.Empty:
                    break
                if line is None:
                    break
                self.output.append(line)
        if self._owned_dir is not None:
            shutil.rmtree(self._owned_dir, ignore_errors=True)
            self._owned_dir = None
        _running.discard(self)
        return self.returncode

    def logs(self) -> str:
        """What the mock wrote on stderr so far."""
        try:
            return self._log_path.read_text(errors="replace")
        except OSError:
            return ""

    def __enter__(self) -> "Mock":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<autopilot_mock.Mock {self.address} lit_dir={self.lit_dir!r}>"


def _pump(stream, lines: "queue.Queue[Optional[str]]") -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def start(*serve_args: str, binary: Optional[str] = None, timeout: float = 30) -> Mock:
    """Starts ``autopilot-mock serve`` and waits for its ready line.

    Without ``--listen`` it listens on ``127.0.0.1:<free port>``; without
    ``--lit-dir`` it uses a temporary directory, removed on stop. The binary:
    ``binary``, else ``$AUTOPILOT_MOCK_BIN``, else the one in the wheel.
    Use it as a context manager (``with start() as mock:``) or call ``stop()``.
    """
    exe = binary or os.environ.get("AUTOPILOT_MOCK_BIN") or binary_path()
    args = [str(a) for a in serve_args]
    owned_dir = tempfile.mkdtemp(prefix="autopilot-mock-")
    cmd = [exe, "serve"]
    if not _has_flag(args, "--listen"):
        cmd += ["--listen", "127.0.0.1:0"]
    if not _has_flag(args, "--lit-dir"):
        cmd += ["--lit-dir", os.path.join(owned_dir, "lit")]
    cmd += args
    log_path = Path(owned_dir) / "mock.log"
    try:
        with open(log_path, "wb") as log:
            process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=log, text=True)
    except OSError as e:
        shutil.rmtree(owned_dir, ignore_errors=True)
        raise MockError(f"cannot run {exe}: {e}") from e
    lines: "queue.Queue[Optional[str]]" = queue.Queue()
    threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()

    def fail(why: str) -> MockError:
        if process.poll() is None:
            process.kill()
        process.wait()
        stderr = log_path.read_text(errors="replace").strip()
        shutil.rmtree(owned_dir, ignore_errors=True)
        return MockError(f"autopilot-mock serve {why} (exit {process.returncode}): {stderr}")

    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        raise fail(f"printed no ready line within {timeout} s") from None
    if line is None:
        raise fail("exited before it was ready")
    try:
        ready = json.loads(line)
        return Mock(process, ready, owned_dir, lines, log_path)
    except (ValueError, KeyError, OSError) as e:
        raise fail(f"gave an unexpected ready line {line!r} ({e})") from e
