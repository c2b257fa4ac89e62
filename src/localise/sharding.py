"""Deterministic shards of a project's articles: ``--shard K/N`` runs one part on one machine.

An article belongs to shard ``sha256(slug) mod N + 1``, where the slug is its path under the
source folder without ``.md`` (``guides/knee``). SHA-256 of the UTF-8 path, unlike Python's
salted :func:`hash`, is the same in every process, on every machine and in every run, so a
CI matrix of N jobs splits the articles into N disjoint parts whose union is every article;
an article keeps its shard when others are added or removed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
_SPEC = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")
MAX_SHARDS = 10_000
"""More shards than this is certainly a typo (and would leave nearly every shard empty)."""


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 1 <= self.count <= MAX_SHARDS:
            raise ValueError(f"N must be from 1 to {MAX_SHARDS:,}, not {self.count}")
        if not 1 <= self.index <= self.count:
            raise ValueError(f"K must be from 1 to N ({self.count}), not {self.index}")

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, slug: str) -> bool:
        """True when the article ``slug`` belongs to this shard."""
        return shard_of(slug, self.count) == self.index


def shard_of(slug: str, count: int) -> int:
    """The shard (1 to ``count``) of the article ``slug``: SHA-256 of its UTF-8 bytes mod N."""
    digest = hashlib.sha256(slug.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def parse(text: str) -> Shard:
    """``"K/N"`` → Shard; ValueError saying what is wrong (``0/2``, ``3/2``, ``x``)."""
    found = _SPEC.fullmatch(text)
    if found is None:
        raise ValueError(f"expected K/N, e.g. 1/4 (shard K of N), not {text!r}")
    return Shard(int(found[1]), int(found[2]))


def select(shard: Shard | None, items: Iterable[T], slug: Callable[[T], str]) -> list[T]:
    """The items whose slug belongs to ``shard`` (every item when ``shard`` is None)."""
    if shard is None:
        return list(items)
    return [item for item in items if shard.holds(slug(item))]
