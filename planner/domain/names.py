"""Finding chips and models by the names people type.

Matching ignores case, spaces, hyphens and underscores, and accepts each spec's aliases:

>>> from planner.domain.hardware import ChipSpec
>>> specs = {"H100 SXM": ChipSpec("H100 SXM", aliases=("H100",))}
>>> find_by_name("h100", specs).name
'H100 SXM'
>>> find_by_name("h100-sxm", specs).name
'H100 SXM'
>>> find_by_name("H300", specs) is None
True

Names as people type them also resolve: a vendor word ("Nvidia H100", "AMD MI300X")
is ignored, and words may come in any order ("NVIDIA B200 HGX" finds the alias
"HGX B200"):

>>> find_by_name("Nvidia H100", specs).name
'H100 SXM'
>>> find_by_name("SXM H100", specs).name
'H100 SXM'
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import TypeVar

T = TypeVar("T")


def normalise(name: object) -> str:
    """Lower case with spaces, hyphens, underscores, dots and brackets removed."""
    return re.sub(r"[\s\-_.()]+", "", str(name)).lower()


#: Vendor words people put in front of a chip or model name; ignored when matching.
VENDOR_WORDS = frozenset({"nvidia", "amd", "intel", "google", "aws", "amazon", "huawei", "meta",
                          "tenstorrent", "instinct", "habana", "cloud"})


def _words(name: object) -> tuple[str, ...]:
    """The sorted lower-case words of ``name`` without vendor words (split on spaces,
    hyphens, underscores, slashes and brackets)."""
    words = re.split(r"[\s\-_/()]+", str(name).lower())
    return tuple(sorted(w for w in words if w and w not in VENDOR_WORDS))


def _names(spec_name: str, spec: object) -> list[str]:
    return [spec_name, *getattr(spec, "aliases", ())]


def find_by_name(name: object, specs: Mapping[str, T]) -> T | None:
    """The spec whose name or alias matches ``name``, or None.

    Exact matches (ignoring case and separators) first, names before aliases; then the
    same words in any order without vendor words, when exactly one spec matches that way.
    """
    key = normalise(name)
    if not key:
        return None
    for spec_name, spec in specs.items():
        if normalise(spec_name) == key:
            return spec
    for spec in specs.values():
        for alias in getattr(spec, "aliases", ()):
            if normalise(alias) == key:
                return spec
    words = _words(name)
    if not words:
        return None
    hits = {spec_name: spec for spec_name, spec in specs.items()
            if any(_words(n) == words for n in _names(spec_name, spec))}
    return next(iter(hits.values())) if len(hits) == 1 else None


def suggest(name: object, specs: Mapping[str, object], n: int = 3) -> list[str]:
    """Up to ``n`` canonical names closest to ``name`` (matching names and aliases,
    with and without vendor words)."""
    candidates: dict[str, str] = {}
    for canonical, spec in specs.items():
        for label in _names(canonical, spec):
            candidates.setdefault(normalise(label), canonical)
    keys = [normalise(name), "".join(_words(name))]
    found: list[str] = []
    for key in keys:
        for close in difflib.get_close_matches(key, list(candidates), n=n * 3, cutoff=0.6):
            if candidates[close] not in found:
                found.append(candidates[close])
    return found[:n]
