"""Accuracy of an extraction against a hand-written gold file (CONTRACT.md, "Gold files").

Pure functions: `score_file` pairs one extraction with its gold file, `aggregate` sums
file scores into a `Summary`, and `format_table` / `summary_to_json` present it. Records
are matched on the contract's keys; a matched pair is a true positive only when its value
fields agree, so a developer sees both what was missed and what was read wrongly.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

LISTS = ("figures", "execution_rates", "scores", "indicators", "projects")
REPORT_FIELDS = (
    "attachment", "report_type", "department", "region", "region.adcode", "fiscal_year", "report_date",
)
REGION_KEYS = ("province", "city", "county", "adcode")
UNIT_YUAN = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
# Fields compared as exact decimals, whether JSON numbers or decimal strings.
NUMERIC_FIELDS = {
    "amount", "rate_percent", "budget_yuan", "executed_yuan", "total_score", "max_score", "target_value",
    "actual_value", "weight", "score", "fiscal_funds_yuan", "other_funds_yuan", "fiscal_year",
}
# Keys the scorer never compares: gold leaves them out (CONTRACT.md).
IGNORED_FIELDS = {"evidence", "amount_yuan", "checks", "doc_id", "report_index", "warnings"}
# Miss kinds, most actionable first; `format_table` lists misses in this order.
MISS_KINDS = ("report", "value", "missing", "extra", "field")

Record = dict[str, Any]


@dataclass(frozen=True)
class ListSpec:
    """How one list is matched and when a matched pair counts as correct."""

    key_fields: tuple[str, ...]
    value_fields: tuple[str, ...]
    # Value fields that decide a true positive only where gold has them non-null.
    optional_value_fields: tuple[str, ...] = ()

    def key(self, record: Record) -> tuple[str | None, ...]:
        parts = [_norm_text(record.get(f)) for f in self.key_fields if f != "label"]
        if "label" in self.key_fields:
            # CONTRACT.md: `label` names a figure only when its item is "other".
            is_other = _norm_text(record.get("item")) == "other"
            parts.append(_norm_text(record.get("label")) if is_other else None)
        return tuple(parts)

    def values_to_check(self, gold: Record) -> list[str]:
        optional = [f for f in self.optional_value_fields if gold.get(f) is not None]
        return [*self.value_fields, *optional]


SPECS = {
    "figures": ListSpec(("scope", "stage", "item", "label"), ("amount",)),
    "execution_rates": ListSpec(("scope",), ("rate_percent",)),
    "scores": ListSpec(("scope",), ("total_score",)),
    "indicators": ListSpec(("scope", "level3"), ("target_op", "target_value"), ("weight", "score")),
    "projects": ListSpec(("name",), ("budget_yuan",)),
}


@dataclass
class Counts:
    """True/false positives and negatives of one list."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        # No predictions: nothing was predicted wrongly.
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        # No gold records: nothing could be missed.
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn


@dataclass
class Accuracy:
    """How many compared values were right; `value` is None when nothing was compared."""

    correct: int = 0
    total: int = 0

    @property
    def value(self) -> float | None:
        return self.correct / self.total if self.total else None

    def record(self, ok: bool) -> None:
        self.correct += ok
        self.total += 1

    def add(self, other: Accuracy) -> None:
        self.correct += other.correct
        self.total += other.total


@dataclass
class Miss:
    """One thing to fix: `kind` is report | value | missing | extra | field (see MISS_KINDS)."""

    file: str
    report_index: int
    list: str  # a name from LISTS, or "report"
    key: str
    kind: str
    detail: str


@dataclass
class FileScore:
    source: str
    # Gold covering only some pages or tables (CONTRACT.md): recall only, no false positives.
    partial: bool = False
    reports_gold: int = 0
    reports_predicted: int = 0
    reports_found: int = 0
    lists: dict[str, Counts] = field(default_factory=lambda: {name: Counts() for name in LISTS})
    report_fields: dict[str, Accuracy] = field(default_factory=lambda: {f: Accuracy() for f in REPORT_FIELDS})
    # "list.field" -> accuracy over key-matched pairs, for every non-key field gold has.
    fields: dict[str, Accuracy] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)


@dataclass
class Summary:
    """Micro totals over all files, with the per-file scores they were summed from."""

    files: list[FileScore]
    reports_gold: int
    reports_predicted: int
    reports_found: int
    lists: dict[str, Counts]
    report_fields: dict[str, Accuracy]
    fields: dict[str, Accuracy]
    misses: list[Miss]


