"""Translation memory: reviewed translations of the project and of compendia, matched to msgids.

A :class:`Memory` holds (source, translation, origin) :class:`Record` s in priority order: the
reviewed entries of every catalogue of the language (live before obsolete), then the compendia
the project lists (``.po`` files through :mod:`localise.catalogue`, TMX files through a
hardened XML parser that refuses entity declarations). :meth:`Memory.lookup` returns the best
match of a msgid: the same msgid (100 %), else the most similar source at or above the
threshold, by a Levenshtein similarity over words and punctuation (over characters for
languages written without spaces, such as Japanese), markup and placeholders set aside; a
near match scores 99 % at most. :func:`adapt` maps the placeholders and markup of the match
onto the new msgid's (``{amount_1}`` → ``{amount_2}``, a changed link target, ``**`` → ``*``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from localise import catalogue, mt_tokens
from localise.catalogue import Catalogue
from localise.errors import CatalogueError, LocaliseError
from localise.langs import base, is_unspaced

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

__all__ = [
    "Match",
    "Memory",
    "Record",
    "adapt",
    "compendium_records",
    "expand",
    "po_records",
    "similarity",
    "tmx_records",
]

DEFAULT_SIMILARITY = 75
"""Near matches below this similarity (percent) are not offered."""
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_MARKUP = re.compile(
    r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)"  # a link target: the label's text stays
    r"|<[^<>\n]+>"  # HTML tags and autolinks
    r"|\{[A-Za-z_][A-Za-z0-9_]*\}"  # placeholders
    r"|⟦/?\d+⟧"  # protection tokens
)
_DELIMITERS = re.compile(r"[*_~`\\\[\]]+")
_WORD = re.compile(r"\{\}|\w+|[^\w\s]")


@dataclass(frozen=True, slots=True)
class Record:
    """One reviewed translation the memory can offer."""

    source: str
    """The source text (a msgid)."""
    target: str
    """Its reviewed translation."""
    origin: str
    """Where it comes from: ``guides/x.po`` (a catalogue of the language, relative to its
    language folder) or a compendium's project-relative path."""


@dataclass(frozen=True, slots=True)
class Match:
    """The memory's best offer for one msgid."""

    record: Record
    score: int
    """Similarity in percent: 100 only for the same msgid, 99 at most otherwise."""

    @property
    def exact(self) -> bool:
        """True when the record's source is the msgid itself."""
        return self.score == 100


def _normal(text: str) -> str:
    text = _MARKUP.sub(lambda m: " {} " if m.group(0)[:1] in "{⟦<" else "]", text)
    return _DELIMITERS.sub("", text).lower()


class _Alphabet:
    """Maps tokens to private-use characters, so a token list is a string rapidfuzz compares."""

    _PLANES = ((0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))

    def __init__(self) -> None:
        self.codes: dict[str, str] = {}
        self.size = sum(high - low + 1 for low, high in self._PLANES)

    def char(self, token: str) -> str:
        found = self.codes.get(token)
        if found is None:
            n = len(self.codes) % self.size  # past 131,068 distinct tokens, codes are shared
            low, high = self._PLANES[0]
            code = low + n if n <= high - low else self._PLANES[1][0] + n - (high - low + 1)
            found = self.codes[token] = chr(code)
        return found


def _tokens(text: str, *, lang: str) -> list[str]:
    normal = _normal(text)
    if is_unspaced(lang):
        return [t for t in re.findall(r"\{\}|\S", normal)]
    return _WORD.findall(normal)


def similarity(a: str, b: str, *, lang: str) -> int:
    """Similarity of two source texts in percent, as :class:`Memory` scores near matches."""
    if a == b:
        return 100
    from rapidfuzz.distance import Levenshtein  # only for near matches

    score = Levenshtein.normalized_similarity(_tokens(a, lang=lang), _tokens(b, lang=lang))
    return min(99, int(score * 100 + 1e-9))


class Memory:
    """Reviewed translations, looked up by source text: exact first, then the most similar."""

    def __init__(
        self, records: Iterable[Record], *, source_language: str, min_similarity: int
    ) -> None:
        self.lang = source_language
        self.threshold = min_similarity
        self.records: list[Record] = [r for r in records if r.source and r.target]
        self._exact: dict[str, Record] = {}
        for record in self.records:
            self._exact.setdefault(record.source, record)
        self._alphabet: _Alphabet | None = None
        self._choices: list[str] = []
        self._owners: list[Record] = []

    def __len__(self) -> int:
        return len(self.records)

    def _signature(self, text: str) -> str:
        assert self._alphabet is not None
        return "".join(self._alphabet.char(t) for t in _tokens(text, lang=self.lang))

    def _index(self) -> None:
        """Build the fuzzy index on first use (one signature per distinct source)."""
        if self._alphabet is not None:
            return
        self._alphabet = _Alphabet()
        seen: set[str] = set()
        for record in self.records:
            if record.source in seen:
                continue
            seen.add(record.source)
            self._choices.append(self._signature(record.source))
            self._owners.append(record)

    def lookup(self, msgid: str) -> Match | None:
        """The best match for ``msgid`` at or above the threshold, or None."""
        exact = self._exact.get(msgid)
        if exact is not None:
            return Match(exact, 100)
        if not self.records or self.threshold > 99:
            return None
        self._index()
        query = self._signature(msgid)
        if not query:
            return None
        from rapidfuzz import process  # only when a memory has records to match
        from rapidfuzz.distance import Levenshtein

        found = process.extract(
            query,
            self._choices,
            scorer=Levenshtein.normalized_similarity,
            score_cutoff=self.threshold / 100 - 1e-6,
            limit=8,
        )
        if not found:
            return None
        # best score first; among equals, the record earliest in priority order
        _, score, index = min(found, key=lambda hit: (-hit[1], hit[2]))
        percent = min(99, int(score * 100 + 1e-9))
        if percent < self.threshold:
            return None
        return Match(self._owners[index], percent)


