"""Command line: parses arguments, runs pipeline stages, prints, and sets the exit status.

Exit codes: 0 ok, 1 a check or gate failed, 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from localise import __version__
from localise.config import engine_options
from localise.errors import LocaliseError, UsageError
from localise.files import project_lock
from localise.model import Counts
from localise.project import Project

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

STAGES: dict[str, str] = {
    "extract": "localise.stages.extract",
    "update": "localise.stages.update",
    "translate": "localise.stages.translate",
    "build": "localise.stages.build",
    "check": "localise.stages.check",
    "status": "localise.stages.status",
    "models": "localise.argos_packages",
}
"""Stage modules by command; a run imports only the ones its command uses (startup stays
fast), so this table is the one place the CLI's imports of the stages are written."""


def stage(name: str) -> ModuleType:
    """The module of stage ``name`` (see :data:`STAGES`)."""
    return importlib.import_module(STAGES[name])


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="localise", description="Localise Markdown articles through gettext.")
    parser.add_argument(
        "-C",
        dest="directory",
        metavar="DIR",
        type=Path,
        default=Path("."),
        help="run in project folder DIR (with its own localise.toml)",
    )
    parser.add_argument("--version", action="version", version=f"localise {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    sub.add_parser("extract", help="source articles → POT templates (written only on change)")

    p = sub.add_parser("update", help="POT → PO per language (keep, fuzzy+previous, obsolete)")
    p.add_argument("--lang", action="append", help="only this language (repeatable)")
    p.add_argument("--no-obsolete", action="store_true", help="drop obsolete entries")

    p = sub.add_parser("translate", help="fill untranslated entries with machine drafts (fuzzy)")
    p.add_argument("--lang", action="append", help="only this language (repeatable)")
    p.add_argument("--engine", help="argos, apertium or pseudo (default: from localise.toml)")
    p.add_argument(
        "--retranslate",
        action="store_true",
        help="also refresh existing machine drafts (never human translations)",
    )
    p.add_argument("--beam-size", type=int, help="CTranslate2 beam size")
    p.add_argument("--device", choices=["cpu", "cuda", "auto"], help="CTranslate2 device")
    p.add_argument("--threads", type=int,
                   help="CPU: parallel CTranslate2 workers (0: one per core); GPU: threads")
    p.add_argument("--json", action="store_true", help="print a JSON summary")

    p = sub.add_parser("build", help="PO + source → build/<lang>/…")
    p.add_argument("--lang", action="append", help="only this language (repeatable)")
    p.add_argument("--draft", action="store_true", help="also use fuzzy drafts; mark draft: true")
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when any unit of a built page is not a reviewed translation",
    )
    p.add_argument("--json", action="store_true", help="print every page and fallback as JSON")

    p = sub.add_parser("status", help="translated / fuzzy / untranslated per language")
    p.add_argument("--lang", action="append", help="only this language (repeatable)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--fail-under",
        type=float,
        metavar="PCT",
        help="exit 1 when a language's reviewed share is below PCT",
    )

    p = sub.add_parser("check", help="quality checks over every catalogue")
    p.add_argument("--lang", action="append", help="only this language (repeatable)")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = sub.add_parser("models", help="list or install argos translation packages")
    msub = p.add_subparsers(dest="models_command", required=True, parser_class=_Parser)
    msub.add_parser("list", help="installed argos packages")
    mi = msub.add_parser("install", help="install a package file, or download one from the index")
    mi.add_argument("file", nargs="?", type=Path, help="FILE.argosmodel")
    mi.add_argument(
        "--from-index",
        nargs=2,
        metavar=("FROM", "TO"),
        help="download from the Argos package index (needs the network)",
    )

    p = sub.add_parser("run", help="extract + update + translate + build")
    p.add_argument("--lang", action="append", help="only this language (repeatable)")
    p.add_argument("--engine", help="engine for translate")
    p.add_argument("--draft", action="store_true", help="build with fuzzy drafts")
    return parser


def _print_files(report: Any, verb: str) -> None:
    for path in report.written:
        print(f"{verb} {path}")
    if not report.written:
        print(f"nothing changed ({len(report.unchanged)} up to date)")


def _excerpt(text: str | None, width: int = 60) -> str:
    if not text:
        return ""
    flat = " ".join(text.split())
    return f' — "{flat[: width - 1]}…"' if len(flat) > width else f' — "{flat}"'


