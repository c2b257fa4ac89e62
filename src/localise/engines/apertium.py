"""Rule-based translation through the Debian ``apertium`` command, one process per call.

All segments of a call are sent as one HTML document, each in its own
``<p data-l10n="N">`` block, through ``apertium -u -f html MODE``. Block tags keep segments
apart (no reordering across them) and survive the pipeline verbatim, so the output is split
back by id and the ids are checked to be exactly ``0..n-1``. ``<``, ``>`` and ``&`` are
escaped before and entities unescaped after. ``-u`` drops apertium's ``*`` marks on unknown
words, so unknown words (and ``⟦n⟧`` tokens) pass through as they are.

One process translates a language's whole run: the engine's ``call_size`` is 0, so the
translate stage sends every sentence in one call. Apertium carries state from block to block
within a process (its tagger's choices after a couple of hundred sentences depend on the text
before them), so a sentence's draft can depend on the sentences sent before it, as it did
when calls were cut at 256 sentences; one call per run is the fastest set-up
(``benchmarks/apertium_bench.py``: against a process per 256-sentence batch, a long-lived
null-flush pipeline and a process per sentence), and the cache keeps the first draft written.
The start-up (the shell script and a dozen programs loading their dictionaries, 0.2-0.3 s) is
hidden where it can be: :meth:`ApertiumEngine.prepare` (run by
:class:`~localise.engines.base.WarmUp`) starts the process, which loads while it waits for
its document on stdin. Each process runs in its own process group (a timeout or failure kills
the whole pipeline) with its own ``TMPDIR`` (transfuse's state, removed after it). A process
left unused is killed by :meth:`ApertiumEngine.close`, when the engine is garbage-collected,
and at exit.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import weakref
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
_NOT_INSTALLED = "apertium is not installed; install it with `apt-get install apertium`"


def _run(args: list[str], *, stdin: str = "", timeout: float = MIN_TIMEOUT_S) -> str:
    """Run a command and return stdout; EngineError on failure (never a bare CalledProcessError)."""
    try:
        done = subprocess.run(
            args, input=stdin, capture_output=True, text=True, encoding="utf-8", timeout=timeout
        )
    except FileNotFoundError as err:
        raise EngineError(_NOT_INSTALLED) from err
    except subprocess.TimeoutExpired as err:
        raise EngineError(f"`{' '.join(args)}` timed out after {timeout:.0f} s") from err
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        raise EngineError(f"`{' '.join(args)}` failed: {detail[0]}")
    return done.stdout


def command(mode: str) -> list[str]:
    """The command that translates one HTML document in ``mode`` (stdin to stdout)."""
    return ["apertium", "-u", "-f", "html", mode]


class _Process:
    """One :func:`command` started in a process group and a scratch folder (its ``TMPDIR``,
    where transfuse keeps its state) of its own; it loads while its stdin stays open."""

    def __init__(self, mode: str) -> None:
        self.scratch = tempfile.mkdtemp(prefix="localise-apertium-")
        try:
            self.popen = subprocess.Popen(
                command(mode), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True, encoding="utf-8", start_new_session=True,
                env={**os.environ, "TMPDIR": self.scratch},
            )
        except OSError as err:
            shutil.rmtree(self.scratch, ignore_errors=True)
            if isinstance(err, FileNotFoundError):
                raise EngineError(_NOT_INSTALLED) from err
            raise EngineError(f"cannot start apertium: {err}") from err
        self.shown = " ".join(command(mode))

    def waiting(self) -> bool:
        """True while the process has not ended (it is waiting for its document)."""
        return self.popen.poll() is None

    def kill(self) -> None:
        """Kill every program of the pipeline, reap the process, remove the scratch folder."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        with contextlib.suppress(OSError, ValueError, subprocess.TimeoutExpired):
            self.popen.communicate(timeout=5)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=5)
        shutil.rmtree(self.scratch, ignore_errors=True)

    def finish(self, document: str, *, segments: int) -> str:
        """Send ``document`` and return what the process wrote; EngineError when it fails, is
        killed or takes longer than the timeout (the whole pipeline is killed then).

        ``communicate`` writes and reads at once, so a large document cannot deadlock."""
        timeout = max(MIN_TIMEOUT_S, SECONDS_PER_SEGMENT * segments)
        try:
            out, err = self.popen.communicate(document, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            self.kill()
            raise EngineError(f"`{self.shown}` timed out after {timeout:.0f} s") from exc
        except BaseException:
            self.kill()
            raise
        code = self.popen.returncode
        if code == 0:
            shutil.rmtree(self.scratch, ignore_errors=True)
            return out
        self.kill()  # programs of the pipeline may still run; the folder goes too
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
            raise EngineError(
                f"`{self.shown}` was killed by {name} before it had translated its "
                f"{segments} segments"
            )
        detail = err.strip().splitlines()[-1:] or [f"exit status {code}"]
        raise EngineError(f"`{self.shown}` failed: {detail[0]}")


def _start(mode: str) -> _Process:
    """Start the pipeline for ``mode`` (see :class:`_Process`)."""
    return _Process(mode)


def _close_all(spares: dict[str, _Process], lock: threading.Lock) -> None:
    with lock:
        procs = list(spares.values())
        spares.clear()
    for proc in procs:
        proc.kill()


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
    call_size = 0
    """Every sentence of a run in one call: one process (see the module docstring)."""

    def __init__(self, *, options: EngineOptions) -> None:
        self._options = options
        self._lock = threading.Lock()
        self._spares: dict[str, _Process] = {}
        """mode → a started process waiting for its document."""
        self._called = False
        """True once a call has taken a process (``prepare`` then starts none)."""
        self._finalizer = weakref.finalize(self, _close_all, self._spares, self._lock)

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

    def prepare(self, *, source: str, target: str) -> None:
        """Start the pair's process for the first call, so it loads meanwhile (optional; once
        a call has come, it does nothing)."""
        mode = mode_for(source, target)
        with self._lock:
            if mode not in self._spares and not self._called:
                self._spares[mode] = _start(mode)

    def close(self) -> None:
        """Kill the processes started ahead and not used (optional; also done when the engine
        is garbage-collected and at exit). The engine can still be used afterwards."""
        _close_all(self._spares, self._lock)

    def _take(self, mode: str) -> _Process:
        """The started process for ``mode`` when it is still waiting, else a new one."""
        with self._lock:
            self._called = True
            proc = self._spares.pop(mode, None)
        if proc is not None and proc.waiting():
            return proc
        if proc is not None:  # died while idle (not this call's fault): reap it, start anew
            proc.kill()
        return _start(mode)

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
        proc = self._take(mode)
        raw = proc.finish(document, segments=len(work))
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
