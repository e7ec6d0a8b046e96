"""Extraction accuracy on the bundled seeds must not fall below the recorded floors."""
from __future__ import annotations

import json

from conftest import GOLD, RAW, ROOT
from pipeline.evaluate import aggregate, summary_to_json
from pipeline.evaluate_run import below_floors, evaluate_inputs


def test_seed_accuracy_meets_floors():
    scores, problems = evaluate_inputs(GOLD, [RAW])
    assert problems == []
    summary = summary_to_json(aggregate(scores))
    floors = json.loads((ROOT / "tests" / "accuracy_floors.json").read_text(encoding="utf-8"))
    assert below_floors(summary, floors) == []
    assert summary["reports"]["found"] == summary["reports"]["gold"] == 7


def test_floor_check_reports_a_drop():
    floors = {"lists": {"figures": 0.95}, "fields": {"indicators.level1": 0.9}}
    summary = {"lists": {"figures": {"f1": 0.9}}, "report_fields": {}, "fields": {"indicators.level1": {"accuracy": 0.95}}}
    assert below_floors(summary, floors) == ["figures F1 0.9 < floor 0.95"]