def _print_moves(report: Any) -> None:
    """extract: catalogues carried along with renamed articles, or moved aside."""
    for move in report.moved:
        if move.to_article is not None:
            how = (
                f"came back ({move.matched} of {move.units} units found)" if move.restored else
                f"renamed from {move.article} ({move.matched} of {move.units} units found)"
            )
            print(f"{move.to_article}: {how}; its catalogues follow it", file=sys.stderr)
        else:
            print(f"{move.article}: removed; its catalogues are moved aside", file=sys.stderr)
        for old, new in move.files:
            print(f"  {old} → {new}", file=sys.stderr)
    for path in report.removed:
        print(f"removed {path} (its article is gone)")


def _print_pages(report: Any) -> None:
    """build: per page, the units that went out in the source language and why (stderr)."""
    for page in report.pages:
        where = f"{page.article}: [{page.lang}]"
        if not page.published:
            print(
                f"{where} not published (publish = \"reviewed\"): {sum(page.kinds.values())} "
                f"of {page.units} units are not reviewed translations; {page.path} is not "
                "written (an earlier version stays as it was)",
                file=sys.stderr,
            )
        english = page.english
        if not english:
            continue
        detail = ", ".join(f"{n} {kind}" for kind, n in page.kinds.items() if kind != "unreviewed")
        if english == page.units:  # nothing reviewed yet: one line for the page, and the
            print(f"{where} all {page.units} units went out in English ({detail}): "
                  f"{page.path}", file=sys.stderr)  # units a check or an edit held back
            if not (page.kinds.keys() & {"withheld", "fuzzy"}):
                continue
            listed = [note for note in page.fallbacks if note.kind in ("withheld", "fuzzy")]
        else:
            print(f"{where} {english} of {page.units} units went out in English "
                  f"({detail}): {page.path}", file=sys.stderr)
            listed = page.fallbacks
        for note in listed:
            print(
                f"{page.article}:{note.line}: [{page.lang}] kept the source text ({note.kind}): "
                f"{note.reason}{_excerpt(note.msgid)}",
                file=sys.stderr,
            )
    for path, line, message in report.warnings:
        print(f"{path}:{line}: {message}" if line else f"{path}: {message}", file=sys.stderr)
    for path, why in report.kept:
        print(f"{path}: {why}", file=sys.stderr)


def _pages_json(report: Any) -> dict[str, Any]:
    pages, fallbacks = [], []
    for page in report.pages:
        items = [
            {"article": page.article.as_posix(), "lang": page.lang, "line": note.line,
             "msgid": note.msgid, "reason": note.kind, "message": note.reason,
             "page": page.path.as_posix()}
            for note in page.fallbacks
        ]
        fallbacks += items
        pages.append({
            "article": page.article.as_posix(), "lang": page.lang, "page": page.path.as_posix(),
            "units": page.units, "written": page.written, "published": page.published,
            "complete": page.complete,
            "fallbacks": items,
            "unreviewed": [
                {"line": note.line, "msgid": note.msgid}
                for note in page.notes if note.kind == "unreviewed"
            ],
        })
    return {
        "pages": pages,
        "fallbacks": fallbacks,
        "written": [p.as_posix() for p in report.written],
        "removed": [p.as_posix() for p in report.removed],
    }


def _print_build(report: Any, *, as_json: bool = False) -> None:
    if as_json:
        print(json.dumps(_pages_json(report), indent=2, ensure_ascii=False))
    else:
        _print_files(report, "built")
        for path, count in report.drafts.items():
            print(f"  {path}: draft with {count} unreviewed (fuzzy) units")
        for path in report.removed:
            print(f"removed {path} (built earlier for an article or language that is gone)")
    _print_pages(report)


def cmd_extract(project: Project, args: argparse.Namespace) -> int:
    report = stage("extract").run(project)
    _print_files(report, "wrote")
    _print_moves(report)
    return EXIT_OK


def cmd_update(project: Project, args: argparse.Namespace) -> int:
    report = stage("update").run(project, langs=args.lang, keep_obsolete=not args.no_obsolete)
    _print_files(report, "wrote")
    return EXIT_OK


