"""Rule-based translation through the Debian ``apertium`` command, one process per batch.

All segments of a call are sent as one HTML document, each in its own
``<p data-l10n="N">`` block, through ``apertium -u -f html MODE``. Block tags keep segments
apart (no reordering across them) and survive the pipeline verbatim, so the output is split
back by id and the ids are checked to be exactly ``0..n-1``. ``<``, ``>`` and ``&`` are
escaped before and entities unescaped after. ``-u`` drops apertium's ``*`` marks on unknown
words, so unknown words (and ``⟦n⟧`` tokens) pass through as they are.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections.abc import Sequence
from functools import cache

from localise.engines.base import EngineOptions, Identity, split_outer_space
from localise.errors import EngineError

__all__ = ["ApertiumEngine", "mode_for"]

# ISO 639-1 -> the ISO 639-3 codes apertium mode names use.
_ISO3 = {
    "en": "eng", "es": "spa", "ca": "cat", "fr": "fra", "pt": "por", "it": "ita", "de": "deu",
    "gl": "glg", "eu": "eus", "oc": "oci", "ro": "ron", "nl": "nld", "sv": "swe", "da": "dan",
    "nb": "nob", "nn": "nno", "is": "isl", "cy": "cym", "br": "bre", "eo": "epo", "ja": "jpn",
}  # fmt: skip
_BLOCK = re.compile(r'<p data-l10n="(\d+)">(.*?)</p>', re.DOTALL)
_SPACES = re.compile(r"[ \t]{2,}")
SECONDS_PER_SEGMENT = 0.05
MIN_TIMEOUT_S = 60.0


def _run(args: list[str], *, stdin: str = "", timeout: float = MIN_TIMEOUT_S) -> str:
    """Run a command and return stdout; EngineError on failure (never a bare CalledProcessError)."""
    try:
        done = subprocess.run(
            args, input=stdin, capture_output=True, text=True, encoding="utf-8", timeout=timeout
        )
    except FileNotFoundError as err:
        raise EngineError(
            "apertium is not installed; install it with `apt-get install apertium`"
        ) from err
    except subprocess.TimeoutExpired as err:
        raise EngineError(f"`{' '.join(args)}` timed out after {timeout:.0f} s") from err
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        raise EngineError(f"`{' '.join(args)}` failed: {detail[0]}")
    return done.stdout


@cache
def installed_modes() -> tuple[str, ...]:
    """Return the modes ``apertium -l`` lists (e.g. ``eng-spa``)."""
    if shutil.which("apertium") is None:
        raise EngineError(
            "apertium is not installed; install it with "
            "`apt-get install apertium apertium-eng-spa` (or the package for your pair)"
        )
    return tuple(line.strip() for line in _run(["apertium", "-l"]).splitlines() if line.strip())


def mode_for(source: str, target: str) -> str:
    """Return the installed apertium mode for the pair, or EngineError saying what to install."""
    src, tgt = _ISO3.get(source, source), _ISO3.get(target, target)
    modes = installed_modes()
    for candidate in (f"{src}-{tgt}", f"{source}-{target}"):
        if candidate in modes:
            return candidate
    raise EngineError(
        f"apertium has no {src}-{tgt} mode (installed: {', '.join(modes) or 'none'}); "
        f"install it with `apt-get install apertium-{src}-{tgt}`"
        " (Debian names some pairs the other way round, e.g. apertium-spa-cat)"
    )


class ApertiumEngine:
    """Apertium rule-based MT; deterministic, fast, and much rougher than argos."""

    name = "apertium"

    def __init__(self, *, options: EngineOptions) -> None:
        self._options = options

    def version(self, *, source: str, target: str) -> str:
        """Return e.g. ``apertium-eng-spa 0.8.1-2`` from dpkg, else the bare mode name."""
        mode = mode_for(source, target)
        package = f"apertium-{mode}"
        if shutil.which("dpkg-query") is not None:
            try:
                found = _run(["dpkg-query", "-W", "-f=${Version}", package]).strip()
            except EngineError:
                found = ""
            if found:
                return f"{package} {found}"
        return package

    def identity(self, *, source: str, target: str) -> Identity:
        """The Debian package and version of the pair's mode (its data files are in it)."""
        label = self.version(source=source, target=target)
        return Identity(label, ("apertium", mode_for(source, target), label))

    def translate(self, segments: Sequence[str], *, source: str, target: str) -> list[str]:
        """Translate all segments with a single apertium process; line breaks are kept."""
        # Segments are sentences, but a stray "\n" must not reach apertium: translate lines.
        lines: list[str] = []
        shape: list[int] = []
        for segment in segments:
            parts = segment.split("\n")
            shape.append(len(parts))
            lines.extend(parts)
        done = self._translate_lines(lines, source=source, target=target)
        out: list[str] = []
        pos = 0
        for count in shape:
            out.append("\n".join(done[pos : pos + count]))
            pos += count
        return out

    def _translate_lines(self, lines: list[str], *, source: str, target: str) -> list[str]:
        pieces = [split_outer_space(line) for line in lines]
        work = [i for i, (_, core, _) in enumerate(pieces) if core]
        out = list(lines)
        if not work:
            return out
        mode = mode_for(source, target)
        document = "".join(
            f'<p data-l10n="{k}">{html.escape(pieces[i][1], quote=False)}</p>\n'
            for k, i in enumerate(work)
        )
        timeout = max(MIN_TIMEOUT_S, SECONDS_PER_SEGMENT * len(work))
        raw = _run(["apertium", "-u", "-f", "html", mode], stdin=document, timeout=timeout)
        blocks = _BLOCK.findall(raw)
        ids = [int(k) for k, _ in blocks]
        if ids != list(range(len(work))):
            raise EngineError(
                f"apertium {mode} returned {len(blocks)} segments for {len(work)} "
                "(segment markers were not preserved)"
            )
        for (_, body), i in zip(blocks, work, strict=True):
            lead, _, trail = pieces[i]
            text = _SPACES.sub(" ", html.unescape(body)).strip()
            out[i] = f"{lead}{text}{trail}"
        return out
