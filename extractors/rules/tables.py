"""Project tables: 项目支出绩效自评表 and 预算绩效目标表, read from their cells.

Both kinds are walked row by row and recognised by their labels, not positions:
项目名称/项目编码 start a project; 预算数/财政资金/其他资金 and the 自评表's money block
(年初预算数/全年预算数/全年执行数 by 年度资金总额/当年财政拨款/…) give figures; the
indicator header (一级指标 … 三级指标 …) starts indicator rows, whose level names are
found by vocabulary because converters shift cells; 总分 gives the total score.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from extractors.context import ReportContext
from extractors.normalize import join_cjk_wraps, squash_spaces
from extractors.rules import fragments
from extractors.rules.numbers import PERCENT_RE, to_decimal, to_yuan
from extractors.rules.targets import parse_target
from schemas.document import Cell
from schemas.records import ExecutionRate, Figure, Indicator, Project, Score
from schemas.vocab import vocab

_UNIT_RE = re.compile(r"单位\s*[:：]?\s*(亿元|万元|千元|元)|[(（]\s*(亿元|万元|千元|元)\s*[)）]")
_TITLE_RE = re.compile(r"^\s*\d{0,2}\s*[.、．]?\s*(.+?)(?:项目)?(?:支出)?绩效(?:目标|自评)表")
_TEMPLATE_RE = re.compile(r"^指标\s*\d+\s*[:：]?$")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")


def _labels() -> dict:
    return vocab("tables")


@lru_cache(maxsize=1)
def _money_rows() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Compiled once: rules ask for these for every cell of every row."""
    return tuple((r["item"], re.compile(r["pattern"])) for r in _labels()["money_rows"])


@lru_cache(maxsize=1)
def _money_columns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((c["stage"], re.compile(c["pattern"])) for c in _labels()["money_columns"])


@dataclass
class TableResult:
    figures: list[Figure] = field(default_factory=list)
    rates: list[ExecutionRate] = field(default_factory=list)
    scores: list[Score] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)


@dataclass
class _Project:
    """What the walker has gathered about the project whose rows it is in."""

    name: str
    name_cell: Cell
    is_department: bool = False
    code: str | None = None
    unit: str = "万元"
    budget: Decimal | None = None
    fiscal: Decimal | None = None
    other: Decimal | None = None
    other_seen: bool = False
    purpose: str | None = None
    months: list[int] = field(default_factory=list)
    spend_plan: dict[str, int] | None = None
    money_columns: dict[int, str] = field(default_factory=dict)
    indicator_header: list[tuple[int, str]] = field(default_factory=list)
    level1: str | None = None
    level2: str | None = None


def _sq(cell: Cell) -> str:
    return squash_spaces(cell.text)


@lru_cache(maxsize=1)
def _level_vocab() -> tuple[frozenset[str], dict[str, str], dict[str, str]]:
    v = vocab("indicators")
    return frozenset(v["level1"]), v["level2"], v["level2_repairs"]


def _level_of(text: str) -> tuple[str | None, str | None]:
    """(level1, level2) named by a cell, if it names one."""
    level1, level2, repairs = _level_vocab()
    name = repairs.get(text, text)
    if name in level2:
        return level2[name], name
    if name in level1:
        return name, None
    return None, None


