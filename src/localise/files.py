"""File-system safety: UTF-8 decoding with line numbers, atomic writes that skip unchanged
content and refuse to overwrite a file edited meanwhile, leftovers cleaned, the project lock.

Every write goes to a temporary file ``.localise-XXXXXXXX.tmp`` beside its target (a short,
fixed-length name, so the longest legal target name still fits), is flushed to disk, then
renamed over the target: a reader sees the old file or the new one, never half of one. A run
killed between the two leaves the temporary file; the next run holding the lock removes it.
Files that must all be written or none (a build's pages) are first written to a hidden
staging folder (:func:`staging`) and renamed into place once every one is ready
(:func:`commit_staged`); a staging folder a killed run left behind is removed the same way.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from localise.errors import LocaliseError, LockError, SourceError


def decode_utf8(
    data: bytes, *, path: Path, error: type[LocaliseError] = SourceError
) -> str:
    """File bytes → text (a leading BOM dropped); invalid UTF-8 or a NUL raises ``error`` at
    its line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", path=path, line=line
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise error("NUL character (a binary file, or a damaged one?)", path=path, line=line)
    return text.removeprefix("\ufeff")


TEMP_PREFIX, TEMP_SUFFIX = ".localise-", ".tmp"
_TEMP_RE = re.compile(r"^\.localise-[a-z0-9_]{8}\.tmp$|^\..+\.[a-z0-9_]{8}\.tmp$")
"""Temporary files this version and earlier ones (``.<name>.XXXXXXXX.tmp``) write."""
STAGING_PREFIX = ".localise-staging-"
_STAGING_RE = re.compile(r"^\.localise-staging-[a-z0-9_]{8}$")
"""Staging folders (:func:`staging`): pages built but not yet renamed into place."""
_lock_fd: int | None = None
"""The project lock held by this process (closed in worker processes, see :func:`forget_lock`)."""


class ConcurrentEdit(LocaliseError):
    """The file changed on disk since it was read (a person or another tool saved it)."""


def write_if_changed(path: Path, data: bytes, *, durable: bool = True) -> bool:
    """Atomically replace ``path`` with ``data`` unless it holds exactly that; True if written
    (``durable``: see :func:`write_atomic`)."""
    try:
        if path.read_bytes() == data:
            return False
    except (FileNotFoundError, NotADirectoryError):  # writing it says what is wrong, if any
        pass
    write_atomic(path, data, durable=durable)
    return True


def _temp_beside(path: Path) -> tuple[int, str]:
    """A new temporary file in ``path``'s folder (made if missing): (descriptor, name)."""
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=path.parent)
    except OSError as exc:
        raise LocaliseError(f"cannot write: {exc.strerror or exc}", path=path) from None


def _give_mode(tmp: str, path: Path) -> None:
    """Give ``tmp`` the mode of the file it will replace, or what open() would create."""
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    os.chmod(tmp, mode)


@contextlib.contextmanager
def _removed_on_failure(tmp: str, path: Path) -> Iterator[None]:
    """Remove ``tmp`` if the block fails; an OSError becomes a LocaliseError naming ``path``."""
    try:
        yield
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise LocaliseError(f"cannot write: {exc.strerror or exc}", path=path) from None
        raise


def write_stream_if_changed(
    path: Path, chunks: Iterable[bytes], *, durable: bool = True
) -> bool:
    """:func:`write_if_changed` for content made piece by piece (a large index): the pieces go
    to a temporary file beside ``path`` as they come, never all in memory; it replaces ``path``
    unless ``path`` already holds the same bytes (``durable=False``: no fsync, for a cache a
    crash may lose). True if written."""
    new, old = hashlib.blake2b(digest_size=20), hashlib.blake2b(digest_size=20)
    fd, tmp = _temp_beside(path)
    with _removed_on_failure(tmp, path):
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                new.update(chunk)
                handle.write(chunk)
            handle.flush()
            try:
                with path.open("rb") as current:
                    while block := current.read(1 << 16):
                        old.update(block)
                same = old.digest() == new.digest()
            except FileNotFoundError:
                same = False
            if not same and durable:
                os.fsync(handle.fileno())
        if same:
            os.unlink(tmp)
            return False
        _give_mode(tmp, path)
        os.replace(tmp, path)
        return True


def replace_if_unchanged(path: Path, data: bytes, *, read: bytes | None) -> bool:
    """Replace ``path`` with ``data`` if it still holds ``read`` (None: it did not exist).

    The check is made after the new bytes are safely on disk, just before the rename, so a
    save made while the caller worked is never overwritten: ConcurrentEdit is raised instead
    and the caller re-reads and merges. Returns False (writing nothing) when ``data == read``.
    """
    if data == read:
        return False
    write_atomic(path, data, expect=read, check=True)
    return True


