"""Region and adcode from the official administrative-division list.

The list is the one the `cpca` package ships (adcodes.csv: the Ministry of Civil
Affairs' codes for every province, prefecture and county). We read its CSV directly
rather than importing cpca's matcher: the names we match come from department names,
where plain longest-name lookup is enough and needs neither pandas nor jieba.
"""
from __future__ import annotations

import csv
import importlib.util
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from schemas.records import Region

MUNICIPALITIES = {"11", "12", "31", "50"}
_SKIP_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@dataclass(frozen=True)
class Division:
    adcode: str  # six digits
    name: str

    @property
    def level(self) -> str:
        if self.adcode.endswith("0000"):
            return "province"
        if self.adcode.endswith("00"):
            return "city"
        return "county"


def _adcodes_csv() -> Path:
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cpca package (administrative-division list) is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "resources" / "adcodes.csv"


@lru_cache(maxsize=1)
def divisions() -> dict[str, list[Division]]:
    """Division records by name (a name can belong to several places)."""
    by_name: dict[str, list[Division]] = {}
    with _adcodes_csv().open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = row["name"].strip()
            if name in _SKIP_NAMES:
                continue
            division = Division(row["adcode"][:6], name)
            by_name.setdefault(name, []).append(division)
    return by_name


@lru_cache(maxsize=1)
def _by_code() -> dict[str, Division]:
    return {d.adcode: d for ds in divisions().values() for d in ds}


@dataclass(frozen=True)
class _NameIndex:
    """Division names by their last character, with the lengths that occur for it."""

    names: frozenset[str]
    lengths_by_last: dict[str, tuple[int, ...]]
    last_chars: re.Pattern[str]


@lru_cache(maxsize=1)
def _name_index() -> _NameIndex:
    """Every division name ends in one of a handful of characters (县区市旗州省盟...):
    looking names up where those occur is an order of magnitude faster than running
    an automaton or a regex alternation of 3,000 names over every character."""
    # Two-character district names (城区, 郊区, 矿区) are everyday words in reports.
    names = frozenset(n for n in divisions() if len(n) >= 3 or len(n) == 2 and not n.endswith("区"))
    lengths: dict[str, set[int]] = {}
    for name in names:
        lengths.setdefault(name[-1], set()).add(len(name))
    last_chars = re.compile("[" + "".join(re.escape(ch) for ch in sorted(lengths)) + "]")
    return _NameIndex(names, {ch: tuple(sorted(ls)) for ch, ls in lengths.items()}, last_chars)


def _name_hits(text: str) -> list[tuple[int, int, str]]:
    """Every occurrence of every division name in `text`, overlaps included: (start, end, name)."""
    index = _name_index()
    hits = []
    for m in index.last_chars.finditer(text):
        end = m.end()
        for length in index.lengths_by_last[m.group()]:
            if length > end:
                break
            name = text[end - length:end]
            if name in index.names:
                hits.append((end - length, end, name))
    return hits


def find_divisions(text: str) -> list[tuple[int, int, list[Division]]]:
    """Division names in `text`, leftmost-longest and not overlapping: (start, end, candidates)."""
    hits = sorted(_name_hits(text), key=lambda h: (h[0], -h[1]))
    out: list[tuple[int, int, list[Division]]] = []
    last_end = -1
    for start, end, name in hits:
        if start >= last_end:
            out.append((start, end, divisions()[name]))
            last_end = end
    return out


def _region_of(division: Division) -> Region:
    code = division.adcode
    province = _by_code().get(code[:2] + "0000")
    city = _by_code().get(code[:4] + "00")
    province_name = province.name if province else None
    if code[:2] in MUNICIPALITIES:
        city_name = province_name
    else:
        city_name = city.name if city and city.level == "city" else None
    if division.level == "province":
        return Region(province_name, None, None, code)
    if division.level == "city":
        return Region(province_name, division.name if code[:2] not in MUNICIPALITIES else province_name, None, code)
    return Region(province_name, city_name, division.name, code)


def resolve_region(name: str | None, context: str = "") -> Region:
    """The most specific division named in `name` (a department), disambiguated by
    the other divisions named there or in `context` (the report text)."""
    found = find_divisions(name or "")
    if not found:
        found = find_divisions(context[:2000])
        if not found:
            return Region()
        found = found[:1]
    named_codes = {d.adcode for _, _, ds in find_divisions((name or "") + context[:2000]) for d in ds}
    best: Division | None = None
    for _, _, candidates in found:
        def support(d: Division) -> int:
            return sum(code[:2] == d.adcode[:2] for code in named_codes) + 2 * sum(
                code[:4] == d.adcode[:4] for code in named_codes)
        candidate = max(candidates, key=support)
        rank = {"province": 0, "city": 1, "county": 2}[candidate.level]
        if best is None or rank > {"province": 0, "city": 1, "county": 2}[best.level]:
            if best is None or candidate.adcode[:2] == best.adcode[:2]:
                best = candidate
    return _region_of(best) if best else Region()
