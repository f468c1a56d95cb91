"""Run every benchmark script in tests/bench/ and forward their figures (`make bench`).

A benchmark is any `*.py` here other than this file and the helpers (names starting with `_`).
Each runs in its own process from the repository root; its `name: value` lines on stdout are
forwarded to stdout, anything else it prints goes to stderr. Arguments after the script's own
options are given to every benchmark. Exits non-zero if any benchmark did.

    .venv/bin/python tests/bench/run_all.py [-k SUBSTRING] [-- ARGS...]
"""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent.parent
FIGURE = re.compile(r"^[A-Za-z0-9_.-]+: \S.*$")


def benchmark_scripts(pattern: str = "") -> list[Path]:
    return sorted(
        path
        for path in BENCH_DIR.glob("*.py")
        if path.name != Path(__file__).name
        and not path.name.startswith("_")
        and pattern in path.stem
    )


def run_one(script: Path, extra_args: list[str]) -> int:
    print(f"== {script.relative_to(REPO)}", file=sys.stderr, flush=True)
    started = time.monotonic()
    with subprocess.Popen(
        [sys.executable, str(script), *extra_args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    ) as process:
        assert process.stdout is not None
        try:
            for line in process.stdout:
                line = line.rstrip("\n")
                stream = sys.stdout if FIGURE.match(line) else sys.stderr
                print(line, file=stream, flush=True)
        except KeyboardInterrupt:
            _stop(process, grace=20)  # it had the Ctrl-C too: let it stop its servers
            raise
        except BaseException:
            _stop(process, grace=0)
            raise
    elapsed = time.monotonic() - started
    status = "ok" if process.returncode == 0 else f"FAILED (exit {process.returncode})"
    print(f"== {script.name}: {status} in {elapsed:.0f} s", file=sys.stderr, flush=True)
    return process.returncode


def _stop(process: subprocess.Popen[str], grace: float) -> None:
    """Wait up to `grace` seconds for the benchmark to end, then SIGTERM it (it stops its
    servers on SIGTERM), then kill it."""
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run every benchmark in tests/bench/.")
    parser.add_argument("-k", dest="pattern", default="", help="only scripts whose name has it")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="-- then arguments for each")
    options = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _sigterm)
    extra_args = options.args[1:] if options.args[:1] == ["--"] else options.args
    scripts = benchmark_scripts(options.pattern)
    if not scripts:
        print(f"No benchmark in {BENCH_DIR} matches {options.pattern!r}", file=sys.stderr)
        return 1
    failed = []
    try:
        for script in scripts:
            if run_one(script, extra_args) != 0:
                failed.append(script.name)
    except KeyboardInterrupt:
        # The benchmark got the Ctrl-C too and stops its own servers.
        print("Interrupted", file=sys.stderr)
        return 130
    if failed:
        print(f"Failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
