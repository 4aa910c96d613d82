"""Where the binary the wheel installed lives."""

import os
import sys
import sysconfig
from pathlib import Path

_NAME = "autopilot-mock.exe" if os.name == "nt" else "autopilot-mock"


def binary_path() -> str:
    """The ``autopilot-mock`` binary bundled with this package.

    maturin installs it as a script of the environment the wheel went into:
    the venv's (or the interpreter's) ``bin``, the user scheme's with
    ``pip install --user``, or ``<target>/bin`` with ``pip install --target``.
    """
    candidates = []
    for scheme in (None, f"{os.name}_user"):
        try:
            scripts = sysconfig.get_path("scripts", scheme) if scheme else sysconfig.get_path("scripts")
        except KeyError:
            continue
        if scripts:
            candidates.append(Path(scripts))
    candidates.append(Path(sys.executable).parent)
    candidates.append(Path(__file__).resolve().parent.parent / "bin")
    for directory in candidates:
        path = directory / _NAME
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    looked = ", ".join(str(d) for d in candidates)
    raise FileNotFoundError(
        f"the autopilot-mock binary is not installed beside this package (looked in {looked}); "
        "reinstall the autopilot-mock wheel or set AUTOPILOT_MOCK_BIN"
    )
