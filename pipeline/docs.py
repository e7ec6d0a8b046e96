"""Keeps the README's generated parts in step with the code: `python -m pipeline.docs`.

The table reference is rendered from schemas/tables.py; tests/test_docs.py fails when
the README's copy differs, so the documentation cannot go stale silently.
"""
from __future__ import annotations

import sys
from pathlib import Path

from schemas.tables import TABLES, markdown_table

START, END = "<!-- tables:start -->", "<!-- tables:end -->"
README = Path(__file__).resolve().parent.parent / "README.md"


def render_tables() -> str:
    parts = [f"#### {name}\n\n{markdown_table(name)}" for name in TABLES]
    return "\n\n".join(parts)


def readme_with_tables(text: str) -> str:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{render_tables()}\n{END}{tail}"


def main() -> int:
    text = README.read_text(encoding="utf-8")
    README.write_text(readme_with_tables(text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
