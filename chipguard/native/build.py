"""The build of the compiled modules (see :mod:`chipguard.native`): mypyc translates the
modules to C and setuptools compiles them, in a child process, into ``chipguard/_compiled/`` with a
manifest of the sources' hashes.

Interface::

    build(force=False, build_dir=BUILD_DIR, quiet=False) -> Status
        # compile when the build is missing or stale (force: always); a failure — no C compiler, no Python
        # headers, no mypyc — leaves no new build and returns a pure-Python status saying why
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from chipguard.native import (
    BUILD_DIR,
    COMPILED,
    FORMAT,
    GROUP,
    MANIFEST,
    ROOT,
    SHARED_LIB,
    Status,
    check,
    extension_suffix,
    source_hashes,
)

# Run in a child process from an empty working folder (setuptools reads a pyproject.toml in the working
# folder, and the venv's older setuptools refuses this project's licence field): mypyc translates the
# modules to C and setuptools compiles them into argv[2].
_COMPILE = """
import sys
from setuptools import setup
from mypyc.build import mypycify
extensions = mypycify(["--ignore-missing-imports", *sys.argv[3:]], group_name=sys.argv[1], opt_level="3")
setup(name="chipguard-compiled", ext_modules=extensions,
      script_args=["build_ext", "--build-lib", sys.argv[2], "--build-temp", "tmp", "--parallel", "2"])
"""


def build(force: bool = False, build_dir: Path = BUILD_DIR, *, quiet: bool = False) -> Status:
    """Compile the modules into ``build_dir`` unless its build is already of these sources (``force``:
    always). The new build replaces the old one only when complete; a failure (no C compiler, no Python
    headers, no mypyc) leaves no build and returns a pure-Python status saying why."""

    def say(text: str) -> None:
        if not quiet:
            print(f"chipguard.native: {text}", file=sys.stderr)

    current = check(build_dir)[0]
    if current.compiled and not force:
        say(f"up to date ({current.reason})")
        return current
    if importlib.util.find_spec("mypyc") is None:
        status = Status(False, "mypyc is not installed (pip install mypy), so chipguard runs pure Python")
        say(status.reason)
        return status
    hashes = source_hashes()
    started = time.monotonic()
    build_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chipguard-mypyc-") as work:
        out = Path(work) / "out"
        command = [sys.executable, "-c", _COMPILE, GROUP, str(out), *(str(ROOT / _rel(m)) for m in COMPILED)]
        say(f"compiling {', '.join(COMPILED)} with mypyc (about a minute)")
        run = subprocess.run(command, cwd=work, capture_output=True, text=True, check=False)
        if run.returncode != 0:
            tail = "\n".join((run.stdout + run.stderr).strip().splitlines()[-12:])
            status = Status(
                False, f"the compile failed (exit {run.returncode}), so chipguard runs pure Python"
            )
            say(f"{status.reason}; its last lines:\n{tail}")
            return status
        if source_hashes() != hashes:
            status = Status(False, "the sources changed during the compile; run the build again")
            say(status.reason)
            return status
        files = {name: _rel(name).with_suffix(extension_suffix()).as_posix() for name in COMPILED}
        files[SHARED_LIB] = SHARED_LIB + extension_suffix()
        missing = [rel for rel in files.values() if not (out / rel).is_file()]
        if missing:
            status = Status(
                False, f"the compile wrote no {', '.join(missing)}, so chipguard runs pure Python"
            )
            say(status.reason)
            return status
        manifest = {
            "format": FORMAT,
            "cache_tag": sys.implementation.cache_tag,
            "mypy": _mypy_version(),
            "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "files": files,
            "sources": hashes,
        }
        (out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        # swap in whole: a running process keeps the files it mapped, a new one sees old or new, never half
        staged = build_dir.with_name(f"{build_dir.name}.new-{os.getpid()}")
        old = build_dir.with_name(f"{build_dir.name}.old-{os.getpid()}")
        try:
            shutil.rmtree(staged, ignore_errors=True)
            shutil.copytree(out, staged)
            if build_dir.exists():
                build_dir.rename(old)
            staged.rename(build_dir)
        except OSError as exc:  # a read-only installation: it runs pure Python, and says why
            shutil.rmtree(staged, ignore_errors=True)
            status = Status(False, f"the build could not be written to {build_dir} ({exc})")
            say(status.reason)
            return status
    shutil.rmtree(old, ignore_errors=True)
    status = check(build_dir)[0]
    say(f"built in {time.monotonic() - started:.0f} s: {status.describe()}")
    return status


def _rel(module: str) -> Path:
    return Path(*module.split(".")).with_suffix(".py")


def _mypy_version() -> str:
    try:
        from importlib.metadata import version

        return version("mypy")
    except Exception:  # noqa: BLE001 - only a label in the manifest
        return "?"