def cmd_build(project: Project, args: argparse.Namespace) -> int:
    report = stage("build").run(project, langs=args.lang, draft=args.draft)
    _print_build(report, as_json=args.json)
    if args.strict and not all(page.complete for page in report.pages):
        incomplete = sum(1 for page in report.pages if not page.complete)
        print(f"--strict: {incomplete} pages have units that are not reviewed translations",
              file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _bar(percent: float, width: int = 20) -> str:
    full = round(percent / 100 * width)
    return "█" * full + "░" * (width - full)


def cmd_status(project: Project, args: argparse.Namespace) -> int:
    status = stage("status")
    result = status.run(project, langs=args.lang)
    verdicts = status.publishable(project, result)
    totals = {lang: sum(per.values(), Counts()) for lang, per in result.items()}
    if args.json:
        payload = {
            "languages": {
                lang: _counts_json(total)
                | {
                    "publishable": sum(v.publishable for v in verdicts[lang].values()),
                    "articles": {
                        s: _counts_json(c) | {
                            "publishable": verdicts[lang][s].publishable,
                            "blocked_by": verdicts[lang][s].reason or None,
                        }
                        for s, c in result[lang].items()
                    },
                }
                for lang, total in totals.items()
            }
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        for lang, per in result.items():
            total = totals[lang]
            ready = sum(v.publishable for v in verdicts[lang].values())
            print(
                f"{lang}  {_bar(total.percent)} {total.percent:5.1f}% reviewed  "
                f"{total.translated} translated, {total.fuzzy} fuzzy, "
                f"{total.untranslated} untranslated ({total.words_translated}/"
                f"{total.words_total} words); {ready} of {len(per)} pages publishable"
            )
            for slug, counts in per.items():
                verdict = verdicts[lang][slug]
                mark = (
                    "publishable" if verdict.publishable else f"not publishable: {verdict.reason}"
                )
                print(
                    f"    {slug:<40} {counts.percent:5.1f}%  {counts.translated:>4} ✓ "
                    f"{counts.fuzzy:>4} fuzzy {counts.untranslated:>4} empty  {mark}"
                )
    if args.fail_under is not None:
        low = [lang for lang, total in totals.items() if total.percent < args.fail_under]
        if low:
            print(f"below {args.fail_under:g}% reviewed: {', '.join(low)}", file=sys.stderr)
            return EXIT_FAILED
    return EXIT_OK


def _counts_json(counts: Any) -> dict[str, Any]:
    return {
        "total": counts.total,
        "translated": counts.translated,
        "fuzzy": counts.fuzzy,
        "untranslated": counts.untranslated,
        "percent": round(counts.percent, 2),
        "words": {
            "total": counts.words_total,
            "translated": counts.words_translated,
            "fuzzy": counts.words_fuzzy,
            "untranslated": counts.words_untranslated,
        },
    }


def _progress() -> Callable[[int, int], None] | None:
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, unit="sentence", desc="translating", leave=False)
        bar["bar"].n = done
        bar["bar"].refresh()
        if done >= total:
            bar.pop("bar").close()

    return update


def _engine_options(project: Project, args: argparse.Namespace) -> Any:
    return engine_options(
        project.config,
        beam_size=getattr(args, "beam_size", None),
        device=getattr(args, "device", None),
        threads=getattr(args, "threads", None),
    )


def _translate_failures(project: Project, summaries: dict[str, Any]) -> int:
    """Report each language translate could not draft (stderr); EXIT_USAGE if any."""
    failed = [(lang, s.error) for lang, s in summaries.items() if s.error is not None]
    for lang, error in failed:
        if error.path is not None and error.path.is_absolute():
            error.path = project.relative(error.path)
        print(f"localise: error: [{lang}] not drafted: {error}", file=sys.stderr)
    if failed:
        done = [lang for lang, s in summaries.items() if s.error is None]
        others = f"; {', '.join(done)} drafted" if done else ""
        print(f"localise: {len(failed)} of {len(summaries)} languages failed{others}",
              file=sys.stderr)
    return EXIT_USAGE if failed else EXIT_OK


def cmd_translate(project: Project, args: argparse.Namespace) -> int:
    summaries = stage("translate").run(
        project,
        langs=args.lang,
        engine=args.engine,
        retranslate=args.retranslate,
        options=_engine_options(project, args),
        progress=_progress(),
    )
    if args.json:
        payload = {
            "languages": {
                lang: {
                    "engine": s.engine,
                    "model": s.version,
                    "units": s.units,
                    "segments": s.segments,
                    "sent": s.sent,
                    "cached": s.cached,
                    "filled": s.filled,
                    "flagged": s.flagged,
                    "files": [p.as_posix() for p in s.files],
                    "error": str(s.error) if s.error is not None else None,
                }
                for lang, s in summaries.items()
            }
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        for lang, s in summaries.items():
            if s.error is not None:
                continue
            if not s.units:
                print(f"{lang}: nothing to translate")
                continue
            print(
                f"{lang}: {s.filled} drafts from {s.engine} ({s.version}); "
                f"{s.sent} sentences sent, {s.cached} from cache; {s.flagged} flagged for review"
            )
            for path in s.files:
                print(f"  wrote {path}")
    return _translate_failures(project, summaries)


def cmd_models(project: Project, args: argparse.Namespace) -> int:
    models = stage("models")
    packages_dir = project.config.translate.options.packages_dir
    if args.models_command == "list":
        installed = models.list_installed(packages_dir=packages_dir)
        if not installed:
            print(
                "no argos packages installed; add one with "
                "`localise models install FILE.argosmodel`"
            )
        for info in installed:
            print(f"{info.from_code} → {info.to_code}  version {info.package_version}  {info.path}")
        return EXIT_OK
    if args.from_index:
        source, target = args.from_index
        info = models.install_from_index(source, target, packages_dir=packages_dir)
    elif args.file is not None:
        info = models.install_file(args.file, packages_dir=packages_dir)
    else:
        raise UsageError("give FILE.argosmodel or --from-index FROM TO")
    print(f"installed {info.from_code} → {info.to_code} version {info.package_version}")
    return EXIT_OK


def cmd_run(project: Project, args: argparse.Namespace) -> int:
    translate = stage("translate")
    translate.engine_names(project, project.languages(args.lang), args.engine)
    extracted = stage("extract").run(project)
    _print_files(extracted, "wrote")
    _print_moves(extracted)
    _print_files(stage("update").run(project, langs=args.lang), "wrote")
    summaries = translate.run(
        project,
        langs=args.lang,
        engine=args.engine,
        options=_engine_options(project, args),
        progress=_progress(),
    )
    for lang, s in summaries.items():
        if s.units and s.error is None:
            print(f"{lang}: {s.filled} machine drafts ({s.engine}), {s.flagged} flagged")
    report = stage("build").run(project, langs=args.lang, draft=args.draft)
    _print_build(report)
    return _translate_failures(project, summaries)


def cmd_check(project: Project, args: argparse.Namespace) -> int:
    findings = stage("check").run(project, langs=args.lang)
    errors = sum(f.severity == "error" for f in findings)
    if args.json:
        print(
            json.dumps({"findings": [f.to_json() for f in findings]}, indent=2, ensure_ascii=False)
        )
    else:
        for f in findings:
            if f.severity != "info":
                print(f"{f.file}:{f.line}: {f.severity}: [{f.check}] {f.message}")
        warnings = sum(f.severity == "warning" for f in findings)
        infos = sum(f.severity == "info" for f in findings)
        print(
            f"{errors} errors, {warnings} warnings, {infos} notes "
            "(untranslated and fuzzy entries; see --json)"
        )
    return EXIT_FAILED if errors else EXIT_OK


COMMANDS: dict[str, Callable[[Project, argparse.Namespace], int]] = {
    "check": cmd_check,
    "translate": cmd_translate,
    "models": cmd_models,
    "run": cmd_run,
    "extract": cmd_extract,
    "update": cmd_update,
    "build": cmd_build,
    "status": cmd_status,
}
LOCKED = {"extract", "update", "translate", "build", "run"}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``localise`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        project = Project.open(args.directory)
        handler = COMMANDS[args.command]
        if args.command in LOCKED:
            with project_lock(project.config.cache_dir):
                return handler(project, args)
        return handler(project, args)
    except LocaliseError as exc:
        if exc.path is not None and exc.path.is_absolute():
            root = (args.directory).resolve()
            if exc.path != root and exc.path.is_relative_to(root):  # project files: relative
                exc.path = exc.path.relative_to(root)
        print(f"localise: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # the file system refused: name the file, no traceback
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"localise: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("localise: interrupted; files already written are complete", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
