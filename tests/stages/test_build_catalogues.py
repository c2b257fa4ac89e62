"""build checks every catalogue before it writes any page: one malformed ``.po`` (in any
language, any article) stops it with ``path:line`` and exit 2, and no page is written.

Real CLI processes (tests/support/lifecycle.py); with many articles the jobs run in workers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from localise.parallel import MIN_JOBS
from support.lifecycle import copy_fixture, files, localise, ok


def _break(po: Path) -> int:
    """Damage the catalogue's last msgstr line; its 1-based line number."""
    lines = po.read_text("utf-8").split("\n")
    number = max(n for n, line in enumerate(lines) if line.startswith("msgstr"))
    lines[number] = 'msgstr "unterminated'
    po.write_text("\n".join(lines), encoding="utf-8")
    return number + 1


@pytest.mark.parametrize("articles", [0, MIN_JOBS + 4], ids=["in-process", "workers"])
def test_a_malformed_catalogue_stops_the_build_before_any_page(
    tmp_path: Path, articles: int
) -> None:
    root = copy_fixture(tmp_path)
    for number in range(articles):
        (root / "source" / f"a{number:02}.md").write_text(f"# Page {number}\n", "utf-8")
    ok(root, "extract")
    ok(root, "update")
    broken = root / "locales" / "es" / "LC_MESSAGES" / "guides" / "knee.po"  # sorted last
    line = _break(broken)
    ran = localise(root, "build")
    assert ran.code == 2, ran
    assert f"locales/es/LC_MESSAGES/guides/knee.po:{line}:" in ran.err, ran.err
    assert files(root / "build") == {}
    assert ran.out == ""

    broken.write_text(broken.read_text("utf-8").replace('msgstr "unterminated', 'msgstr ""'),
                      encoding="utf-8")
    ok(root, "build")  # mended: everything is built, nothing remembered from the failed run
    assert len([n for n in files(root / "build") if n.endswith(".md")]) == 2 * (articles + 2)
