"""Segmented articles kept in ``.localise/segments/``: extract segments, build reuses.

``localise extract`` segments every changed article; ``localise build`` needs the same
:class:`~localise.model.Document` again, in another process. :func:`save` writes it as JSON
(one file per article, replaced when the article changes) and :func:`load` gives it back when
its :func:`key` still matches: the article's bytes, path, slug and segmentation options, and
localise's own code (an upgrade, or any edit to localise, makes every record stale). A missing,
stale or damaged record (not JSON, the wrong shape, spans outside the text) loads as None and
the caller segments again. Like the rest of ``.localise/``, a record is trusted as far as the
sources are: whoever can write it can edit the articles too.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

from localise.config import Config
from localise.errors import LocaliseError
from localise.files import write_if_changed
from localise.formatting import Value
from localise.model import Document, Escape, Placeholder, Unit, UnitKind
from localise.project import Source, code_digest, digest

FORMAT = 1
"""Version of the record's shape."""
_KINDS = frozenset(get_args(UnitKind))
_ESCAPES = frozenset(get_args(Escape))
_RECORD_NAME = re.compile(r"[0-9a-f]{40}\.json")
"""What :func:`record_path` names a record (the digest of the article's path)."""


def key(config: Config, source: Source) -> str:
    """What a record must have been made from to stand for the article ``source`` as segmented
    under ``config`` now."""
    article = source.article
    options = config.segment_options_for(article.path)
    return digest(code_digest(), repr(options).encode(), article.path.as_posix().encode(),
                  article.slug.encode(), source.data)


def record_path(folder: Path, article: Path) -> Path:
    """The record of the article at project-relative ``article`` in cache folder ``folder``."""
    return folder / "segments" / f"{digest(article.as_posix().encode('utf-8'))}.json"


def prune(folder: Path, articles: Iterable[Path]) -> int:
    """Remove the records of articles not among ``articles`` (deleted or renamed since); how
    many went. Only ``<digest>.json`` files are touched: nothing else in the folder."""
    keep = {record_path(folder, article).name for article in articles}
    removed = 0
    try:
        entries = list(os.scandir(folder / "segments"))
    except OSError:  # no records yet
        return 0
    for entry in entries:
        name = entry.name
        if name in keep or not _RECORD_NAME.fullmatch(name):
            continue
        with contextlib.suppress(FileNotFoundError):
            os.unlink(entry.path)
            removed += 1
    return removed


def save(folder: Path, document: Document, *, key: str) -> None:
    """Keep ``document`` (segmented under ``key``) for later runs; a record that already holds
    it is left alone, and a failure to write only costs a later run the segmentation."""
    try:
        data = json.dumps(
            {"format": FORMAT, "key": key, "units": [_unit(u) for u in document.units],
             "links": document.link_definitions},
            ensure_ascii=False, separators=(",", ":"),
        ).encode("utf-8")
    except (TypeError, ValueError):  # something JSON cannot hold: no record, not a wrong one
        return
    with contextlib.suppress(LocaliseError):  # no fsync: a record lost in a crash is redone
        write_if_changed(record_path(folder, document.path), data, durable=False)


def load(folder: Path, source: Source, *, key: str) -> Document | None:
    """The document kept for the article ``source`` if it was segmented under ``key``; None
    when there is no such record or it does not hold together."""
    article = source.article
    try:
        record = json.loads(record_path(folder, article.path).read_bytes())
        if record["format"] != FORMAT or record["key"] != key:
            return None
        units = tuple(_to_unit(raw) for raw in record["units"])
        links = record["links"]
    except (OSError, LookupError, TypeError, ValueError, ArithmeticError):
        return None
    if not isinstance(links, dict) or not _fits(units, len(source.text)):
        return None
    return Document(path=article.path, slug=article.slug, text=source.text, units=units,
                    link_definitions=links)


def _fits(units: tuple[Unit, ...], size: int) -> bool:
    """True when the units' spans (front matter aside) lie in order inside ``size`` characters."""
    end = 0
    for unit in units:
        if unit.kind == "front-matter":
            continue
        if not end <= unit.start <= unit.end <= size:
            return False
        end = unit.end
    return True


def _unit(unit: Unit) -> list[Any]:
    return [unit.msgid, unit.kind, unit.comment, unit.line, unit.end_line, unit.start,
            unit.end, unit.continuation, unit.single_line, unit.yaml_style,
            [_placeholder(p) for p in unit.placeholders], unit.escape]


def _to_unit(raw: list[Any]) -> Unit:
    (msgid, kind, comment, line, end_line, start, end, continuation, single_line, yaml_style,
     marks, escape) = raw
    if kind not in _KINDS or escape not in _ESCAPES:
        raise ValueError("not a unit")
    if not all(type(n) is int for n in (line, end_line, start, end)):
        raise TypeError("not an offset")
    if not all(isinstance(t, str) for t in (msgid, comment, continuation)):
        raise TypeError("not text")
    return Unit(msgid, kind, comment, line, end_line, start, end, continuation,
                bool(single_line), yaml_style, tuple(_to_placeholder(p) for p in marks),
                escape)


def _placeholder(mark: Placeholder) -> list[Any]:
    value = mark.value
    if value is None:
        stored = None
    elif isinstance(value, Value):
        stored = [value.kind, value.start, value.end, value.source, value.currency,
                  None if value.number is None else str(value.number), value.fraction_digits,
                  None if value.date is None else value.date.isoformat(), value.date_length]
    else:  # a kind of value this module does not know: no record, rather than a wrong one
        raise TypeError(f"cannot keep a placeholder value of type {type(value).__name__}")
    return [mark.name, mark.source, mark.description, stored, mark.syntax, mark.starts_line,
            mark.ends_line]


def _to_placeholder(raw: list[Any]) -> Placeholder:
    name, source, description, stored, syntax, starts_line, ends_line = raw
    value = None
    if stored is not None:
        kind, start, end, text, currency, number, digits, date, length = stored
        value = Value(kind, start, end, text, currency,
                      None if number is None else Decimal(number), digits,
                      None if date is None else datetime.date.fromisoformat(date), length)
    return Placeholder(name, source, description, value, bool(syntax), bool(starts_line),
                       bool(ends_line))
