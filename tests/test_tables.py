"""Keyed SQLite tables: read a row at a time, changed in one transaction, made again when
damaged, an earlier version's file imported once."""

from __future__ import annotations

from pathlib import Path

import pytest

from localise import tables
from localise.errors import LocaliseError
from localise.tables import Table

SCHEMA = "CREATE TABLE things (name TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID"


def _table(path: Path, **kwargs) -> Table:
    return Table(path, schema=SCHEMA, version=3, what="the things", table="things", **kwargs)


def test_rows_read_back_after_commit_and_not_before(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    table = _table(path)
    assert table.one("SELECT value FROM things WHERE name = ?", ("a",)) is None
    assert not path.exists()  # reading makes no file
    table.execute("INSERT INTO things VALUES (?, ?)", ("a", b"1"))
    assert table.dirty
    assert _table(path).one("SELECT value FROM things WHERE name = 'a'") is None  # uncommitted
    table.commit()
    assert not table.dirty
    assert _table(path).one("SELECT value FROM things WHERE name = 'a'") == (b"1",)
    table.execute("DELETE FROM things WHERE name = 'a'")
    table.close()  # not committed: forgotten
    assert _table(path).one("SELECT value FROM things WHERE name = 'a'") == (b"1",)


def test_scan_reads_every_row_in_batches_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "BATCH", 3)
    table = _table(tmp_path / "t.sqlite")
    names = [f"n{i:02}" for i in range(10)]
    for name in reversed(names):
        table.execute("INSERT INTO things VALUES (?, ?)", (name, name.encode()))
    table.commit()
    assert [row[0] for row in table.scan("value")] == names
    assert [row[0] for row in table.scan("value", "value > x'6e3034'")] == names[5:]


@pytest.mark.parametrize("damage", [b"not a database at all", b""])
def test_a_damaged_table_is_none_and_made_again_when_written(tmp_path: Path, damage) -> None:
    path = tmp_path / "t.sqlite"
    path.write_bytes(damage)
    table = _table(path)
    assert table.reader() is None
    table.execute("INSERT INTO things VALUES ('a', x'00')")
    table.commit()
    assert _table(path).one("SELECT name FROM things") == ("a",)


def test_a_table_of_another_version_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    table = _table(path)
    table.execute("INSERT INTO things VALUES ('a', x'00')")
    table.commit()
    table.close()
    other = Table(path, schema=SCHEMA, version=4, what="the things", table="things")
    assert other.reader() is None


def test_an_earlier_versions_file_is_imported_once_then_removed(tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    old.write_bytes(b"a,b")
    seen = []

    def importer(table: Table, data: bytes) -> None:
        seen.append(data)
        for name in data.decode().split(","):
            table.execute("INSERT INTO things VALUES (?, NULL)", (name,))

    path = tmp_path / "t.sqlite"
    assert [row[0] for row in _table(path, legacy=(old, importer)).scan("value")] == ["a", "b"]
    assert seen == [b"a,b"] and not old.exists()
    old.write_bytes(b"c")  # the table exists now: never imported again
    assert [row[0] for row in _table(path, legacy=(old, importer)).scan("value")] == ["a", "b"]
    assert seen == [b"a,b"]


def test_a_failed_write_names_the_table(tmp_path: Path) -> None:
    table = _table(tmp_path / "t.sqlite")
    with pytest.raises(LocaliseError, match="cannot write the things"):
        table.execute("INSERT INTO nowhere VALUES (1)")


def test_a_table_made_and_never_committed_goes_with_close(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    table = _table(path)
    table.execute("INSERT INTO things VALUES ('a', x'00')")
    table.close()  # Ctrl-C before the command committed: no file left behind
    assert not path.exists()
    table.execute("INSERT INTO things VALUES ('a', x'00')")
    table.commit()
    table.execute("INSERT INTO things VALUES ('b', x'00')")
    table.close()  # committed once: the file stays, the uncommitted row does not
    assert [row[0] for row in _table(path).rows("SELECT name FROM things")] == ["a"]


def test_rows_of_a_damaged_table_are_none(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    path.write_bytes(b"not a database at all")
    assert _table(path).rows("SELECT name FROM things") == []
    assert list(_table(path).each("SELECT name FROM things")) == []