def write_atomic(
    path: Path, data: bytes, *, expect: bytes | None = None, check: bool = False,
    durable: bool = True,
) -> None:
    """Write a temporary file in the same folder, then rename it: never a half-written file.

    With ``check``, the target must still hold ``expect`` (None: not exist) at the rename.
    Without ``durable`` the bytes are not forced to disk first (no ``fsync``): after a crash
    the file may be empty, so only for what is redone when it does not hold together.
    """
    fd, tmp = _temp_beside(path)
    with _removed_on_failure(tmp, path):
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        _give_mode(tmp, path)  # keep the mode of the file it replaces
        if check and _current(path) != expect:
            raise ConcurrentEdit("changed on disk while localise worked on it", path=path)
        os.replace(tmp, path)


def write_staged(folder: Path, data: bytes, *, name: str | None = None) -> str:
    """Write ``data`` to a new file in the staging folder ``folder`` (called ``name``, or a
    new temporary name) and return its name; :func:`flush_staged` puts every staged file on
    disk at once (one ``syncfs``, not an ``fsync`` per file) before :func:`commit_staged`
    renames them into place."""
    import tempfile

    try:
        if name is None:
            fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=folder)
        else:
            tmp = os.path.join(folder, name)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise LocaliseError(f"cannot write: {exc.strerror or exc}", path=folder) from None
    with _removed_on_failure(tmp, folder), os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return os.path.basename(tmp)


def flush_staged(folder: Path) -> None:
    """Put every file staged in ``folder`` on disk (``syncfs`` of its file system; ``sync``
    where there is none), so that a page renamed into place afterwards is never empty after
    a crash."""
    try:
        import ctypes  # syncfs(2) through libc: only when a build has pages to commit

        libc = ctypes.CDLL(None, use_errno=True)
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            if libc.syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    except (OSError, AttributeError):
        pass
    os.sync()


def commit_staged(staged: Path, path: Path) -> None:
    """Rename the staged file ``staged`` over ``path`` (keeping the mode of the file it
    replaces): a reader sees the old file or the new one; across file systems, a copy."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _give_mode(str(staged), path)
        try:
            os.replace(staged, path)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            write_atomic(path, staged.read_bytes())
            staged.unlink()
    except OSError as exc:
        raise LocaliseError(f"cannot write: {exc.strerror or exc}", path=path) from None


@contextlib.contextmanager
def staging(folder: Path) -> Iterator[Path]:
    """A new hidden staging folder ``.localise-staging-XXXXXXXX`` in ``folder`` (made, with
    its parents, if missing), removed with whatever is left in it when the block ends, however
    it ends; folders made for it are removed again when left empty."""
    import shutil
    import tempfile

    made = []
    here = folder
    while not here.exists():
        made.append(here)
        here = here.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
    except OSError as exc:
        raise LocaliseError(f"cannot write: {exc.strerror or exc}", path=folder) from None
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        for empty in made:
            try:
                empty.rmdir()
            except OSError:
                break


def _current(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def remove_leftovers(folders: Iterable[Path]) -> list[Path]:
    """Delete the temporary files a killed run left in ``folders``; return them.

    Call only while holding the project lock: then no run of ours is writing there.
    """
    removed: list[Path] = []
    for folder in folders:
        if not folder.is_dir() or folder.is_symlink():
            continue
        for parent, subfolders, names in os.walk(folder):
            for name in list(subfolders):
                if _STAGING_RE.match(name):
                    subfolders.remove(name)
                    leftover = Path(parent) / name
                    import shutil

                    shutil.rmtree(leftover, ignore_errors=True)
                    removed.append(leftover)
            for name in names:
                if name.endswith(TEMP_SUFFIX) and _TEMP_RE.match(name):
                    leftover = Path(parent) / name
                    with contextlib.suppress(FileNotFoundError):
                        leftover.unlink()
                        removed.append(leftover)
    return removed


@contextlib.contextmanager
def project_lock(folder: Path) -> Iterator[None]:
    """Hold ``folder/lock`` exclusively for the duration; a second run fails with LockError.

    The lock is a kernel ``flock``: it goes away with the process holding it, however that
    process ends (worker processes close their inherited copy, :func:`forget_lock`).
    """
    global _lock_fd
    path = folder / "lock"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        why = "is a symbolic link" if exc.errno == errno.ELOOP else (exc.strerror or str(exc))
        raise LockError(f"cannot use the project lock: {why}", path=path) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _lock_holder(path)
            who = f" (pid {holder})" if holder else ""
            raise LockError(
                f"another localise run{who} is working on this project; wait for it to finish",
                path=path,
            ) from None
        _lock_fd = fd
        yield  # nothing is written to the lock file, so a rerun changes no file at all
    finally:
        _lock_fd = None
        os.close(fd)


def forget_lock() -> None:
    """In a worker process: close the lock inherited from the parent, so that the lock dies
    with the parent even while this worker still runs."""
    global _lock_fd
    if _lock_fd is not None:
        with contextlib.suppress(OSError):
            os.close(_lock_fd)
        _lock_fd = None


def _lock_holder(path: Path) -> int | None:
    """PID holding a flock on ``path``, from Linux's /proc/locks (None elsewhere)."""
    try:
        inode = path.stat().st_ino
        table = Path("/proc/locks").read_text()
    except OSError:
        return None
    for line in table.splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[1] == "FLOCK" and fields[5].endswith(f":{inode}"):
            return int(fields[4])
    return None