class _Walker:
    def __init__(self, ctx: ReportContext, unit: str, title: str | None) -> None:
        self.ctx = ctx
        self.default_unit = unit
        self.title = title
        self.result = TableResult()
        self.project: _Project | None = None
        self.codes: list[str] = []
        self.pending_months = False
        self.pending_grade: str | None = None

    # -- rows -------------------------------------------------------------
    def row(self, cells: list[Cell]) -> None:
        texts = [_sq(c) for c in cells]
        nonempty = [t for t in texts if t]
        if not nonempty:
            return
        labels = _labels()
        if labels["project_name"] in texts:
            self._start_project(cells, texts)
            return
        if self.project is None and any(re.fullmatch(labels["department_name"], t) for t in texts):
            self._finish()
            self.project = _Project(name="department", name_cell=cells[0], is_department=True,
                                    unit=self.default_unit)
            return
        project = self.project
        if project is None:
            return
        if "一级指标" in texts and "三级指标" in texts or "三级指标" in texts and "二级指标" in texts:
            project.indicator_header = self._header(cells)
            return
        if re.fullmatch(labels["grade_label"], nonempty[0]):
            self._grade(texts)
            return
        if project.indicator_header:
            if re.fullmatch(_labels()["total_label"], nonempty[0]):
                self._total(cells, texts)
            else:
                self._indicator(cells, texts)
            return
        first = nonempty[0]
        if self.pending_months:
            self._plan_values(texts)
            return
        if first.startswith("资金支出计"):
            self._plan_months(texts)
            return
        if re.search(r"资金用途$", first):
            idx = next(i for i, t in enumerate(texts) if t)
            project.purpose = fragments.join_fragments([c.text for c in cells[idx + 1:]]) or None
            return
        if sum(bool(p.match(t)) for t in texts for _, p in _money_columns()) >= 2:
            project.money_columns = {cells[i].col: stage for i, t in enumerate(texts) for stage, p in _money_columns()
                                     if p.match(t)}
            for i, t in enumerate(texts):
                if t in labels["money_extra_columns"]:
                    project.money_columns[cells[i].col] = t
            return
        if project.money_columns and self._money_row(cells, texts):
            return
        self._budget_cells(cells, texts)

    def _start_project(self, cells: list[Cell], texts: list[str]) -> None:
        self._finish()
        at = texts.index(_labels()["project_name"])
        name_cell = next((c for c in cells[at + 1:] if _sq(c) and _sq(c) != "项目名称"), cells[at])
        cell_name = join_cjk_wraps(fragments.join_fragments([name_cell.text]))
        name = self.title if self.title and _similar(self.title, cell_name) else cell_name
        self.project = _Project(name=name, name_cell=name_cell, unit=self.default_unit)
        code_label = next((t for t in texts if re.fullmatch(_labels()["project_code"], t)), None)
        if code_label:
            start = texts.index(code_label) + 1
            parts = [c.text for c in cells[start:at] if c.text.strip()]
            self.project.code = " ".join(parts) or None

    def _header(self, cells: list[Cell]) -> list[tuple[int, str]]:
        names = vocab("indicators")["headers"]
        header: list[tuple[int, str]] = []
        texts = [re.sub(r"[（(][^)）]*[)）]$", "", _sq(c)) for c in cells]
        i = 0
        while i < len(texts):
            text = texts[i]
            joined = text + (texts[i + 1] if i + 1 < len(texts) else "")
            for key, pattern in names.items():
                if re.fullmatch(f"(?:{pattern})", joined.lstrip("·")) and not re.fullmatch(f"(?:{pattern})", text):
                    header.append((cells[i].col, key))
                    i += 1
                    break
                if re.fullmatch(f"(?:{pattern})", text.replace("·", "")):
                    header.append((cells[i].col, key))
                    break
            i += 1
        return header

    def _money_row(self, cells: list[Cell], texts: list[str]) -> bool:
        project = self.project
        for item, pattern in _money_rows():
            label_at = next((i for i, t in enumerate(texts) if pattern.match(t)), None)
            if label_at is None:
                continue
            values = self._money_values(cells, label_at)
            for stage in ("initial", "adjusted", "actual"):
                if stage in values:
                    self._figure(item, stage, values[stage])
            if item == "fiscal_funds":
                project.fiscal = self._yuan(values.get("adjusted") or values.get("initial"))
            elif item == "other_funds":
                project.other_seen = True
                project.other = self._yuan(values.get("adjusted") or values.get("initial"))
            elif item == "expenditure_total":
                project.budget = self._yuan(values.get("adjusted") or values.get("initial"))
                rate_cell = values.get("执行率")
                if rate_cell is not None:
                    self.result.rates.append(ExecutionRate(
                        scope=project.name, rate_percent=to_decimal(_sq(rate_cell).rstrip("%")),
                        budget_yuan=self._yuan(values.get("adjusted") or values.get("initial")),
                        executed_yuan=self._yuan(values.get("actual")),
                        evidence=self.ctx.evidence(cells[label_at].start, rate_cell.end),
                    ))
            return True
        return False

    def _money_values(self, cells: list[Cell], label_at: int) -> dict[str, Cell]:
        """Cells of a money row by grid column (a label merged down from the header row
        leaves the row shorter, not shifted); else the numbers after the label in header
        order, for converters that lost the grid."""
        columns = self.project.money_columns
        by_col = {c.col: c for c in cells}
        label_col = cells[label_at].col

        def numeric(cell: Cell) -> bool:
            return to_decimal(_sq(cell).rstrip("%")) is not None
        aligned = {stage: by_col[col] for col, stage in columns.items()
                   if col > label_col and col in by_col and numeric(by_col[col])}
        if sum(stage in aligned for stage in ("initial", "adjusted", "actual")) >= 2 or not columns:
            return aligned
        numbers = [c for c in cells[label_at + 1:] if numeric(c)]
        return {stage: cell for stage, cell in zip([columns[k] for k in sorted(columns)], numbers)}

    def _grade(self, texts: list[str]) -> None:
        grades = sorted(vocab("scores")["grades"], key=len, reverse=True)
        found = next((t for t in texts[1:] for g in grades if t == g), None)
        if found and self.result.scores:
            self.result.scores[-1].grade = found
        elif found:
            self.pending_grade = found

    def _budget_cells(self, cells: list[Cell], texts: list[str]) -> None:
        """A 绩效目标表 states one amount after each label (预算数, 其中:财政资金,
        年度资金总额：…), with no stage columns: the budget as set, `initial`."""
        labels = _labels()["budget_labels"]
        project = self.project
        for i, text in enumerate(texts):
            label = text.rstrip(":：")
            item = next((k for k, p in labels.items() if re.fullmatch(p, label)), None)
            item = item or next((k for k, p in _money_rows() if p.match(label)), None)
            if item is None:
                continue
            value_cell = next((c for c in cells[i + 1:] if _sq(c)), None)
            if item == "other_funds":
                project.other_seen = True
            if value_cell is None or to_decimal(_sq(value_cell)) is None:
                continue
            amount = self._figure(item, "initial", value_cell)
            if item == "expenditure_total":
                project.budget = amount
            elif item == "fiscal_funds":
                project.fiscal = amount
            elif item == "other_funds":
                project.other = amount

    def _plan_months(self, texts: list[str]) -> None:
        cells = fragments.merge_doubled([t for t in texts[1:] if t])
        months = []
        for cell in cells:
            m = re.match(r"(\d{1,2})", cell)
            if m and 1 <= int(m.group(1)) <= 12:
                months.append(int(m.group(1)))
        self.project.months = months
        self.pending_months = True

    def _plan_values(self, texts: list[str]) -> None:
        self.pending_months = False
        joined = fragments.merge_doubled([t for t in texts[1:] if t])
        values = [int(Decimal(m.group(1))) for t in joined for m in [PERCENT_RE.search(t)] if m]
        months = self.project.months
        if not values or not months:
            return
        # Cumulative plans end at year-end: align the values to the last months.
        pairs = zip(months[-len(values):], values) if len(values) <= len(months) else zip(months, values)
        self.project.spend_plan = {str(m): v for m, v in pairs}

    def _indicator(self, cells: list[Cell], texts: list[str]) -> None:
        project = self.project
        level_at = -1
        level3_from: str | None = None
        description_from: str | None = None
        for i, text in enumerate(texts):
            l1, l2 = _level_of(text)
            if l1 or l2:
                level_at = i
                if l2:
                    project.level2 = l2
                    project.level1 = l1
                elif l1:
                    project.level1, project.level2 = l1, None
            elif text and i <= 2 and level_at < 0:
                marker = next((m for m in vocab("indicators")["level2"] if m in text and len(text) > len(m) + 2), None)
                if marker and " " in cells[i].text:
                    project.level1, project.level2 = vocab("indicators")["level2"][marker], marker
                    level3_from, description_from = fragments.split_interleaved(cells[i].text, marker)
                    level_at = i
        rest = [c for c in cells[level_at + 1:] if _sq(c)]
        if level3_from is not None:
            self._indicator_record(project, level3_from, cells[level_at], rest, description_from)
            return
        while rest and not _CJK_RE.search(rest[0].text):  # junk a converter left before the name
            rest = rest[1:]
        if not rest or _TEMPLATE_RE.match(_sq(rest[0])):
            return
        self._indicator_record(project, squash_spaces(rest[0].text), rest[0], rest[1:], None)

    def _indicator_record(self, project: _Project, level3: str, level3_cell: Cell, values: list[Cell],
                          description: str | None) -> None:
        columns = [key for _, key in project.indicator_header]
        after = columns[columns.index("level3") + 1:] if "level3" in columns else columns
        fields: dict[str, str | None] = dict.fromkeys(after + ["description", "target", "actual", "weight",
                                                               "score", "basis", "deviation_note"])
        texts = [c.text for c in values]
        if "basis" in after:
            if texts and len(texts) >= 2:
                fields["basis"] = join_cjk_wraps(texts.pop())
            if texts:
                fields["target"] = join_cjk_wraps(texts.pop())
            if texts:
                fields["description"] = fragments.join_fragments(texts)
            elif description:
                fields["description"] = description
        else:
            for key, text in zip([k for k in after if k != "description"] if description else after, texts):
                fields[key] = join_cjk_wraps(text)
        if fields.get("target_sign") or fields.get("target_unit_column"):
            # Sign, value and unit in separate columns (指标性质 / 指标值 / 度量单位).
            sign = (fields.get("target_sign") or "").replace("定性", "")
            fields["target"] = f"{sign}{fields['target'] or ''}{fields.get('target_unit_column') or ''}" or None
        target = parse_target(fields["target"])
        actual = parse_target(fields["actual"])
        evidence_end = values[-1].end if values else level3_cell.end
        self.result.indicators.append(Indicator(
            scope=project.name, level1=project.level1, level2=project.level2, level3=level3,
            description=fields["description"], target=fields["target"], target_op=target.op,
            target_value=target.value, target_unit=target.unit, actual=fields["actual"],
            actual_value=actual.value, weight=to_decimal(fields["weight"] or ""),
            score=to_decimal(fields["score"] or ""), basis=fields["basis"],
            deviation_note=fields["deviation_note"],
            evidence=self.ctx.evidence(level3_cell.start, evidence_end),
        ))

    def _total(self, cells: list[Cell], texts: list[str]) -> None:
        project = self.project
        numbers = [(c.col, c) for c in cells if to_decimal(_sq(c)) is not None]
        if not numbers:
            return
        columns = dict(project.indicator_header)
        weight = next((c for i, c in numbers if columns.get(i) == "weight"), None)
        score = next((c for i, c in numbers if columns.get(i) == "score"), None) or numbers[-1][1]
        if weight is None and len(numbers) >= 2 and "weight" in columns.values():
            weight = numbers[-2][1]
        self.result.scores.append(Score(
            scope=project.name, total_score=to_decimal(_sq(score)),
            max_score=to_decimal(_sq(weight)) if weight is not None else None, grade=self.pending_grade,
            evidence=self.ctx.evidence(cells[0].start, score.end),
        ))

    # -- records ----------------------------------------------------------
    def _yuan(self, cell: Cell | None) -> Decimal | None:
        if cell is None:
            return None
        return to_yuan(_sq(cell), self.project.unit)

    def _figure(self, item: str, stage: str, cell: Cell) -> Decimal | None:
        value = _sq(cell)
        yuan = to_yuan(value, self.project.unit)
        if yuan is None:
            return None
        self.result.figures.append(Figure(
            scope=self.project.name, stage=stage, item=item, value=value, unit=self.project.unit,
            amount_yuan=yuan, evidence=self.ctx.evidence(cell.start, cell.end),
        ))
        return yuan

    def _finish(self) -> None:
        project = self.project
        self.project = None
        if project is None or project.is_department:
            return
        self.result.projects.append(Project(
            code=project.code, name=project.name, budget_yuan=project.budget, fiscal_funds_yuan=project.fiscal,
            other_funds_yuan=project.other if project.other_seen else None, purpose=project.purpose,
            spend_plan=project.spend_plan, evidence=self.ctx.evidence(project.name_cell.start, project.name_cell.end),
        ))


