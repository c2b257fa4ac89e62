"""Atomic writes, compare-before-write, the project lock, and runs killed or interrupted."""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from localise.errors import LocaliseError, LockError
from localise.files import (
    ConcurrentEdit,
    commit_staged,
    flush_staged,
    project_lock,
    replace_if_unchanged,
    staging,
    write_atomic,
    write_if_changed,
    write_staged,
    write_stream_if_changed,
)


def _temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.startswith(".") and p.name.endswith(".tmp")]


# -- write_atomic / write_if_changed ---------------------------------------------------


def test_write_atomic_creates_folders_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "x.po"
    write_atomic(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert _temp_files(tmp_path) == []


def test_write_atomic_replaces_and_keeps_mode(tmp_path: Path) -> None:
    target = tmp_path / "x.po"
    target.write_bytes(b"old\n")
    target.chmod(0o640)
    write_atomic(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert _temp_files(tmp_path) == []


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_write_atomic_failure_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    target = tmp_path / "x.po"
    target.write_bytes(b"old\n")

    def boom(*args: object) -> None:
        raise OSError(errno.EIO, "simulated I/O error")

    monkeypatch.setattr(os, failing, boom)
    with pytest.raises(LocaliseError) as caught:
        write_atomic(target, b"new content that never lands\n")
    monkeypatch.undo()
    assert caught.value.path == target and "simulated I/O error" in str(caught.value)
    assert target.read_bytes() == b"old\n"
    assert _temp_files(tmp_path) == []


def test_write_atomic_interrupted_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "x.po"
    target.write_bytes(b"old\n")

    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"new\n")
    monkeypatch.undo()
    assert target.read_bytes() == b"old\n"
    assert _temp_files(tmp_path) == []


def test_write_atomic_disk_full_is_a_localise_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "x.po"
    target.write_bytes(b"old\n")

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(LocaliseError) as info:
        write_atomic(target, b"new\n")
    monkeypatch.undo()
    assert info.value.exit_code == 2
    assert str(target) in str(info.value) and "No space left" in str(info.value)
    assert target.read_bytes() == b"old\n"


def test_readers_see_old_or_new_never_half(tmp_path: Path) -> None:
    """A reader racing a writer only ever sees one of the complete versions."""
    target = tmp_path / "x.po"
    versions = [b"A" * 300_000 + b"\n", b"B" * 200_000 + b"\n"]
    target.write_bytes(versions[0])
    stop = threading.Event()
    bad: list[int] = []
    reads = [0]

    def reader() -> None:
        while not stop.is_set():
            data = target.read_bytes()
            reads[0] += 1
            if data not in versions:
                bad.append(len(data))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for i in range(60):
            write_atomic(target, versions[i % 2])
    finally:
        stop.set()
        thread.join()
    assert bad == [], f"partial reads of {bad} bytes"
    assert reads[0] > 0
    assert target.read_bytes() == versions[1]


def test_write_if_changed_leaves_identical_file_alone(tmp_path: Path) -> None:
    target = tmp_path / "x.pot"
    assert write_if_changed(target, b"same\n") is True
    before = target.stat()
    time.sleep(0.01)
    assert write_if_changed(target, b"same\n") is False
    after = target.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert write_if_changed(target, b"other\n") is True
    assert target.read_bytes() == b"other\n"


# -- the project lock ------------------------------------------------------------------


def test_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    folder = tmp_path / ".localise"
    with project_lock(folder):
        with pytest.raises(LockError) as info, project_lock(folder):
            pass  # pragma: no cover
        assert info.value.exit_code == 2
        assert "another localise run" in str(info.value)
        assert f"pid {os.getpid()}" in str(info.value)
    with project_lock(folder):  # released on exit
        pass
    with pytest.raises(RuntimeError), project_lock(folder):
        raise RuntimeError("a failing stage")
    with project_lock(folder):  # released after an exception too
        pass


@pytest.mark.parametrize("command", ["extract", "update", "build"])
def test_cli_refuses_while_lock_held_in_process(project: Path, cli, command: str) -> None:
    assert cli(project, "extract").code == 0
    assert cli(project, "update").code == 0
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file() and p.name != "lock"}
    (project / "source" / "welcome.md").write_text("# Changed\n\nA new text.\n", encoding="utf-8")
    before[project / "source" / "welcome.md"] = (project / "source" / "welcome.md").read_bytes()
    with project_lock(project / ".localise"):
        result = cli(project, command)
    assert result.code == 2
    assert "another localise run" in result.err and "lock" in result.err
    assert "Traceback" not in result.err
    after = {p: p.read_bytes() for p in project.rglob("*") if p.is_file() and p.name != "lock"}
    assert after == before


