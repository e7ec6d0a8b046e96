"""Extraction accuracy must not fall below the recorded floors: on the bundled seeds, on the
real dev corpus (tests/data/dev: 60 excerpts from 20+ provinces) and on the real PDFs whose
partial gold is bundled (the PDFs themselves are read from ../shared/real)."""
from __future__ import annotations

import json

import fixtures_build as fb
import pytest
from conftest import GOLD, RAW, ROOT
from pipeline.evaluate import aggregate, summary_to_json
from pipeline.evaluate_run import below_floors, evaluate_inputs

DEV = ROOT / "tests" / "data" / "dev"
FLOORS = json.loads((ROOT / "tests" / "accuracy_floors.json").read_text(encoding="utf-8"))


def _summary(gold, inputs, only=None) -> dict:
    scores, problems = evaluate_inputs(gold, inputs, only)
    assert problems == []
    return summary_to_json(aggregate(scores))


def test_seed_accuracy_meets_floors():
    summary = _summary(GOLD, [RAW])
    assert below_floors(summary, FLOORS["seeds"]) == []
    assert summary["reports"]["found"] == summary["reports"]["gold"] == 7


@pytest.mark.parametrize("name, only", [
    ("dev_tables", ["tables-*", "targets-*"]),
    ("dev_prose", ["prose-*"]),
    ("dev_all", None),
])
def test_dev_corpus_accuracy_meets_floors(name, only):
    summary = _summary(DEV / "gold", [DEV / "texts"], only)
    assert below_floors(summary, FLOORS[name]) == []


@fb.needs_real
def test_real_pdf_recall_meets_floors():
    summary = _summary(DEV / "real-gold", [fb.REAL])
    assert below_floors(summary, FLOORS["real_pdfs"]) == []


def test_floor_check_reports_a_drop():
    floors = {"lists": {"figures": 0.95}, "recall": {"scores": 0.5}, "fields": {"indicators.level1": 0.9}}
    summary = {"lists": {"figures": {"f1": 0.9}, "scores": {"recall": 0.4}}, "report_fields": {},
               "fields": {"indicators.level1": {"accuracy": 0.95}}}
    assert below_floors(summary, floors) == ["figures F1 0.9 < floor 0.95", "scores R 0.4 < floor 0.5"]


def test_partial_gold_counts_recall_only():
    from pipeline.evaluate import score_file
    gold = {"partial": True, "reports": [{"figures": [
        {"scope": "department", "stage": "actual", "item": "basic", "value": "1", "unit": "万元"}]}]}
    predicted = {"reports": [{"figures": [
        {"scope": "department", "stage": "actual", "item": "basic", "value": "1", "unit": "万元"},
        {"scope": "department", "stage": "actual", "item": "project", "value": "2", "unit": "万元"}]}, {}]}
    counts = score_file(predicted, gold).lists["figures"]
    assert (counts.tp, counts.fp, counts.fn) == (1, 0, 0)
    gold["partial"] = False
    counts = score_file(predicted, gold).lists["figures"]
    assert (counts.tp, counts.fp, counts.fn) == (1, 1, 0)
