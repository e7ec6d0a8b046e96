"""Loads the field vocabularies kept as JSON data in schemas/vocab/."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=None)
def vocab(name: str) -> dict[str, Any]:
    """The vocabulary file schemas/vocab/<name>.json, parsed once per process."""
    with resources.files("schemas").joinpath("vocab", f"{name}.json").open(encoding="utf-8") as handle:
        return json.load(handle)
