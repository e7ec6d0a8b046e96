"""The `jixiao` command line. Each command is a few lines over a pipeline function."""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

from extractors.readers import ReadError, read_document
from schemas.records import extraction_to_json

# Modules that add their own subcommands: each has `register(subparsers)`.
COMMAND_MODULES = ("pipeline.ingest", "pipeline.query", "pipeline.review", "pipeline.charts")


def cmd_text(args: argparse.Namespace) -> int:
    doc = read_document(args.file)
    sys.stdout.write(doc.text + "\n")
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from pipeline.extract import extract_file

    result = extraction_to_json(extract_file(args.file))
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for report in result["reports"]:
            print(f"[{report['report_index']}] {report['attachment'] or '-'} {report['report_type']} "
                  f"{report['department']} FY{report['fiscal_year']} {report['report_date'] or ''}")
            for name in ("figures", "execution_rates", "scores", "indicators", "projects", "checks", "notes"):
                print(f"    {name}: {len(report[name])}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from pipeline.evaluate_run import run_eval

    return run_eval(Path(args.gold), [Path(p) for p in args.inputs], args.json, args.misses, args.floors, args.only)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jixiao", description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("text", help="print a file's normalised text (what evidence offsets point into)")
    p.add_argument("file")
    p.set_defaults(func=cmd_text)

    p = sub.add_parser("extract", help="extract one file; --json prints the contract's JSON")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print the full JSON (CONTRACT.md) instead of a summary")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("eval", help="score extraction against gold files (precision/recall/F1)")
    p.add_argument("inputs", nargs="*", default=["data/raw"], help="input files or folders (default: data/raw)")
    p.add_argument("--gold", required=True, help="folder of gold JSON files named like the inputs")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.add_argument("--misses", type=int, default=20, help="how many misses to list (default 20)")
    p.add_argument("--floors", default=None, help="JSON file of minimum scores; exit 1 when any is not met")
    p.add_argument("--only", action="append", metavar="GLOB",
                   help="score only gold files whose name matches GLOB (repeatable), e.g. 'prose-*'")
    p.set_defaults(func=cmd_eval)

    for module in COMMAND_MODULES:
        try:
            importlib.import_module(module).register(sub)
        except ModuleNotFoundError as exc:
            if exc.name != module:  # a missing dependency inside the module is a real error
                raise
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ReadError as exc:
        print(f"jixiao: {getattr(args, 'file', '')}: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
