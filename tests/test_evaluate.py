"""The scorer against the real gold files: each test mutates a copy and checks the exact effect."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from pipeline.evaluate import LISTS, Counts, aggregate, format_table, score_file, summary_to_json

GOLD_DIR = Path(__file__).parent / "gold"
GOLD_FILES = sorted(GOLD_DIR.glob("*.json"))
FENGTAI = "beijing-fengtai-fao-2023-project-and-dept-eval"
GOVOFFICE = "shijiazhuang-govoffice-2025-dept-self-eval"
TARGETS = "shijiazhuang-fao-2024-budget-targets"
FAO_2025 = "shijiazhuang-fao-2025-dept-self-eval"


def load(name: str) -> dict:
    return json.loads((GOLD_DIR / f"{name}.json").read_text(encoding="utf-8"))


def scored(name: str, mutate) -> tuple:
    """Score a mutated copy of a gold file against the original."""
    gold = load(name)
    predicted = copy.deepcopy(gold)
    mutate(predicted)
    return score_file(predicted, gold), gold


def test_gold_files_are_present():
    assert len(GOLD_FILES) == 5


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.stem)
def test_gold_scored_against_itself_is_perfect(path: Path):
    gold = json.loads(path.read_text(encoding="utf-8"))
    score = score_file(copy.deepcopy(gold), gold)
    for name in LISTS:
        counts = score.lists[name]
        expected = sum(len(r[name]) for r in gold["reports"])
        assert (counts.tp, counts.fp, counts.fn) == (expected, 0, 0)
        assert counts.precision == counts.recall == counts.f1 == 1.0
    assert all(a.value == 1.0 for a in score.report_fields.values())
    assert all(a.value == 1.0 for a in score.fields.values())
    assert score.reports_found == len(gold["reports"])
    assert score.misses == []


def test_removing_one_indicator_lowers_recall_by_one_record():
    score, gold = scored(GOVOFFICE, lambda p: p["reports"][0]["indicators"].pop(5))
    total = len(gold["reports"][0]["indicators"])
    counts = score.lists["indicators"]
    assert (counts.tp, counts.fp, counts.fn) == (total - 1, 0, 1)
    assert counts.recall == pytest.approx((total - 1) / total)
    assert counts.precision == 1.0
    [miss] = score.misses
    assert miss.kind == "missing"
    assert gold["reports"][0]["indicators"][5]["level3"] in miss.key


def test_wrong_target_value_is_a_false_positive_and_a_false_negative():
    def mutate(p):
        p["reports"][0]["indicators"][0]["target_value"] = 401

    score, gold = scored(FAO_2025, mutate)
    counts = score.lists["indicators"]
    assert (counts.tp, counts.fp, counts.fn) == (3, 1, 1)
    [miss] = score.misses
    assert miss.kind == "value" and "target_value" in miss.detail
    assert score.fields["indicators.target_value"].correct == 3


def test_weight_counts_only_where_gold_has_one():
    fengtai, _ = scored(FENGTAI, lambda p: p["reports"][1]["indicators"][0].update(score=9))  # gold: 10
    assert (fengtai.lists["indicators"].fp, fengtai.lists["indicators"].fn) == (1, 1)
    fao, _ = scored(FAO_2025, lambda p: p["reports"][0]["indicators"][0].update(weight=5))  # gold: null
    assert (fao.lists["indicators"].tp, fao.lists["indicators"].fp) == (4, 0)
    assert fao.fields["indicators.weight"].correct == 3


def test_amounts_compare_in_yuan_across_units():
    def to_yuan(p):
        p["reports"][0]["figures"][0].update(value="43000", unit="元")  # gold: 4.3 万元

    score, _ = scored(FENGTAI, to_yuan)
    assert score.lists["figures"].fp == 0 and score.lists["figures"].fn == 0
    assert score.fields["figures.value"].correct == score.fields["figures.value"].total - 1

    wrong, _ = scored(FENGTAI, lambda p: p["reports"][0]["figures"][0].update(unit="元"))
    assert (wrong.lists["figures"].fp, wrong.lists["figures"].fn) == (1, 1)


def test_json_numbers_and_decimal_strings_compare_exactly():
    def mutate(p):
        p["reports"][0]["execution_rates"][0].update(rate_percent=100.0, budget_yuan="43000.00")

    score, _ = scored(FENGTAI, mutate)
    assert score.lists["execution_rates"].tp == 3
    assert score.fields["execution_rates.budget_yuan"].value == 1.0


def test_keys_match_despite_whitespace_and_full_width_forms():
    def mutate(p):
        report = p["reports"][0]
        report["indicators"][0]["level3"] = "领事保护培训、ＡＰＥＣ 商务旅行卡\n培训"
        report["indicators"][1]["scope"] = " department "
        report["figures"][0]["scope"] = "ｄｅｐａｒｔｍｅｎｔ"

    score, _ = scored(FAO_2025, mutate)
    assert score.lists["indicators"].f1 == 1.0
    assert score.lists["figures"].f1 == 1.0
    assert score.misses == []


def test_figure_label_is_part_of_the_key_for_item_other():
    score, _ = scored(GOVOFFICE, lambda p: p["reports"][0]["figures"][1].update(label="现金"))
    assert (score.lists["figures"].fp, score.lists["figures"].fn) == (1, 1)
    assert {m.kind for m in score.misses} == {"missing", "extra"}


def test_duplicate_keys_pair_by_level2_when_given_in_swapped_order():
    def swap(p):
        indicators = p["reports"][0]["indicators"]
        indicators[30], indicators[35] = indicators[35], indicators[30]
        indicators[26], indicators[27] = indicators[27], indicators[26]  # same targets: level2 decides

    score, gold = scored(TARGETS, swap)
    first, second = gold["reports"][0]["indicators"][30], gold["reports"][0]["indicators"][35]
    assert (first["level3"], first["scope"]) == (second["level3"], second["scope"])
    assert first["level2"] != second["level2"] and first["target"] != second["target"]
    counts = score.lists["indicators"]
    assert (counts.tp, counts.fp, counts.fn) == (57, 0, 0)
    assert score.fields["indicators.level2"].value == 1.0


def test_missing_report_counts_all_its_records_as_false_negatives():
    score, gold = scored(FENGTAI, lambda p: p["reports"].pop())
    lost = gold["reports"][2]
    assert (score.reports_gold, score.reports_predicted, score.reports_found) == (3, 2, 2)
    for name in LISTS:
        assert score.lists[name].fn == len(lost[name])
        assert score.lists[name].fp == 0
    assert all((a.correct, a.total) == (2, 3) for a in score.report_fields.values())


def test_empty_prediction_has_zero_recall_and_vacuous_precision():
    score, gold = scored(GOVOFFICE, lambda p: p["reports"].clear())
    counts = score.lists["indicators"]
    assert (counts.tp, counts.fn) == (0, len(gold["reports"][0]["indicators"]))
    assert (counts.precision, counts.recall, counts.f1) == (1.0, 0.0, 0.0)
    assert score.reports_found == 0


def test_extra_report_counts_all_its_records_as_false_positives():
    score, gold = scored(FAO_2025, lambda p: p["reports"].append(copy.deepcopy(p["reports"][0])))
    assert score.lists["figures"].fp == len(gold["reports"][0]["figures"])
    assert score.lists["figures"].recall == 1.0
    assert score.reports_found == 1


def test_report_fields_region_and_adcode():
    def mutate(p):
        p["reports"][0]["region"]["county"] = "长安区"
        p["reports"][0]["fiscal_year"] = "2025"

    score, _ = scored(FAO_2025, mutate)
    assert score.report_fields["region"].value == 0.0
    assert score.report_fields["region.adcode"].value == 1.0
    assert score.report_fields["fiscal_year"].value == 1.0


@pytest.mark.parametrize(
    ("counts", "expected"),
    [(Counts(), (1.0, 1.0, 1.0)), (Counts(fp=2), (0.0, 1.0, 0.0)), (Counts(tp=1, fp=1, fn=3), (0.5, 0.25, 1 / 3))],
)
def test_precision_recall_f1_edges(counts: Counts, expected: tuple[float, float, float]):
    assert (counts.precision, counts.recall, counts.f1) == pytest.approx(expected)


def test_aggregate_is_micro_and_presentable():
    broken, _ = scored(GOVOFFICE, lambda p: p["reports"][0]["indicators"].pop(0))
    perfect = score_file(load(FAO_2025), load(FAO_2025))
    summary = aggregate([broken, perfect])
    counts = summary.lists["indicators"]
    assert (counts.tp, counts.fn) == (33 + 4, 1)
    assert summary.reports_found == 2 and len(summary.files) == 2

    as_json = json.loads(json.dumps(summary_to_json(summary), ensure_ascii=False))
    assert as_json["lists"]["indicators"]["fn"] == 1
    assert as_json["files"][1]["lists"]["indicators"]["f1"] == 1.0
    assert as_json["misses"][0]["kind"] == "missing"

    table = format_table(summary, max_misses=0)
    assert "indicators" in table and "report_date" in table and "misses" not in table
    assert "not predicted" in format_table(summary, max_misses=5)
