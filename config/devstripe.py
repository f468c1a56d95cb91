"""localstripe for `make run`, its state kept in the checkout's data folder, on loopback only.

localstripe 1.15 pickles its whole state to the fixed path `/tmp/localstripe.pickle` after
every write and reads it back at start, with no option to change it (`resources.Store`): two
checkouts would share customers and subscriptions, and each start would load the other's. This
launcher points those two methods at `<data folder>/localstripe.pickle` instead and otherwise
serves localstripe's own application unchanged.
"""

from __future__ import annotations

import argparse
import os
import pickle  # noqa: S403 (our own file, written by the same program)
import sys
from pathlib import Path
from typing import Any

from config import devservices

STATE_FILE = "localstripe.pickle"


def state_path() -> Path:
    return devservices.data_dir() / STATE_FILE


def _keep_state_in(path: Path) -> None:
    from localstripe import resources

    def load(store: dict[str, Any]) -> None:
        try:
            with path.open("rb") as file:
                saved = pickle.load(file)  # noqa: S301 (written by this launcher)
        except FileNotFoundError:
            return
        store.clear()
        store.update(saved)

    def dump(store: dict[str, Any]) -> None:
        # Written aside then renamed: a run stopped mid-write keeps the previous state.
        partial = path.with_suffix(".partial")
        with partial.open("wb") as file:
            pickle.dump(dict(store), file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)

    resources.Store.try_load_from_disk = load
    resources.Store.dump_to_disk = dump


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    _keep_state_in(path)

    from aiohttp import web
    from localstripe import resources, server

    resources.store.try_load_from_disk()
    # No access log: the web app's own log says what it asked.
    web.run_app(server.app, host="127.0.0.1", port=args.port, access_log=None, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