def _similar(a: str, b: str) -> bool:
    """Bigram Dice similarity of at least one half: the same name, one of them garbled."""
    grams_a = {a[i:i + 2] for i in range(len(a) - 1)}
    grams_b = {b[i:i + 2] for i in range(len(b) - 1)}
    if not grams_a or not grams_b:
        return False
    return 2 * len(grams_a & grams_b) / (len(grams_a) + len(grams_b)) >= 0.5


def _unit_for(ctx: ReportContext, table_start: int, cells: list[Cell]) -> str:
    for cell in cells:
        m = _UNIT_RE.search(cell.text)
        if m:
            return m.group(1) or m.group(2)
    before = ctx.doc.text[ctx.span.start:table_start]
    found = list(_UNIT_RE.finditer(before))
    if found:
        return found[-1].group(1) or found[-1].group(2)
    return "万元"


def _title_before(ctx: ReportContext, block_index: int) -> str | None:
    """A project name from the table's title line (`1.办公设备购置绩效目标表`)."""
    for i in range(block_index - 1, max(ctx.span.first, block_index - 4) - 1, -1):
        block = ctx.doc.blocks[i]
        if block.kind == "table":
            return None
        m = _TITLE_RE.match(ctx.doc.block_text(block))
        name = squash_spaces(m.group(1)) if m else ""
        if name and "部门" not in name and re.sub(r"项目|支出|预算|年度|\d|[()（）]", "", name):
            return name
    return None