# --- comparing values ---------------------------------------------------------------

def _norm_text(value: Any) -> str | None:
    """NFKC without whitespace: line wraps and full-width forms are not extraction errors."""
    if value is None:
        return None
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def _decimal(value: Any) -> Decimal | str | None:
    """An exact decimal (JSON 100 == 100.0 == "100"); unparseable text stays text so it never equals a number."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    text = (_norm_text(value) or "").replace(",", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


def _plan(value: Any) -> dict[str | None, Any] | None:
    if not isinstance(value, dict):
        return value
    return {_norm_text(month): _decimal(pct) for month, pct in value.items()}


def _amount(figure: Record) -> Decimal | None:
    """value × unit in yuan, so 4.3 万元 equals 43000 元."""
    value, factor = _decimal(figure.get("value")), UNIT_YUAN.get(_norm_text(figure.get("unit")) or "")
    if not isinstance(value, Decimal) or factor is None:
        return None
    return value * factor


def _comparable(name: str, value: Any) -> Any:
    if name in NUMERIC_FIELDS:
        return _decimal(value)
    if name == "spend_plan":
        return _plan(value)
    return _norm_text(value)


def _same(name: str, gold: Any, predicted: Any) -> bool:
    return _comparable(name, gold) == _comparable(name, predicted)


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return "null" if value is None else repr(value) if isinstance(value, str) else str(value)


def _described(name: str, record: Record) -> str:
    """A field's value for a miss; an amount also shows the value and unit it came from."""
    shown = _show(record.get(name))
    return f"{shown} ({record.get('value')} {record.get('unit')})" if name == "amount" else shown


def _differences(names: list[str], gold: Record, predicted: Record) -> list[str]:
    return [
        f"{name}: gold {_described(name, gold)} ≠ predicted {_described(name, predicted)}"
        for name in names
        if not _same(name, gold.get(name), predicted.get(name))
    ]


# --- matching records -----------------------------------------------------------------

def _prepared(list_name: str, record: Record) -> Record:
    """A figure carries its amount in yuan as a derived field, so it compares like any value."""
    return {**record, "amount": _amount(record)} if list_name == "figures" else record


def _compared_fields(spec: ListSpec, gold: Record) -> list[str]:
    return [f for f in gold if f not in spec.key_fields and f not in IGNORED_FIELDS]


def _pair_rank(spec: ListSpec, gold: Record, predicted: Record) -> tuple[bool, int]:
    """Prefer a pair whose values agree, then the one agreeing on most fields (level2 for twins)."""
    values_ok = not _differences(spec.values_to_check(gold), gold, predicted)
    agreeing = sum(_same(f, gold.get(f), predicted.get(f)) for f in _compared_fields(spec, gold))
    return values_ok, agreeing


def _pair_group(spec: ListSpec, gold_ids: list[int], predicted_ids: list[int], gold: list[Record],
                predicted: list[Record]) -> list[tuple[int, int]]:
    """One-to-one pairing of records that share a key, greedily by rank, ties in file order."""
    ranked = sorted(
        ((_pair_rank(spec, gold[g], predicted[p]), -g, -p) for g in gold_ids for p in predicted_ids),
        reverse=True,
    )
    pairs: list[tuple[int, int]] = []
    used_g: set[int] = set()
    used_p: set[int] = set()
    for _, neg_g, neg_p in ranked:
        g, p = -neg_g, -neg_p
        if g not in used_g and p not in used_p:
            pairs.append((g, p))
            used_g.add(g)
            used_p.add(p)
    return pairs


def _group(spec: ListSpec, records: list[Record]) -> dict[tuple, list[int]]:
    groups: dict[tuple, list[int]] = {}
    for i, record in enumerate(records):
        groups.setdefault(spec.key(record), []).append(i)
    return groups


def _match(spec: ListSpec, gold: list[Record], predicted: list[Record]) -> list[tuple[int, int]]:
    """Pairs (gold index, predicted index) of key-matched records, in gold order."""
    predicted_groups = _group(spec, predicted)
    pairs: list[tuple[int, int]] = []
    for key, gold_indices in _group(spec, gold).items():
        pairs += _pair_group(spec, gold_indices, predicted_groups.get(key, []), gold, predicted)
    return sorted(pairs)


# --- scoring ----------------------------------------------------------------------------

def _key_text(spec: ListSpec, record: Record) -> str:
    return " / ".join(str(record[f]) for f in spec.key_fields if record.get(f) is not None)


