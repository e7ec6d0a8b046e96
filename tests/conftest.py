"""Shared paths and helpers for the tests: the bundled seeds and their gold files."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
GOLD = ROOT / "tests" / "gold"


@pytest.fixture(scope="session")
def seeds() -> dict[str, Path]:
    return {p.stem: p for p in sorted(RAW.glob("*.txt"))}