def repair_codes(codes: list[str | None]) -> list[str | None]:
    """Join project codes cut by a converter: the short suffix wrapped apart goes to
    the end, and a character doubled at a cut is dropped when that gives the length
    the document's other codes have."""
    joined: list[tuple[str, list[str]] | None] = []
    for code in codes:
        if not code:
            joined.append(None)
            continue
        parts = code.split()
        if len(parts) >= 3 and len(parts[1]) <= 2:
            parts = [parts[0]] + parts[2:] + [parts[1]]
        joined.append(("".join(parts), parts))
    lengths = [len(j[0]) for j in joined if j]
    modal = max(set(lengths), key=lengths.count) if lengths else 0
    out: list[str | None] = []
    for j in joined:
        if j is None:
            out.append(None)
            continue
        text, parts = j
        if len(text) == modal + 1 and len(parts) >= 2 and parts[0][-1] == parts[1][0]:
            text = parts[0] + parts[1][1:] + "".join(parts[2:])
        out.append(text)
    return out


def read_tables(ctx: ReportContext) -> TableResult:
    result = TableResult()
    for index, block in ctx.tables():
        rows = block.table.rows()
        walker = _Walker(ctx, _unit_for(ctx, block.start, block.table.cells), _title_before(ctx, index))
        for cells in rows:
            walker.row(cells)
        walker._finish()
        for name in ("figures", "rates", "scores", "indicators", "projects"):
            getattr(result, name).extend(getattr(walker.result, name))
    for project, code in zip(result.projects, repair_codes([p.code for p in result.projects])):
        project.code = code
    return result