def _score_list(score: FileScore, index: int, list_name: str, gold_raw: list[Record],
                predicted_raw: list[Record]) -> None:
    spec = SPECS[list_name]
    gold = [_prepared(list_name, r) for r in gold_raw]
    predicted = [_prepared(list_name, r) for r in predicted_raw]
    counts = score.lists[list_name]
    pairs = _match(spec, gold, predicted)

    def miss(record: Record, kind: str, detail: str) -> None:
        score.misses.append(Miss(score.source, index, list_name, _key_text(spec, record), kind, detail))

    for g, p in pairs:
        value_fields = spec.values_to_check(gold[g])
        wrong = _differences(value_fields, gold[g], predicted[p])
        if wrong:
            counts.fp += not score.partial
            counts.fn += 1
            miss(gold[g], "value", "; ".join(wrong))
        else:
            counts.tp += 1
        for name in _compared_fields(spec, gold[g]):
            ok = _same(name, gold[g].get(name), predicted[p].get(name))
            score.fields.setdefault(f"{list_name}.{name}", Accuracy()).record(ok)
            if not ok and name not in value_fields:
                miss(gold[g], "field", "; ".join(_differences([name], gold[g], predicted[p])))
    paired_g = {g for g, _ in pairs}
    paired_p = {p for _, p in pairs}
    for g in (i for i in range(len(gold)) if i not in paired_g):
        counts.fn += 1
        miss(gold[g], "missing", "not predicted")
    if score.partial:
        return
    for p in (i for i in range(len(predicted)) if i not in paired_p):
        counts.fp += 1
        miss(predicted[p], "extra", "not in gold")


def _report_value(report: Record, name: str) -> Any:
    region = report.get("region") or {}
    if name == "region":
        return {k: _norm_text(region.get(k)) for k in REGION_KEYS}
    if name == "region.adcode":
        return region.get("adcode")
    return report.get(name)


def _same_report_field(name: str, gold: Any, predicted: Any) -> bool:
    return gold == predicted if name == "region" else _same(name, gold, predicted)


def _score_report_fields(score: FileScore, index: int, gold: Record, predicted: Record) -> None:
    for name in REPORT_FIELDS:
        g, p = _report_value(gold, name), _report_value(predicted, name)
        ok = _same_report_field(name, g, p)
        score.report_fields[name].record(ok)
        if not ok:
            detail = f"gold {_show(g)} ≠ predicted {_show(p)}"
            score.misses.append(Miss(score.source, index, "report", name, "report", detail))


def _record_count(report: Record) -> int:
    return sum(len(report.get(name) or []) for name in LISTS)


def _score_unpaired(score: FileScore, index: int, report: Record, found_in_gold: bool) -> None:
    """A gold report not found loses every record and field; an extra report is all false positives."""
    if not found_in_gold and score.partial:
        return
    for name in LISTS:
        count = len(report.get(name) or [])
        if found_in_gold:
            score.lists[name].fn += count
        else:
            score.lists[name].fp += count
    if found_in_gold:
        for accuracy in score.report_fields.values():
            accuracy.record(False)
    kind = "report not found" if found_in_gold else "extra report"
    detail = f"{kind} ({_record_count(report)} records)"
    label = report.get("attachment") or report.get("report_type") or ""
    score.misses.append(Miss(score.source, index, "report", str(label), "report", detail))


def score_file(predicted: dict, gold: dict) -> FileScore:
    """Score one extraction against its gold file, pairing report i with report i.

    Gold marked `"partial": true` covers only the pages or tables its notes name: it is
    scored on recall, and output it does not cover (extra records and reports, a wrong
    value under a gold key) is not counted as a false positive.
    """
    gold_reports = gold.get("reports") or []
    predicted_reports = predicted.get("reports") or []
    score = FileScore(
        source=gold.get("source") or predicted.get("source") or "",
        partial=bool(gold.get("partial")),
        reports_gold=len(gold_reports),
        reports_predicted=len(predicted_reports),
        reports_found=min(len(gold_reports), len(predicted_reports)),
    )
    for index in range(max(len(gold_reports), len(predicted_reports))):
        if index >= len(predicted_reports):
            _score_unpaired(score, index, gold_reports[index], found_in_gold=True)
        elif index >= len(gold_reports):
            _score_unpaired(score, index, predicted_reports[index], found_in_gold=False)
        else:
            g, p = gold_reports[index], predicted_reports[index]
            _score_report_fields(score, index, g, p)
            for name in LISTS:
                _score_list(score, index, name, g.get(name) or [], p.get(name) or [])
    return score