def test_cli_refuses_while_another_process_holds_lock(project: Path, python: str) -> None:
    holder = subprocess.Popen(
        [python, "-c",
         "import sys, time; from pathlib import Path; from localise.files import project_lock\n"
         "with project_lock(Path(sys.argv[1])):\n"
         "    print('locked', flush=True); time.sleep(30)\n",
         str(project / ".localise")],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        run = subprocess.run(
            [python, "-m", "localise", "-C", str(project), "extract"],
            capture_output=True, text=True, timeout=30,
        )
    finally:
        holder.kill()
        holder.wait()
    assert run.returncode == 2
    assert "another localise run" in run.stderr and f"pid {holder.pid}" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (project / "locales").exists()


# -- killed and interrupted runs over a large project ----------------------------------

ARTICLES = 200
RUNNER = """\
import os, signal, sys
# Ctrl-C as at a terminal: a run started in the background (nohup, CI) inherits SIGINT ignored
signal.signal(signal.SIGINT, signal.default_int_handler)
if os.environ.get("LOCALISE_TEST_SERIAL") == "1":
    os.cpu_count = lambda: 1   # keep every stage in this one process
if os.environ.get("LOCALISE_TEST_SLOW_WRITES"):  # every write takes this long (workers too)
    import time
    from localise import files
    _write, _pause = files.write_atomic, float(os.environ["LOCALISE_TEST_SLOW_WRITES"])
    def _slow(*args, **kwargs):
        time.sleep(_pause)
        return _write(*args, **kwargs)
    files.write_atomic = _slow
from localise.cli import main
for command in sys.argv[2:]:
    code = main(["-C", sys.argv[1], command])
    if code:
        raise SystemExit(code)
"""
STAGES = ("extract", "update", "build")


def _write_corpus(root: Path, version: int) -> None:
    for i in range(ARTICLES + (10 if version == 2 else 0)):
        folder = root / "source" / f"part{i % 5}"
        folder.mkdir(parents=True, exist_ok=True)
        step = "second" if version == 2 else "first"
        paragraphs = "\n\n".join(
            f"Paragraph {j} of article {i} explains the {step} step of the treatment plan "
            f"in some detail, with enough words to wrap the line in the catalogue."
            for j in range(2)
        )
        (folder / f"article-{i:03d}.md").write_text(
            f"---\ntitle: Article {i}\n---\n\n# Article {i}\n\n{paragraphs}\n\n"
            f"- Item one of article {i}\n- Item two costs $1,{i % 1000:03d}\n",
            encoding="utf-8",
        )


def _pipeline(root: Path, python: str, *, serial: bool, stages: tuple[str, ...] = STAGES,
              start_new_session: bool = False, slow_writes: float = 0) -> subprocess.Popen[bytes]:
    env = dict(os.environ, LOCALISE_TEST_SERIAL="1" if serial else "0")
    if slow_writes:
        env["LOCALISE_TEST_SLOW_WRITES"] = str(slow_writes)
    return subprocess.Popen(
        [python, "-c", RUNNER, str(root), *stages],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
        start_new_session=start_new_session,
    )


def _outputs(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for folder in ("locales", "build")
        for p in sorted((root / folder).rglob("*"))
        if p.is_file()
    }


class Corpus:
    """A 200-article project in its old state (v1 outputs, v2 sources) and the v2 outputs.

    ``before[stage]`` is a copy of the project just before ``stage`` runs in the v2 pass.
    """

    def __init__(self, base: Path, python: str) -> None:
        old_dir = base / "old"
        old_dir.mkdir()
        (old_dir / "localise.toml").write_text('languages = ["ja", "es"]\n', encoding="utf-8")
        _write_corpus(old_dir, 1)
        # The reference runs use all cores (the CLI default); the serial kill test then also
        # proves that serial and parallel runs write the same bytes.
        proc = _pipeline(old_dir, python, serial=False)
        assert proc.wait(120) == 0, proc.stderr.read().decode() if proc.stderr else ""
        _write_corpus(old_dir, 2)  # sources changed: every output will change
        self.old = _outputs(old_dir)
        self.before: dict[str, Path] = {}
        self.duration: dict[str, float] = {}
        current = old_dir
        for stage in STAGES:
            self.before[stage] = current
            following = base / f"after-{stage}"
            shutil.copytree(current, following)
            started = time.monotonic()
            proc = _pipeline(following, python, serial=False, stages=(stage,))
            assert proc.wait(120) == 0, proc.stderr.read().decode() if proc.stderr else ""
            self.duration[stage] = time.monotonic() - started
            current = following
        self.new = _outputs(current)
        assert set(self.old) < set(self.new)
        assert all(self.old[k] != self.new[k] for k in self.old)

    def fresh_copy(self, where: Path, *, stage: str = "extract") -> Path:
        """A copy of the project as it is just before ``stage`` of the v2 pass."""
        shutil.copytree(self.before[stage], where)
        return where


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return Corpus(tmp_path_factory.mktemp("corpus"), sys.executable)


def _assert_never_partial(root: Path, corpus: Corpus, note: str) -> list[str]:
    """Every output is absent (new file), old, or new; returns the stray temp files."""
    strays = []
    for rel, data in _outputs(root).items():
        name = rel.rsplit("/", 1)[-1]
        if name.startswith(".") and name.endswith(".tmp"):
            strays.append(rel)
            continue
        assert rel in corpus.old or rel in corpus.new, f"{note}: unexpected file {rel}"
        assert data in (corpus.old.get(rel), corpus.new.get(rel)), (
            f"{note}: {rel} is neither the old nor the new version ({len(data)} bytes)"
        )
    for rel in corpus.old:
        assert (root / rel).is_file(), f"{note}: {rel} disappeared"
    return strays


@pytest.mark.parametrize(
    "mode",
    [
        "serial",
        pytest.param("parallel", marks=pytest.mark.skipif(
            (os.cpu_count() or 1) < 2, reason="needs 2+ CPUs for the worker processes"
        )),
    ],
)
def test_sigkill_mid_run_never_leaves_a_partial_file(
    corpus: Corpus, tmp_path: Path, mode: str
) -> None:
    """SIGKILL the whole process group (workers included) at a random moment of each stage."""
    rng = random.Random(f"20260101-{mode}")
    slower = 1.5 if mode == "serial" else 1.0  # durations were measured on all cores
    kills = [
        (stage, rng.uniform(0.05, max(0.1, min(1.0, slower * corpus.duration[stage]))))
        for stage in STAGES
    ]
    all_strays: list[str] = []
    root = tmp_path
    for n, (stage, delay) in enumerate(kills):
        root = corpus.fresh_copy(tmp_path / f"run{n}", stage=stage)
        proc = _pipeline(root, sys.executable, serial=mode == "serial", stages=(stage,),
                         start_new_session=True)
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
        all_strays += _assert_never_partial(root, corpus, f"{stage} killed after {delay:.2f}s")
    # Any stray temp file is hidden and named *.tmp, never a catalogue or an article.
    print(f"{mode}: {len(all_strays)} stray temp file(s) after SIGKILL: {all_strays[:5]}")
    assert not any(s.endswith((".po", ".pot", ".md")) for s in all_strays)
    # Re-running after the last kill completes the work: exactly what a clean run makes.
    proc = _pipeline(root, sys.executable, serial=mode == "serial")
    assert proc.wait(120) == 0, proc.stderr.read().decode() if proc.stderr else ""
    resumed = {k: v for k, v in _outputs(root).items() if not k.rsplit("/", 1)[-1].startswith(".")}
    assert resumed == corpus.new


def _wait_for_first_write(root: Path, proc: subprocess.Popen[bytes], timeout: float) -> None:
    """Return once ``proc`` has replaced one output file (so it is inside the stage)."""
    files = [p for p in (root / "locales").rglob("*") if p.is_file()]
    inodes = {p: p.stat().st_ino for p in files}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if any(p.stat().st_ino != ino for p, ino in inodes.items()):
            return
        time.sleep(0.005)
    pytest.fail("the run wrote nothing before finishing or timing out")


@pytest.mark.parametrize(
    "mode",
    [
        "serial",
        pytest.param("parallel", marks=pytest.mark.skipif(
            (os.cpu_count() or 1) < 2, reason="needs 2+ CPUs for the worker processes"
        )),
    ],
)
def test_sigint_exits_130_without_traceback(corpus: Corpus, tmp_path: Path, mode: str) -> None:
    """Ctrl-C (SIGINT to the foreground process group, workers included) mid-update."""
    root = corpus.fresh_copy(tmp_path / "run", stage="update")
    # each write slowed down, so the Ctrl-C lands mid-run however fast the machine is
    proc = _pipeline(root, sys.executable, serial=mode == "serial", stages=("update",),
                     start_new_session=True, slow_writes=0.02)
    _wait_for_first_write(root, proc, timeout=60)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    stderr = err.decode()
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr
    assert "Traceback" not in stderr
    _assert_never_partial(root, corpus, "interrupted")


def test_new_files_get_the_usual_mode(tmp_path: Path) -> None:
    """mkstemp makes 0600 files; what we publish must be readable like any file open() makes."""
    target = tmp_path / "new.md"
    write_atomic(target, b"x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


# -- the lock dies with its holder, workers die with their parent ------------------------


def _session_alive(pgid: int) -> list[int]:
    """Processes still in session/group ``pgid`` (Linux /proc)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":  # pgrp, not a zombie
            alive.append(int(entry.name))
    return alive


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs 2+ CPUs for the worker processes")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killing_only_the_main_process_stops_its_workers_and_frees_the_lock(
    corpus: Corpus, tmp_path: Path, sig: signal.Signals
) -> None:
    """A cancelled CI job kills the main process only: its workers must not live on, holding
    the lock and writing files."""
    root = corpus.fresh_copy(tmp_path / "run", stage="update")
    proc = _pipeline(root, sys.executable, serial=False, stages=("update",),
                     start_new_session=True)
    _wait_for_first_write(root, proc, timeout=60)
    assert len(_session_alive(proc.pid)) > 1, "the run should be using worker processes"
    os.kill(proc.pid, sig)
    proc.wait(30)
    deadline = time.monotonic() + 10
    while _session_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _session_alive(proc.pid) == []
    _assert_never_partial(root, corpus, f"main process killed by {sig.name}")
    rerun = _pipeline(root, sys.executable, serial=False)  # the lock is free again
    _, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err.decode()
    assert _temp_files(root) == []  # leftovers of the killed run are gone
    resumed = {k: v for k, v in _outputs(root).items() if not k.rsplit("/", 1)[-1].startswith(".")}
    assert resumed == corpus.new


def test_leftover_temporary_files_are_removed_by_the_next_run(project: Path, cli) -> None:
    assert cli(project, "extract").code == 0
    stray = project / "locales" / ".localise-abcd1234.tmp"
    old_style = project / "locales" / ".welcome.pot.x1y2z3w4.tmp"
    mine = project / "locales" / "notes.tmp"  # not a name localise makes: left alone
    for path in (stray, old_style, mine):
        path.write_bytes(b"half")
    assert cli(project, "update").code == 0
    assert not stray.exists() and not old_style.exists()
    assert mine.read_bytes() == b"half"


def test_the_longest_legal_article_name_round_trips(project: Path, cli) -> None:
    """A 240-byte name (the temporary name is short and fixed, not the target's + 14)."""
    name = "a" * 237 + ".md"
    (project / "source" / name).write_text("# Hello\n\nA paragraph of text.\n", "utf-8")
    for command in ("extract", "update", "build"):
        result = cli(project, command)
        assert result.code == 0, result.err
    assert (project / "locales" / ("a" * 237 + ".pot")).is_file()
    assert (project / "build" / "ja" / name).is_file()


def test_a_symlinked_lock_file_is_refused(project: Path, cli, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    (project / ".localise").mkdir()
    (project / ".localise" / "lock").symlink_to(outside)
    result = cli(project, "extract")
    assert result.code == 2 and "symbolic link" in result.err
    assert not outside.exists()


def test_replace_if_unchanged_refuses_to_overwrite_a_save_made_meanwhile(tmp_path: Path) -> None:
    target = tmp_path / "x.po"
    target.write_bytes(b"as read\n")
    assert replace_if_unchanged(target, b"as read\n", read=b"as read\n") is False
    target.write_bytes(b"saved by the translator\n")
    with pytest.raises(ConcurrentEdit):
        replace_if_unchanged(target, b"ours\n", read=b"as read\n")
    assert target.read_bytes() == b"saved by the translator\n"
    assert replace_if_unchanged(target, b"ours\n", read=b"saved by the translator\n") is True
    assert target.read_bytes() == b"ours\n"
    fresh = tmp_path / "new.po"
    with pytest.raises(ConcurrentEdit):  # expected absent, but someone created it
        fresh.write_bytes(b"x")
        replace_if_unchanged(fresh, b"y", read=None)
    assert _temp_files(tmp_path) == []


def test_update_merges_a_catalogue_saved_while_it_ran(
    project: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The translator saves right between update's read and its write: nothing is lost."""
    from localise import catalogue, files

    assert cli(project, "extract").code == 0
    assert cli(project, "update", "--lang", "ja").code == 0
    po_path = project / "locales" / "ja" / "LC_MESSAGES" / "welcome.po"
    (project / "source" / "welcome.md").write_text(
        (project / "source" / "welcome.md").read_text("utf-8") + "\nA new closing line.\n",
        "utf-8",
    )
    assert cli(project, "extract").code == 0
    real = files.write_atomic
    saved = []

    def save_first(path: Path, data: bytes, **options: object) -> None:
        if path == po_path and not saved:  # Poedit saves a translation just now
            po = catalogue.read(path)
            assert po is not None
            entry = next(po.live())
            entry.msgstr = "ようこそ"
            path.write_bytes(po.render())
            saved.append(entry.msgid)
        real(path, data, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(files, "write_atomic", save_first)
    assert cli(project, "update", "--lang", "ja").code == 0
    po = catalogue.read(po_path)
    assert po is not None and saved
    assert po.find(saved[0]) is not None and po.find(saved[0]).msgstr == "ようこそ"
    assert po.find("A new closing line.") is not None


def test_a_staging_folder_left_by_a_killed_build_is_removed_by_the_next_run(
    project: Path, cli
) -> None:
    assert cli(project, "extract").code == 0
    left = project / "build" / ".localise-staging-abcd1234"
    left.mkdir(parents=True)
    (left / ".localise-wxyz5678.tmp").write_bytes(b"half a page")
    mine = project / "build" / ".localise-staging-notes"  # not a name localise makes
    mine.mkdir()
    assert cli(project, "update").code == 0
    assert not left.exists()
    assert mine.is_dir()


def test_staging_is_removed_however_the_block_ends(tmp_path: Path) -> None:
    tree = tmp_path / "build" / "site"
    with pytest.raises(KeyboardInterrupt), staging(tree) as folder:
        name = write_staged(folder, b"page")
        assert (folder / name).read_bytes() == b"page"
        raise KeyboardInterrupt
    assert not (tmp_path / "build").exists()  # the folders made for it went too
    target = tree / "ja" / "page.md"
    with staging(tree) as folder:
        name = write_staged(folder, b"page")
        flush_staged(folder)
        commit_staged(folder / name, target)
    assert target.read_bytes() == b"page"
    assert [p.name for p in tree.iterdir()] == ["ja"]


def test_commit_staged_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "page.md"
    target.write_bytes(b"old")
    target.chmod(0o640)
    with staging(tmp_path) as folder:
        commit_staged(folder / write_staged(folder, b"new"), target)
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_write_stream_if_changed_leaves_the_same_bytes_alone(tmp_path: Path) -> None:
    target = tmp_path / "index.json"
    assert write_stream_if_changed(target, iter([b"{", b"}"]))
    before = target.stat()
    assert not write_stream_if_changed(target, iter([b"{}"]))
    after = target.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert write_stream_if_changed(target, iter([b"{", b"1", b"}"]))
    assert target.read_bytes() == b"{1}"
    assert _temp_files(tmp_path) == []
