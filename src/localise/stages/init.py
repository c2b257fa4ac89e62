"""The init stage: a new project in a folder: commented ``localise.toml``, glossary, .gitignore.

``localise.toml`` lists every key of :data:`localise.config.KEYS` with its default and one line
of help, generated from the config's own definitions (so it cannot drift from what the config
accepts); the keys given on the command line are set, the others commented out. The text is
validated by :func:`localise.config.loads` before anything is written, and an existing project
is never overwritten.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localise import config as config_module
from localise.config import CONFIG_NAME, KEYS, Config, Key
from localise.errors import UsageError
from localise.files import write_atomic
from localise.glossary import COLUMNS

HEADER = """\
# localise project settings. Every key is listed with its default and what it decides;
# uncomment a line to change it. Unknown keys are an error, so a typo never passes silently.
# Paths are relative to this file's folder. More in the README ("Configuration").
"""

GLOSSARY = f"""\
{",".join(COLUMNS)}
# One row per term. language "*" with no translation: never translate it (a name); a
# translation for a language: translators must use it (alternatives separated by |); strict
# yes: a translation without it is an error, no: a warning. Rows starting with # are ignored.
# ExampleCorp,*,,our company name,yes
# stem cells,es,células madre,,no
"""

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(slots=True)
class InitReport:
    """What ``init`` made, relative to the new project's folder."""

    root: Path
    """The project folder (absolute)."""
    config: Config
    """The configuration the new ``localise.toml`` loads to."""
    written: list[Path] = field(default_factory=list)
    """Files and folders created."""
    kept: list[Path] = field(default_factory=list)
    """Files and folders that existed already and were left as they were."""
    ignored: list[str] = field(default_factory=list)
    """Entries added to ``.gitignore``."""


def run(
    folder: Path,
    *,
    langs: Sequence[str] = (),
    source_dir: str | None = None,
    dialect: str | None = None,
) -> InitReport:
    """Make ``folder`` (created if need be) a new project; UsageError if it is one already."""
    path = folder / CONFIG_NAME
    if path.exists():
        raise UsageError("already a localise project; refusing to overwrite it", path=path)
    if folder.exists() and not folder.is_dir():
        raise UsageError("not a folder", path=folder)
    values: dict[str, Any] = {"languages": list(dict.fromkeys(langs))}
    if source_dir is not None:
        values["source_dir"] = source_dir
    if dialect is not None:
        values["dialect"] = dialect
    text = config_text(values)
    root = folder.resolve()
    config = config_module.loads(text, path=root / CONFIG_NAME)  # nothing written if invalid
    report = InitReport(root=root, config=config)
    root.mkdir(parents=True, exist_ok=True)
    write_atomic(root / CONFIG_NAME, text.encode("utf-8"))
    report.written.append(Path(CONFIG_NAME))
    for made in (config.source_dir, config.locales_dir):
        (report.kept if (root / made).is_dir() else report.written).append(made)
        (root / made).mkdir(parents=True, exist_ok=True)
    glossary = config.glossary_path
    if glossary.exists():
        report.kept.append(glossary.relative_to(root))
    else:
        write_atomic(glossary, GLOSSARY.encode("utf-8"))
        report.written.append(glossary.relative_to(root))
    report.ignored = _ignore(root / ".gitignore", [
        f"/{config.cache_dir.relative_to(root).as_posix()}/",
        f"/{config.output_dir.as_posix()}/",
    ])
    return report


def _ignore(path: Path, entries: Iterable[str]) -> list[str]:
    """Append the ``entries`` that ``path`` (a .gitignore) lacks; the ones added."""
    try:
        old = path.read_text("utf-8")
    except FileNotFoundError:
        old = ""
    present = {line.strip() for line in old.splitlines()}
    added = [e for e in entries if e not in present and e.strip("/") not in present
             and e.lstrip("/") not in present]
    if added:
        lead = "" if not old or old.endswith("\n") else "\n"
        block = "# localise: cache and state, published pages (generated)\n" + "\n".join(added)
        write_atomic(path, f"{old}{lead}{block}\n".encode())
    return added


def config_text(values: Mapping[str, Any]) -> str:
    """A commented ``localise.toml``: every key of :data:`KEYS` with its default (or an
    example) and its help; the keys in ``values`` set to those values, uncommented."""
    defaults = Config(root=Path())
    lines = [HEADER]
    extra = [name for name in values if not any(k.name == name for k in KEYS)]
    lines += [f"{name} = {toml_value(values[name])}" for name in extra]  # the config judges them
    table = ""
    for key in KEYS:
        if key.table != table:
            table = key.table
            example = all(k.attribute is None for k in KEYS if k.table == table)
            lines += ["", f"# [{table}]   # an example: uncomment to use" if example else
                      f"[{table}]"]
        lines.append(f"# {key.help}")
        lines.append(_key_line(key, values, defaults))
    return "\n".join(lines) + "\n"


def _key_line(key: Key, values: Mapping[str, Any], defaults: Config) -> str:
    if key.name in values:
        return f"{_toml_key(key.key)} = {toml_value(values[key.name])}"
    value = key.default(defaults) if key.attribute is not None else key.example
    return f"# {_toml_key(key.key)} = {toml_value(value)}"


def _toml_key(name: str) -> str:
    return name if _BARE_KEY.match(name) else json.dumps(name, ensure_ascii=False)


def toml_value(value: Any) -> str:
    """``value`` as a TOML value (strings, booleans, integers, dates, paths, lists, tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str | Path):
        return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        items = ", ".join(f"{_toml_key(str(k))} = {toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    raise TypeError(f"no TOML form for {type(value).__name__}")