def _summed(parts: list[dict[str, Any]], make: Callable[[], Any]) -> dict[str, Any]:
    total: dict[str, Any] = {}
    for part in parts:
        for name, value in part.items():
            total.setdefault(name, make()).add(value)
    return total


def aggregate(scores: list[FileScore]) -> Summary:
    """Micro-average: counts and accuracies are summed over all files before dividing."""
    return Summary(
        files=list(scores),
        reports_gold=sum(s.reports_gold for s in scores),
        reports_predicted=sum(s.reports_predicted for s in scores),
        reports_found=sum(s.reports_found for s in scores),
        lists={name: Counts() for name in LISTS} | _summed([s.lists for s in scores], Counts),
        report_fields={f: Accuracy() for f in REPORT_FIELDS} | _summed([s.report_fields for s in scores], Accuracy),
        fields=dict(sorted(_summed([s.fields for s in scores], Accuracy).items())),
        misses=[m for s in scores for m in s.misses],
    )


# --- presenting -------------------------------------------------------------------------

def _counts_json(counts: Counts) -> dict[str, Any]:
    return {"tp": counts.tp, "fp": counts.fp, "fn": counts.fn, "precision": counts.precision,
            "recall": counts.recall, "f1": counts.f1}


def _accuracies_json(accuracies: dict[str, Accuracy]) -> dict[str, Any]:
    return {name: {"correct": a.correct, "total": a.total, "accuracy": a.value} for name, a in accuracies.items()}


def _miss_json(miss: Miss) -> dict[str, Any]:
    return {"file": miss.file, "report_index": miss.report_index, "list": miss.list, "key": miss.key,
            "kind": miss.kind, "detail": miss.detail}


def _scores_json(score: FileScore | Summary) -> dict[str, Any]:
    return {
        "reports": {"gold": score.reports_gold, "predicted": score.reports_predicted, "found": score.reports_found},
        "lists": {name: _counts_json(c) for name, c in score.lists.items()},
        "report_fields": _accuracies_json(score.report_fields),
        "fields": _accuracies_json(score.fields),
    }


def summary_to_json(summary: Summary) -> dict:
    """Everything in the summary as plain JSON (floats for ratios, null where nothing was compared)."""
    return {
        **_scores_json(summary),
        "files": [{"source": s.source, **_scores_json(s)} for s in summary.files],
        "misses": [_miss_json(m) for m in summary.misses],
    }


def _ratio(value: float | None) -> str:
    return "    -" if value is None else f"{value:5.3f}"


def _accuracy_line(name: str, accuracy: Accuracy, width: int) -> str:
    return f"{name:<{width}} {accuracy.correct:>5}/{accuracy.total:<5} {_ratio(accuracy.value)}"


def format_table(summary: Summary, max_misses: int = 20) -> str:
    """A fixed-width report: lists, report fields, imperfect fields, then the first misses by kind."""
    partial = sum(s.partial for s in summary.files)
    lines = [
        f"files: {len(summary.files)}" + (f" ({partial} with partial gold: recall only)" if partial else ""),
        f"reports: {summary.reports_gold} gold, {summary.reports_predicted} predicted, "
        f"{summary.reports_found} found",
        "",
        f"{'list':<18} {'TP':>5} {'FP':>5} {'FN':>5} {'P':>6} {'R':>6} {'F1':>6}",
    ]
    for name, c in summary.lists.items():
        lines.append(f"{name:<18} {c.tp:>5} {c.fp:>5} {c.fn:>5} "
                     f"{_ratio(c.precision):>6} {_ratio(c.recall):>6} {_ratio(c.f1):>6}")
    lines += ["", f"{'report field':<18} {'right/total':>11} {'acc':>5}"]
    lines += [_accuracy_line(name, a, 18) for name, a in summary.report_fields.items()]
    imperfect = {name: a for name, a in summary.fields.items() if a.correct < a.total}
    if imperfect:
        width = max(len(name) for name in imperfect)
        lines += ["", f"{'field below 100%':<{width}} {'right/total':>11} {'acc':>5}"]
        lines += [_accuracy_line(name, a, width) for name, a in imperfect.items()]
    misses = sorted(summary.misses, key=lambda m: MISS_KINDS.index(m.kind))
    if misses and max_misses > 0:
        lines += ["", f"misses (first {min(max_misses, len(misses))} of {len(misses)}):"]
        lines += [f"  [{m.kind}] {m.file}#{m.report_index} {m.list} {m.key}: {m.detail}" for m in misses[:max_misses]]
    return "\n".join(lines)
