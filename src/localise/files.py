"""File-system safety: UTF-8 decoding with line numbers, atomic writes that skip unchanged
content, and the project lock."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from localise.errors import LocaliseError, LockError, SourceError


def decode_utf8(
    data: bytes, *, path: Path, error: type[LocaliseError] = SourceError
) -> str:
    """File bytes → text (a leading BOM dropped); invalid UTF-8 raises ``error`` at its line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", path=path, line=line
        ) from None
    return text.removeprefix("\ufeff")


def write_if_changed(path: Path, data: bytes) -> bool:
    """Atomically replace ``path`` with ``data`` unless it holds exactly that; True if written."""
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    write_atomic(path, data)
    return True


def write_atomic(path: Path, data: bytes) -> None:
    """Write a temporary file in the same folder, then rename it: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            mode = path.stat().st_mode & 0o777  # keep the mode of the file it replaces
        except FileNotFoundError:
            mode = 0o666 & ~_umask()  # a new file: what open() would have created
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EACCES):
            raise LocaliseError(f"cannot write: {exc.strerror}", path=path) from None
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextlib.contextmanager
def project_lock(folder: Path) -> Iterator[None]:
    """Hold ``folder/lock`` exclusively for the duration; a second run fails with LockError."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "lock"
    handle = path.open("a+")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _lock_holder(path)
            who = f" (pid {holder})" if holder else ""
            raise LockError(
                f"another localise run{who} is working on this project; wait for it to finish",
                path=path,
            ) from None
        yield  # nothing is written to the lock file, so a rerun changes no file at all
    finally:
        handle.close()


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