def adapt(match_source: str, match_target: str, msgid: str, *, braces: bool) -> str:
    """``match_target`` with the placeholders and markup of ``match_source`` replaced by the
    ones in the same places of ``msgid`` (unchanged when they do not line up one to one)."""
    if match_source == msgid:
        return match_target
    old = mt_tokens.protect(match_source, braces=braces)
    new = mt_tokens.protect(msgid, braces=braces)
    old_seq = [old.originals[label] for label in _labels(old.text)]
    new_seq = [new.originals[label] for label in _labels(new.text)]
    if len(old_seq) != len(new_seq):
        return match_target
    mapping: dict[str, str] = {}
    for a, b in zip(old_seq, new_seq, strict=True):
        if a == b:
            continue
        if mapping.get(a, b) != b or match_target.count(a) != match_source.count(a):
            return match_target  # the same markup became two different things: leave it
        mapping[a] = b
    if not mapping:
        return match_target
    pattern = re.compile("|".join(re.escape(a) for a in sorted(mapping, key=len, reverse=True)))
    return pattern.sub(lambda m: mapping[m.group(0)], match_target)


def _labels(protected: str) -> list[str]:
    return [m.group(1) + m.group(2) for m in re.finditer(r"⟦(/?)(\d+)⟧", protected)]


# -- sources of records ----------------------------------------------------------------


def po_records(po: Catalogue, *, origin: str) -> Iterator[Record]:
    """The reviewed, singular entries of a catalogue: live ones first, then obsolete ones."""
    entries = [e for e in po if e.reviewed and len(e.forms) == 1 and e.msgctxt is None]
    for entry in sorted(entries, key=lambda e: e.obsolete):
        yield Record(entry.msgid, entry.msgstr, origin)


def _lang_matches(tag: str, lang: str) -> bool:
    a, b = tag.replace("-", "_").lower(), lang.replace("-", "_").lower()
    return a == b or (base(a) == base(b) and ("_" not in a or "_" not in b))


def _seg_text(seg: ET.Element) -> str:
    """A TMX ``<seg>``'s text with its inline codes (``<bpt>``, ``<ph>``…) as native text."""
    return "".join(seg.itertext())


def tmx_records(data: bytes, *, source: str, target: str, origin: str, path: Path) -> list[Record]:
    """Translation units of a TMX document with a ``source`` and a ``target`` variant.

    The document is parsed by defusedxml: a DTD that declares entities, or an external
    reference, is refused (no entity is ever expanded)."""
    import xml.etree.ElementTree as ET  # only for a project with a TMX compendium

    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    try:
        root = SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True,
                                 forbid_external=True)
    except ET.ParseError as err:
        line = err.position[0] if err.position else None
        raise CatalogueError(f"not a TMX file: {err}", path=path, line=line) from None
    except DefusedXmlException as err:
        raise CatalogueError(f"TMX refused: {err}", path=path) from None
    if root.tag != "tmx":
        raise CatalogueError(f"not a TMX file: the root element is <{root.tag}>", path=path)
    header = root.find("header")
    default = header.get("srclang", "") if header is not None else ""
    records: list[Record] = []
    for tu in root.iter("tu"):
        variants: dict[str, str] = {}
        for tuv in tu.findall("tuv"):
            tag = tuv.get(_XML_LANG) or tuv.get("lang") or ""
            seg = tuv.find("seg")
            if tag and seg is not None:
                variants.setdefault(tag, _seg_text(seg))
        src = next((t for tag, t in variants.items() if _lang_matches(tag, source)), None)
        if src is None and default and _lang_matches(default, source):
            src = variants.get(default)
        tgt = next((t for tag, t in variants.items() if _lang_matches(tag, target)), None)
        if src and tgt:
            records.append(Record(src, tgt, origin))
    return records


def compendium_records(
    path: Path, *, name: Path, source: str, target: str, templated: bool
) -> list[Record]:
    """The records a compendium offers for ``target`` (``.po`` or ``.tmx``; ``name`` is how
    errors and drafts name it); a ``.po`` of another language offers none unless
    ``templated`` (its path named the language)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LocaliseError("compendium not found", path=name) from None
    origin = name.as_posix()
    if path.suffix.lower() == ".tmx":
        return tmx_records(data, source=source, target=target, origin=origin, path=name)
    po = catalogue.parse(data, path=name)
    if not templated:
        if not po.language:
            raise CatalogueError(
                "compendium has no Language header; add one or put {lang} in its path",
                path=name,
            )
        if not _lang_matches(po.language, target):
            return []
    return list(po_records(po, origin=origin))


def expand(paths: Sequence[Path], lang: str) -> list[tuple[Path, bool]]:
    """Each compendium path for ``lang``, with whether it was templated by ``{lang}``."""
    return [(Path(str(p).replace("{lang}", lang)), "{lang}" in str(p)) for p in paths]
