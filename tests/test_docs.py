"""The README documents every command and every table as the code defines them."""
from __future__ import annotations

from conftest import ROOT
from pipeline.cli import build_parser
from pipeline.docs import readme_with_tables

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_table_reference_is_current():
    assert readme_with_tables(README) == README, "run: python -m pipeline.docs"


def test_every_command_has_help_and_is_documented():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, sub in commands.items():
        assert sub.format_help().strip()
        assert f"jixiao {name}" in README, f"README does not document `jixiao {name}`"
