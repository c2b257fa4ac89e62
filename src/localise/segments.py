"""Segmented articles kept in ``.localise/segments/``: extract segments, build reuses.

``localise extract`` segments every changed article; ``localise build`` needs the same
:class:`~localise.model.Document` again, in another process. :func:`save` writes it as JSON
(one file per article, replaced when the article changes) and :func:`load` gives it back when
its :func:`key` still matches: the article's text, path, slug and segmentation options, and
the code of this package (any edit to localise makes every record stale). Anything else
(a missing, stale, damaged or tampered-with record) loads as None and the caller segments
again, so a record can only ever save time, never change a result.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import json
import os
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from localise.formatting import Value
from localise.model import Document, Placeholder, SegmentOptions, Unit

FORMAT = 1
"""Version of the record's shape."""
FOLDER = "segments"
"""Folder of the records inside the project's cache folder."""


@functools.cache
def code_digest() -> str:
    """Digest of this package's Python sources (read once per process)."""
    package = Path(__file__).parent
    hasher = hashlib.blake2b(digest_size=20)
    for path in sorted(package.rglob("*.py")):
        hasher.update(path.relative_to(package).as_posix().encode() + b"\0")
        hasher.update(path.read_bytes() + b"\0")
    return hasher.hexdigest()


def key(text: str, *, path: Path, slug: str, options: SegmentOptions) -> str:
    """What a record must have been made from to stand for ``segment(text, …)``."""
    hasher = hashlib.blake2b(digest_size=20)
    for part in (code_digest(), path.as_posix(), slug, repr(options), text):
        hasher.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return hasher.hexdigest()


def record_path(folder: Path, article: Path) -> Path:
    """The record of the article at project-relative ``article`` in cache folder ``folder``."""
    name = hashlib.blake2b(article.as_posix().encode("utf-8", "surrogatepass"),
                           digest_size=20).hexdigest()
    return folder / FOLDER / f"{name}.json"


def save(folder: Path, document: Document, *, key: str) -> None:
    """Keep ``document`` (segmented under ``key``) for later runs; a record that already holds
    it is left alone, and a failure to write only costs a later run the segmentation."""
    path = record_path(folder, document.path)
    try:
        data = json.dumps(
            {"format": FORMAT, "key": key, "units": [_unit(u) for u in document.units],
             "links": document.link_definitions},
            ensure_ascii=False, separators=(",", ":"),
        ).encode("utf-8", "surrogatepass")
    except (TypeError, ValueError):  # something JSON cannot hold: no record, not a wrong one
        return
    with contextlib.suppress(OSError):
        if path.read_bytes() == data:
            return
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".localise-", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:  # no fsync: a record lost in a crash is redone
            handle.write(data)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def load(folder: Path, text: str, *, path: Path, slug: str, key: str) -> Document | None:
    """The document kept for the article at ``path`` if it was segmented under ``key`` from
    ``text``; None when there is no such record or it does not hold together."""
    try:
        record = json.loads(record_path(folder, path).read_bytes())
    except (OSError, ValueError):
        return None
    try:
        if record["format"] != FORMAT or record["key"] != key:
            return None
        units = tuple(_to_unit(raw) for raw in record["units"])
        links = record["links"]
    except (KeyError, IndexError, TypeError, ValueError, ArithmeticError):
        return None
    if not isinstance(links, dict) or not _fits(units, len(text)):
        return None
    return Document(path=path, slug=slug, text=text, units=units, link_definitions=links)


def _fits(units: tuple[Unit, ...], size: int) -> bool:
    """True when the units' spans lie in order inside a text of ``size`` characters."""
    end = 0
    for unit in units:
        if not (isinstance(unit.msgid, str) and isinstance(unit.comment, str)):
            return False
        if unit.kind != "front-matter" and not end <= unit.start <= unit.end <= size:
            return False
        end = unit.end if unit.kind != "front-matter" else end
    return True


def _unit(unit: Unit) -> list[Any]:
    return [unit.msgid, unit.kind, unit.comment, unit.line, unit.end_line, unit.start,
            unit.end, unit.continuation, unit.single_line, unit.yaml_style,
            [_placeholder(p) for p in unit.placeholders], unit.escape]


def _to_unit(raw: list[Any]) -> Unit:
    (msgid, kind, comment, line, end_line, start, end, continuation, single_line, yaml_style,
     marks, escape) = raw
    for number in (line, end_line, start, end):
        if type(number) is not int:
            raise TypeError("not an offset")
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
