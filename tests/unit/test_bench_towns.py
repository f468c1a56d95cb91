"""Each bench makes its own town in the one bench database: no two may claim the same
official code (the second bench would fail to make its town)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"
CODE = re.compile(r"""OFFICIAL_CODE\s*=\s*["']([^"']+)["']|official_code=["']([^"']+)["']""")


def test_every_bench_town_has_an_official_code_of_its_own() -> None:
    codes = [
        first or second
        for script in sorted(BENCH.glob("*.py"))
        for first, second in CODE.findall(script.read_text(encoding="utf-8"))
    ]
    assert len(codes) >= 6
    assert [code for code, count in Counter(codes).items() if count > 1] == []
