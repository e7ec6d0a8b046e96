"""`jixiao eval`: extract the inputs that have gold files, score them, compare to floors."""
from __future__ import annotations

import fnmatch
import json
import sys
from pathlib import Path

from extractors.readers import ReadError
from pipeline.evaluate import FileScore, aggregate, format_table, score_file, summary_to_json
from pipeline.extract import extract_file
from schemas.records import extraction_to_json


def input_files(inputs: list[Path]) -> list[Path]:
    files: list[Path] = []
    for item in inputs:
        files.extend(sorted(p for p in item.rglob("*") if p.is_file()) if item.is_dir() else [item])
    return files


def gold_files(gold_dir: Path, only: list[str] | None = None) -> list[Path]:
    """The gold files of a folder, or those whose stem matches one of the `only` globs."""
    paths = sorted(gold_dir.glob("*.json"))
    if only:
        paths = [p for p in paths if any(fnmatch.fnmatchcase(p.stem, pattern) for pattern in only)]
    return paths


def evaluate_inputs(gold_dir: Path, inputs: list[Path], only: list[str] | None = None,
                    ) -> tuple[list[FileScore], list[str]]:
    """Scores of every gold file; a gold file without its input is scored as all missed."""
    by_stem = {p.stem: p for p in input_files(inputs)}
    scores, problems = [], []
    for gold_path in gold_files(gold_dir, only):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        source = by_stem.get(gold_path.stem)
        predicted = {"reports": []}
        if source is None:
            problems.append(f"{gold_path.name}: no input file named {gold_path.stem}.*")
        else:
            try:
                predicted = extraction_to_json(extract_file(source))
            except ReadError as exc:
                problems.append(f"{source}: {exc}")
        scores.append(score_file(predicted, gold))
    return scores, problems


def below_floors(summary_json: dict, floors: dict) -> list[str]:
    """Floors give a minimum F1 (`lists`), precision and recall per list, and a minimum
    accuracy per report field and field."""
    failures = []
    for group, measure, label in (("lists", "f1", "F1"), ("precision", "precision", "P"), ("recall", "recall", "R")):
        for name, minimum in floors.get(group, {}).items():
            value = summary_json["lists"].get(name, {}).get(measure)
            if value is None or value < minimum:
                failures.append(f"{name} {label} {value} < floor {minimum}")
    for group in ("report_fields", "fields"):
        for name, minimum in floors.get(group, {}).items():
            value = summary_json[group].get(name, {}).get("accuracy")
            if value is None or value < minimum:
                failures.append(f"{group} {name} accuracy {value} < floor {minimum}")
    return failures


def run_eval(gold_dir: Path, inputs: list[Path], as_json: bool, misses: int, floors_path: str | None,
             only: list[str] | None = None) -> int:
    if not gold_dir.is_dir() or not gold_files(gold_dir, only):
        reason = "no such folder" if not gold_dir.exists() else "no gold files (*.json) to score in it"
        print(f"jixiao eval: --gold {gold_dir}: {reason}", file=sys.stderr)
        return 2
    scores, problems = evaluate_inputs(gold_dir, inputs, only)
    summary = aggregate(scores)
    result = summary_to_json(summary)
    if as_json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(format_table(summary, max_misses=misses))
    for problem in problems:
        print(f"jixiao eval: {problem}", file=sys.stderr)
    if floors_path:
        failures = below_floors(result, json.loads(Path(floors_path).read_text(encoding="utf-8")))
        for failure in failures:
            print(f"below floor: {failure}", file=sys.stderr)
        return 1 if failures else 0
    return 0
