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
    "import": "localise.stages.importing",
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
    p.add_argument("--no-memory", action="store_true",
                   help="machine drafts only: skip translation memory for this run")
    p.add_argument("--json", action="store_true", help="print a JSON summary")

    p = sub.add_parser("build", help="PO + source → build/<lang>/…")
    p.add_argument("--lang", action="append", help="only this language (repeatable)")
    p.add_argument("--draft", action="store_true", help="also use fuzzy drafts; mark draft: true")
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 instead of falling back when a unit has an error",
    )

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

    p = sub.add_parser("import", help="an existing translation of an article → fuzzy entries")
    p.add_argument("source", type=Path, metavar="SOURCE.md", help="the English article")
    p.add_argument("translated", type=Path, metavar="TRANSLATED.md",
                   help="its translation, with the same structure")
    p.add_argument("--lang", required=True, help="the translation's language")
    p.add_argument("--json", action="store_true", help="print a JSON summary")

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


def _print_fallbacks(report: Any) -> None:
    for lang, path, fallback in report.fallbacks:
        print(
            f"{path}:{fallback.unit.line}: [{lang}] kept the source text: {fallback.reason}",
            file=sys.stderr,
        )


def cmd_extract(project: Project, args: argparse.Namespace) -> int:
    _print_files(stage("extract").run(project), "wrote")
    return EXIT_OK


def cmd_update(project: Project, args: argparse.Namespace) -> int:
    report = stage("update").run(project, langs=args.lang, keep_obsolete=not args.no_obsolete)
    _print_files(report, "wrote")
    return EXIT_OK


def cmd_build(project: Project, args: argparse.Namespace) -> int:
    report = stage("build").run(project, langs=args.lang, draft=args.draft)
    _print_files(report, "built")
    for path, count in report.drafts.items():
        print(f"  {path}: draft with {count} unreviewed (fuzzy) units")
    _print_fallbacks(report)
    if args.strict and report.fallbacks:
        return EXIT_FAILED
    return EXIT_OK


def _bar(percent: float, width: int = 20) -> str:
    full = round(percent / 100 * width)
    return "█" * full + "░" * (width - full)


def cmd_status(project: Project, args: argparse.Namespace) -> int:
    result = stage("status").run(project, langs=args.lang)
    totals = {lang: sum(per.values(), Counts()) for lang, per in result.items()}
    if args.json:
        payload = {
            "languages": {
                lang: _counts_json(total)
                | {"articles": {s: _counts_json(c) for s, c in result[lang].items()}}
                for lang, total in totals.items()
            }
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        for lang, per in result.items():
            total = totals[lang]
            print(
                f"{lang}  {_bar(total.percent)} {total.percent:5.1f}% reviewed  "
                f"{total.translated} translated, {total.fuzzy} fuzzy, "
                f"{total.untranslated} untranslated ({total.words_translated}/"
                f"{total.words_total} words)"
            )
            for slug, counts in per.items():
                print(
                    f"    {slug:<40} {counts.percent:5.1f}%  {counts.translated:>4} ✓ "
                    f"{counts.fuzzy:>4} fuzzy {counts.untranslated:>4} empty"
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


def cmd_translate(project: Project, args: argparse.Namespace) -> int:
    summaries = stage("translate").run(
        project,
        langs=args.lang,
        engine=args.engine,
        retranslate=args.retranslate,
        options=_engine_options(project, args),
        progress=_progress(),
        memory=not args.no_memory,
    )
    if args.json:
        payload = {
            "languages": {
                lang: {
                    "engine": s.engine,
                    "model": s.version,
                    "units": s.units,
                    "memory": s.memory,
                    "memory_exact": s.memory_exact,
                    "machine": s.machine,
                    "copied": s.copied,
                    "segments": s.segments,
                    "sent": s.sent,
                    "cached": s.cached,
                    "model_calls_per_unit": round(s.model_calls_per_unit, 4),
                    "filled": s.filled,
                    "flagged": s.flagged,
                    "glossary_applied": s.glossary_applied,
                    "settled": s.settled,
                    "files": [p.as_posix() for p in s.files],
                }
                for lang, s in summaries.items()
            }
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        for lang, s in summaries.items():
            if not s.units:
                print(f"{lang}: nothing to translate")
                continue
            print(
                f"{lang}: {s.filled} drafts: {s.memory} units from translation memory, "
                f"{s.machine} from {s.engine} ({s.version or 'not needed'}); "
                f"{s.sent} sentences sent, {s.cached} from cache; {s.flagged} flagged for review"
            )
            for path in s.files:
                print(f"  wrote {path}")
    return EXIT_OK


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
        for skipped in models.scan_installed(packages_dir=packages_dir).skipped:
            print(f"localise: skipped {skipped.path}: {skipped.reason}", file=sys.stderr)
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
    _print_files(stage("extract").run(project), "wrote")
    _print_files(stage("update").run(project, langs=args.lang), "wrote")
    summaries = translate.run(
        project,
        langs=args.lang,
        engine=args.engine,
        options=_engine_options(project, args),
        progress=_progress(),
    )
    for lang, s in summaries.items():
        if s.units:
            print(f"{lang}: {s.filled} machine drafts ({s.engine}), {s.flagged} flagged")
    report = stage("build").run(project, langs=args.lang, draft=args.draft)
    _print_files(report, "built")
    _print_fallbacks(report)
    return EXIT_OK


def cmd_import(project: Project, args: argparse.Namespace) -> int:
    report = stage("import").run(
        project, langs=[args.lang], source=args.source, translated=args.translated
    )
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        print(
            f"{report.catalogue}: {report.imported} entries imported as fuzzy drafts, "
            f"{report.kept} kept (already translated), {report.flagged} flagged for review"
        )
    return EXIT_OK


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
    "import": cmd_import,
}
LOCKED = {"extract", "update", "translate", "build", "run", "import"}


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
