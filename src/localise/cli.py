"""Command line: parses arguments, runs pipeline stages, prints, and sets the exit status.

Exit codes: 0 ok, 1 a check or gate failed, 2 bad input or usage. The project is the nearest
folder at or above the current one (or ``-C DIR``) that holds a ``localise.toml``.

Reading order: :data:`COMMANDS` (each command's help, arguments and handler, in pipeline
order), the handlers (``cmd_*``), then :class:`Output` (what ``-q``/``-v``/``--json`` print)
and :func:`main`.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, NoReturn

from localise import __version__
from localise.errors import LocaliseError, UsageError
from localise.progress import RED, YELLOW, Bars, colour_enabled, paint

if TYPE_CHECKING:
    from localise import choices, sharding
    from localise.project import Project

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
JSON_SCHEMA = 1
"""Version of the shape of every ``--json`` output; raised when a field changes meaning or
goes away (new fields may be added without it)."""

STAGES: dict[str, str] = {
    "init": "localise.stages.init",
    "extract": "localise.stages.extract",
    "update": "localise.stages.update",
    "translate": "localise.stages.translate",
    "translate-early": "localise.stages.early",
    "build": "localise.stages.build",
    "check": "localise.stages.check",
    "status": "localise.stages.status",
    "review": "localise.stages.review",
    "models": "localise.argos_packages",
    "import": "localise.stages.importing",
}
"""Stage modules by command; a run imports only the ones its command uses (startup stays
fast), so this table is the one place the CLI's imports of the stages are written."""


def stage(name: str) -> ModuleType:
    """The module of stage ``name`` (see :data:`STAGES`)."""
    return importlib.import_module(STAGES[name])


# -- what a command works with ------------------------------------------------------------


@dataclass(slots=True)
class Run:
    """One command being run: its arguments, its project (None for init, models, completion
    outside a project) and where its output goes."""

    args: argparse.Namespace
    out: Output
    project: Project | None = None

    @property
    def proj(self) -> Project:
        """The project (commands that need one are only run with one)."""
        assert self.project is not None
        return self.project


Handler = Callable[[Run], int]


@dataclass(frozen=True, slots=True)
class Command:
    """A subcommand: its help (one line for ``localise --help``, two or three lines on what it
    reads and writes, one example), its arguments and its handler."""

    name: str
    summary: str
    description: str
    example: str
    handler: Handler
    arguments: Callable[[argparse.ArgumentParser], None] = lambda parser: None
    project: bool = True
    """Needs a project (every command but init, models and completion)."""
    locked: bool = False
    """Writes project files: holds the project lock while it runs."""


# -- the handlers -------------------------------------------------------------------------


def cmd_init(run: Run) -> int:
    from localise.config import CONFIG_NAME
    from localise.project import find_root

    folder = run.args.directory / run.args.folder
    with run.out.stage("init"):
        report = stage("init").run(folder, langs=run.args.lang or (),
                                   source_dir=run.args.source_dir, dialect=run.args.dialect)
    out = run.out
    languages = ", ".join(report.config.languages) or "none yet"
    out.info(f"created a localise project in {report.root} (languages: {languages})")
    outer = find_root(report.root.parent)
    if outer is not None:
        out.info(f"  note: inside the project in {outer}; commands run in here use the new one")
    for path in report.written:
        out.info(f"  wrote {path.as_posix()}{'/' if (report.root / path).is_dir() else ''}")
    for path in report.kept:
        out.info(f"  kept {path.as_posix()} (already there)")
    if report.ignored:
        out.info(f"  .gitignore: added {', '.join(report.ignored)}")
    here = Path.cwd().resolve()
    source = report.config.source_dir.as_posix()
    lang = report.config.languages[0] if report.config.languages else "LANG"
    out.info("next:")
    if report.root != here:
        out.info(f"  cd {_shown(report.root, here)}")
    if not report.config.languages:
        out.info(f'  (first list the languages to publish in {CONFIG_NAME}: languages = ["ja"])')
    steps = [
        (f"cp ~/articles/*.md {source}/", "your English Markdown articles"),
        (f"localise models install --from-index en {lang}",
         "an offline model, once (or: translate --engine apertium|pseudo)"),
        ("localise run --draft", "catalogues, machine drafts, draft pages in "
         f"{report.config.output_dir.as_posix()}/"),
    ]
    width = max(len(command) for command, _ in steps)
    for command, why in steps:
        out.info(f"  {command:<{width}}  # {why}")
    return EXIT_OK


def _shown(path: Path, here: Path) -> str:
    return path.relative_to(here).as_posix() if path.is_relative_to(here) else str(path)


def cmd_extract(run: Run) -> int:
    with run.out.stage("extract") as bars:
        report = stage("extract").run(run.proj, progress=bars)
    run.out.files(report, "wrote")
    run.out.moves(report)
    return EXIT_OK


def cmd_update(run: Run) -> int:
    with run.out.stage("update") as bars:
        report = stage("update").run(run.proj, langs=run.args.lang,
                                     keep_obsolete=not run.args.no_obsolete, progress=bars)
    run.out.files(report, "wrote")
    return EXIT_OK


def _engine_options(run: Run) -> Any:
    from localise.config import engine_options

    args = run.args
    return engine_options(
        run.proj.config,
        beam_size=getattr(args, "beam_size", None),
        device=getattr(args, "device", None),
        threads=getattr(args, "threads", None),
    )


def cmd_translate(run: Run) -> int:
    args = run.args
    options = _engine_options(run)
    where = args.executor or run.proj.config.translate.executor_spec()
    # a first run's model loads while the stage imports, reads and plans (see its module)
    early = stage("translate-early").start(
        run.proj, langs=args.lang, engine=args.engine, options=options,
        retranslate=args.retranslate, shard=args.shard, local=where.kind == "local",
    )
    try:
        with run.out.stage("translate") as bars:
            summaries = stage("translate").run(
                run.proj,
                langs=args.lang,
                engine=args.engine,
                retranslate=args.retranslate,
                options=options,
                progress=bars,
                memory=not args.no_memory,
                shard=args.shard,
                executor=where,
                early=early,
            )
    finally:
        early.close()
    if args.json:
        run.out.json({
            "executor": next((s.executor for s in summaries.values()), None),
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
                    "executor": s.executor,
                    "batches": s.batches,
                    "workers": s.workers,
                    "error": str(s.error) if s.error is not None else None,
                }
                for lang, s in summaries.items()
            }
        })
        return _translate_failures(run, summaries)
    for lang, s in summaries.items():
        if not s.units:
            run.out.info(f"{lang}: nothing to translate")
            continue
        run.out.info(
            f"{lang}: {s.filled} drafts: {s.memory} units from translation memory, "
            f"{s.machine} from {s.engine} ({s.version or 'not needed'}); "
            f"{s.sent} sentences sent, {s.cached} from cache; {s.flagged} flagged for review"
        )
        if s.executor != "local" and s.batches:
            run.out.info(f"  {s.batches} batches on {s.executor}, by {len(s.workers)} workers")
        for path in s.files:
            run.out.info(f"  wrote {path}")
    return _translate_failures(run, summaries)


def _translate_failures(run: Run, summaries: dict[str, Any]) -> int:
    """Report each language translate could not draft (stderr); EXIT_USAGE if any. The other
    languages were drafted (and, in ``run``, every language is built)."""
    failed = [(lang, s.error) for lang, s in summaries.items() if s.error is not None]
    for lang, error in failed:
        if error.path is not None and error.path.is_absolute():
            error.path = run.proj.relative(error.path)
        run.out.problem(f"localise: error: [{lang}] not drafted: {error}")
    if failed:
        done = [lang for lang, s in summaries.items() if s.error is None]
        others = f"; {', '.join(done)} drafted" if done else ""
        run.out.problem(f"localise: {len(failed)} of {len(summaries)} languages failed{others}")
    return EXIT_USAGE if failed else EXIT_OK


def cmd_import(run: Run) -> int:
    args = run.args
    with run.out.stage("import"):
        report = stage("import").run(
            run.proj, langs=[args.lang], source=args.source, translated=args.translated
        )
    if args.json:
        run.out.json(report.to_json())
        return EXIT_OK
    run.out.info(
        f"{report.catalogue}: {report.imported} entries imported as fuzzy drafts, "
        f"{report.kept} kept (already translated), {report.flagged} flagged for review"
    )
    return EXIT_OK


def cmd_check(run: Run) -> int:
    with run.out.stage("check") as bars:
        findings = stage("check").run(run.proj, langs=run.args.lang, progress=bars,
                                         shard=run.args.shard)
    errors = sum(f.severity == "error" for f in findings)
    if run.args.json:
        run.out.json({"findings": [f.to_json() for f in findings]})
        return EXIT_FAILED if errors else EXIT_OK
    for f in findings:
        if f.severity == "error":
            run.out.finding(f"{f.file}:{f.line}: ", "error", f": [{f.check}] {f.message}")
        elif f.severity != "info":
            run.out.finding(f"{f.file}:{f.line}: ", f.severity, f": [{f.check}] {f.message}",
                            quiet=True)
    warnings = sum(f.severity == "warning" for f in findings)
    infos = sum(f.severity == "info" for f in findings)
    run.out.info(
        f"{errors} errors, {warnings} warnings, {infos} notes "
        "(untranslated and fuzzy entries; see --json)"
    )
    return EXIT_FAILED if errors else EXIT_OK


def cmd_build(run: Run) -> int:
    args = run.args
    with run.out.stage("build") as bars:
        report = stage("build").run(run.proj, langs=args.lang, draft=args.draft, progress=bars,
                                     shard=args.shard)
    incomplete = sum(1 for page in report.pages if not page.complete)
    failing = args.strict and incomplete > 0
    if args.json:
        run.out.json(_pages_json(report))
    else:
        _built(run.out, report)
    run.out.fallbacks(report, failing=failing)
    if failing:
        run.out.problem(
            f"--strict: {incomplete} pages have units that are not reviewed translations"
        )
        return EXIT_FAILED
    return EXIT_OK


def _built(out: Output, report: Any) -> None:
    """build: the pages written, drafts, and pages removed (stdout)."""
    out.files(report, "built")
    for path, count in report.drafts.items():
        out.info(f"  {path}: draft with {count} unreviewed (fuzzy) units")
    for path in report.removed:
        out.info(f"removed {path} (built earlier for an article or language that is gone)")


def _pages_json(report: Any) -> dict[str, Any]:
    """build --json: every page, and every unit that went out in the source language."""
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


def _bar(percent: float, width: int = 20) -> str:
    full = round(percent / 100 * width)
    return "█" * full + "░" * (width - full)


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


def cmd_status(run: Run) -> int:
    from localise.model import Counts

    args = run.args
    status = stage("status")
    with run.out.stage("status") as bars:
        result = status.run(run.proj, langs=args.lang, progress=bars)
        verdicts = status.publishable(run.proj, result)
    totals = {lang: sum(per.values(), Counts()) for lang, per in result.items()}
    if args.json:
        run.out.json({
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
        })
    else:
        for lang, per in result.items():
            total = totals[lang]
            ready = sum(v.publishable for v in verdicts[lang].values())
            run.out.info(
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
                run.out.info(
                    f"    {slug:<40} {counts.percent:5.1f}%  {counts.translated:>4} ✓ "
                    f"{counts.fuzzy:>4} fuzzy {counts.untranslated:>4} empty  {mark}"
                )
    if args.fail_under is not None:
        low = [lang for lang, total in totals.items() if total.percent < args.fail_under]
        if low:
            run.out.problem(f"below {args.fail_under:g}% reviewed: {', '.join(low)}")
            return EXIT_FAILED
    return EXIT_OK


def cmd_review(run: Run) -> int:
    args = run.args
    review = stage("review")
    with run.out.stage("review") as bars:
        report = review.run(run.proj, langs=args.lang, changed_since=args.changed_since,
                            since_publish=args.since_publish, progress=bars)
    site = report.site
    index = (report.folder / "index.html").as_posix()
    if args.json:
        run.out.json({
            "review": {
                "index": index,
                "compared_with": site.compared_with,
                "written": [p.as_posix() for p in report.written],
                "removed": [p.as_posix() for p in report.removed],
                "unchanged": len(report.unchanged),
            },
            "languages": {
                language.lang: _counts_json(review.status_counts(language.counts)) | {
                    "states": _states_json(language.counts),
                    "publishable": sum(a.publishable for a in language.articles),
                    "articles": {
                        a.slug: _counts_json(review.status_counts(a.counts)) | {
                            "states": _states_json(a.counts),
                            "publishable": a.publishable,
                            "findings": dict(a.findings_by_severity),
                            "changed": sum(u.changed for u in a.units),
                            "in_english": len(a.published.fallbacks) if a.published else 0,
                            "page": f"{report.folder.as_posix()}/{language.lang}/{a.slug}.html",
                        }
                        for a in language.articles
                    },
                }
                for language in site.languages
            },
        })
    else:
        run.out.files(report, "wrote")
        for path in report.removed:
            run.out.info(f"removed {path} (its article or language is gone)")
        for language in site.languages:
            counts = language.counts
            ready = sum(a.publishable for a in language.articles)
            states = ", ".join(
                f"{counts.of(state).units} {state}" for state in _STATES if counts.of(state).units
            )
            changed = sum(u.changed for a in language.articles for u in a.units)
            since = f"; {changed} units changed since {site.compared_with}" if (
                site.compared_with) else ""
            run.out.info(f"{language.lang}: {states or 'no units'}; {ready} of "
                         f"{len(language.articles)} pages publishable{since}")
        run.out.info(f"open {index}")
    for path, line, message in report.warnings:
        run.out.problem(f"{path}:{line}: {message}" if line else f"{path}: {message}")
    return EXIT_OK


_STATES = ("reviewed", "machine-draft", "fuzzy", "withheld", "untranslated")
"""The review's unit states, in the order it shows them (as :data:`localise.review.STATES`)."""


def _states_json(counts: Any) -> dict[str, Any]:
    return {state: {"units": counts.of(state).units, "words": counts.of(state).words}
            for state in _STATES}


def cmd_run(run: Run) -> int:
    args, project, out = run.args, run.proj, run.out
    translate = stage("translate")
    translate.engine_names(project, project.languages(args.lang), args.engine)
    with out.stage("extract") as bars:
        report = stage("extract").run(project, progress=bars)
    out.files(report, "wrote")
    out.moves(report)
    with out.stage("update") as bars:
        report = stage("update").run(project, langs=args.lang, progress=bars)
    out.files(report, "wrote")
    with out.stage("translate") as bars:
        summaries = translate.run(project, langs=args.lang, engine=args.engine,
                                  options=_engine_options(run), progress=bars)
    for lang, s in summaries.items():
        if s.units and s.error is None:
            out.info(f"{lang}: {s.filled} machine drafts ({s.engine}), {s.flagged} flagged")
    with out.stage("build") as bars:  # every language, those translate could not draft too
        report = stage("build").run(project, langs=args.lang, draft=args.draft, progress=bars)
    _built(out, report)
    out.fallbacks(report, failing=False)
    return _translate_failures(run, summaries)


def cmd_models(run: Run) -> int:
    models = stage("models")
    args, out = run.args, run.out
    packages_dir = run.project.config.translate.options.packages_dir if run.project else None
    if args.models_command == "list":
        with out.stage("models"):
            installed = models.list_installed(packages_dir=packages_dir)
            skipped = models.scan_installed(packages_dir=packages_dir).skipped
        for item in skipped:
            out.problem(f"skipped {item.path}: {item.reason}")
        if not installed:
            out.info(
                "no argos packages installed; add one with "
                "`localise models install FILE.argosmodel`"
            )
        for item in installed:
            out.info(f"{item.from_code} → {item.to_code}  version {item.package_version}  "
                     f"{item.path}")
        return EXIT_OK
    with out.stage("models"):
        if args.from_index:
            source, target = args.from_index
            info = models.install_from_index(source, target, packages_dir=packages_dir)
        elif args.file is not None:
            info = models.install_file(args.file, packages_dir=packages_dir)
        else:
            raise UsageError("give FILE.argosmodel or --from-index FROM TO")
    out.info(f"installed {info.from_code} → {info.to_code} version {info.package_version}")
    return EXIT_OK


def cmd_completion(run: Run) -> int:
    import shtab  # 0.2 s of imports: only to print a script

    parser = _parser(every=True)
    for action in _actions(parser):
        if action.metavar == "DIR":
            action.complete = shtab.DIRECTORY  # type: ignore[attr-defined]
        elif action.type is Path:
            action.complete = shtab.FILE  # type: ignore[attr-defined]
        elif isinstance(action, argparse._SubParsersAction):
            for choice in action._get_subactions():  # zsh shows the one-line summaries
                action.choices[choice.dest].description = choice.help
    run.out.result(shtab.complete(parser, shell=run.args.shell).rstrip("\n"))
    return EXIT_OK


def _actions(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    """Every argument of ``parser`` and of its subcommands, at any depth."""
    for action in parser._actions:
        yield action
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                yield from _actions(sub)


# -- the arguments ------------------------------------------------------------------------


def _lang(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", action="append", metavar="L",
                        help="only this language (repeatable; default: every configured one)")


def _json(parser: argparse.ArgumentParser, what: str = "machine-readable output") -> None:
    parser.add_argument("--json", action="store_true", help=what)


def _shard_spec(text: str) -> sharding.Shard:
    from localise.sharding import parse

    try:
        return parse(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _executor_spec(text: str) -> choices.Spec:
    from localise.choices import parse_executor

    try:
        return parse_executor(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _shard(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--shard", type=_shard_spec, metavar="K/N",
                        help="only the articles of shard K of N (a stable split by path, for "
                             "a CI matrix: shards never share an output)")


def _init_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("folder", nargs="?", type=Path, default=Path("."), metavar="DIR",
                   help="the new project's folder (default: the current one; made if missing)")
    p.add_argument("--lang", action="append", metavar="L",
                   help="a language to publish, BCP 47 (repeatable): ja, es, pt-BR, zh-Hans")
    p.add_argument("--source-dir", metavar="DIR", help="folder of the articles (default: source)")
    p.add_argument("--dialect", help="Markdown dialect of the articles (the dialect key)")


def _update_arguments(p: argparse.ArgumentParser) -> None:
    _lang(p)
    p.add_argument("--no-obsolete", action="store_true", help="drop obsolete entries")


def _translate_arguments(p: argparse.ArgumentParser) -> None:
    _lang(p)
    p.add_argument("--engine", help="argos, apertium or pseudo (default: from localise.toml)")
    p.add_argument(
        "--retranslate",
        action="store_true",
        help="also refresh existing machine drafts (never human translations)",
    )
    p.add_argument("--beam-size", type=int, metavar="N", help="CTranslate2 beam size")
    p.add_argument("--device", choices=["cpu", "cuda", "auto"], help="CTranslate2 device")
    p.add_argument("--threads", type=int, metavar="N",
                   help="CPU: parallel CTranslate2 workers (0: one per core); GPU: threads")
    p.add_argument("--no-memory", action="store_true",
                   help="machine drafts only: skip translation memory for this run")
    p.add_argument("--executor", type=_executor_spec, metavar="local|ray[=ADDRESS]",
                   help="where the engine runs: this process (default), or the workers of a "
                        "Ray cluster started here (ray) or running at ADDRESS (ray=HEAD:6379)")
    _shard(p)
    _json(p, "print a JSON summary")


def _import_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", type=Path, metavar="SOURCE.md", help="the English article")
    p.add_argument("translated", type=Path, metavar="TRANSLATED.md",
                   help="its translation, with the same structure")
    p.add_argument("--lang", required=True, metavar="L", help="the translation's language")
    _json(p, "print a JSON summary")


def _check_arguments(p: argparse.ArgumentParser) -> None:
    _lang(p)
    _shard(p)
    _json(p)


def _build_arguments(p: argparse.ArgumentParser) -> None:
    _lang(p)
    p.add_argument("--draft", action="store_true", help="also use fuzzy drafts; mark draft: true")
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when any unit of a built page is not a reviewed translation",
    )
    _shard(p)
    _json(p, "every page and every unit that went out in English, as JSON")


def _percent(text: str) -> float:
    """A share from 0 to 100 (``nan`` or ``150`` are usage errors, not a gate that passes)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 100:  # also false for nan
        raise argparse.ArgumentTypeError(f"must be a percentage from 0 to 100, not {text!r}")
    return value


def _status_arguments(p: argparse.ArgumentParser) -> None:
    _lang(p)
    _json(p)
    p.add_argument(
        "--fail-under",
        type=_percent,
        metavar="PCT",
        help="exit 1 when a language's reviewed share is below PCT",
    )


def _review_arguments(p: argparse.ArgumentParser) -> None:
    _lang(p)
    group = p.add_mutually_exclusive_group()
    group.add_argument("--changed-since", metavar="REF",
                       help="mark the units whose page text differs from git revision REF")
    group.add_argument("--since-publish", action="store_true",
                       help="mark the units whose page text differs from the last build")
    _json(p, "counts per language and article, and the files written, as JSON")


def _run_arguments(p: argparse.ArgumentParser) -> None:
    _lang(p)
    p.add_argument("--engine", help="engine for translate")
    p.add_argument("--draft", action="store_true", help="build with fuzzy drafts")


def _models_arguments(p: argparse.ArgumentParser) -> None:
    msub = p.add_subparsers(dest="models_command", required=True, parser_class=_Parser,
                            title="subcommands", metavar="SUBCOMMAND")
    _subparser(msub, "list", "installed argos packages",
               "Reads argos's package folders (or the project's [translate] packages_dir); "
               "writes nothing.", "localise models list")
    mi = _subparser(
        msub, "install", "install a package file, or download one from the index",
        "Reads FILE.argosmodel (or downloads it from the Argos package index, the only "
        "command that uses the network); writes it into argos's package folder, or the "
        "project's [translate] packages_dir.",
        "localise models install translate-en_es-1_0.argosmodel")
    mi.add_argument("file", nargs="?", type=Path, metavar="FILE",
                    help="FILE.argosmodel")
    mi.add_argument(
        "--from-index",
        nargs=2,
        metavar=("FROM", "TO"),
        help="download from the Argos package index (needs the network)",
    )


def _completion_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("shell", choices=["bash", "zsh", "fish"], help="the shell to complete in")


COMMANDS: tuple[Command, ...] = (
    Command(
        "init", "start a project: localise.toml, glossary, .gitignore",
        "Writes, in DIR (default: here), a commented localise.toml listing every key with its "
        "default, an empty glossary (locales/glossary.csv: header and an example row), the "
        "source folder, and .gitignore entries for .localise/ and build/. Refuses to "
        "overwrite an existing project; needs none.",
        "localise init my-site --lang ja --lang es",
        cmd_init, _init_arguments, project=False,
    ),
    Command(
        "extract", "source articles → POT templates (written only on change)",
        "Reads every source/**/*.md and the glossary; writes one template per article, "
        "locales/<slug>.pot, only when its content changed.",
        "localise extract",
        cmd_extract, locked=True,
    ),
    Command(
        "update", "POT → PO per language (keep, fuzzy+previous, obsolete)",
        "Reads the templates (locales/*.pot) and the catalogues; writes "
        "locales/<lang>/LC_MESSAGES/<slug>.po: translations kept, changed entries fuzzy with "
        "the previous msgid, vanished ones obsolete.",
        "localise update --lang ja",
        cmd_update, _update_arguments, locked=True,
    ),
    Command(
        "import", "an existing translation of an article → fuzzy entries",
        "Reads SOURCE.md and TRANSLATED.md (the same article in two languages, the same "
        "structure); writes each unit's translation into the language's catalogue as a fuzzy "
        "entry ('# TM: aligned from …'). Entries already translated are kept.",
        "localise import source/knee.md old-site/ja/knee.md --lang ja",
        cmd_import, _import_arguments, locked=True,
    ),
    Command(
        "translate", "fill untranslated entries with machine drafts (fuzzy)",
        "Reads the catalogues and the glossary; fills untranslated entries from the project's "
        "reviewed translations first ('# TM:'), then with machine drafts ('# MT:'), all fuzzy; "
        "caches sentences in .localise/. A translator's work is never replaced.",
        "localise translate --lang es --engine apertium",
        cmd_translate, _translate_arguments, locked=True,
    ),
    Command(
        "check", "quality checks over every catalogue (exit 1 on an error)",
        "Reads the catalogues, the sources and the glossary; writes nothing. Lists problems "
        "(placeholders, markup, links, glossary terms, Japanese punctuation) as file:line; "
        "exit 1 when any is an error.",
        "localise check --lang ja --json",
        cmd_check, _check_arguments,
    ),
    Command(
        "build", "PO + source → build/<lang>/… (reviewed work only)",
        "Reads the sources and catalogues; writes build/<lang>/<slug>.md from reviewed "
        "translations (with --draft fuzzy drafts too, marked draft: true). A unit whose "
        "translation has an error stays in the source language.",
        "localise build --lang ja --strict",
        cmd_build, _build_arguments, locked=True,
    ),
    Command(
        "status", "translated / fuzzy / untranslated per language",
        "Reads the catalogues (or templates, or sources not extracted yet); writes nothing. "
        "Shows reviewed, fuzzy and untranslated units and words per language and article; "
        "--fail-under is the publishing gate (exit 1).",
        "localise status --fail-under 100",
        cmd_status, _status_arguments,
    ),
    Command(
        "review", "a static review site: source beside translation, states, what changed",
        "Reads the sources, catalogues, glossary and the build record (.localise/), and with "
        "--changed-since the files at a git revision; writes build/review/index.html and "
        "three pages per language and article (units side by side, what changed, the page "
        "as published with its English units marked), only files whose bytes change.",
        "localise review --since-publish --lang ja",
        cmd_review, _review_arguments, locked=True,
    ),
    Command(
        "run", "extract + update + translate + build",
        "Runs extract, update, translate and build in turn: reads the sources, writes "
        "templates, catalogues with machine drafts, and build/<lang>/ pages.",
        "localise run --draft",
        cmd_run, _run_arguments, locked=True,
    ),
    Command(
        "models", "list or install argos translation packages",
        "Lists or installs the offline argos models translate uses, in argos's package "
        "folder (or the project's [translate] packages_dir). Needs no project.",
        "localise models install --from-index en ja",
        cmd_models, _models_arguments, project=False,
    ),
    Command(
        "completion", "shell completion script for bash, zsh or fish",
        "Reads nothing; prints a completion script generated from localise's own arguments "
        "(by shtab). Needs no project.",
        "localise completion bash > ~/.local/share/bash-completion/completions/localise",
        cmd_completion, _completion_arguments, project=False,
    ),
)
"""The subcommands, in pipeline order (the order ``localise --help`` lists them in)."""

BY_NAME = {command.name: command for command in COMMANDS}


# -- the parser ---------------------------------------------------------------------------


class _UsageExit(Exception):
    """argparse rejected the command line: the usage of the parser that did, and why."""

    def __init__(self, usage: str, message: str) -> None:
        super().__init__(message)
        self.usage, self.message = usage, message


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageExit(self.format_usage(), f"{self.prog}: error: {message}\n")


class _Help(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=28, width=_columns() - 2)


def _columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size()`` gives it (argparse's default),
    without importing shutil and its compression modules: argparse makes a formatter for every
    argument added, and a run adds them all."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


def _verbosity(parser: argparse.ArgumentParser, default: Any) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", default=default,
                       help="print errors only (no progress, no summaries)")
    group.add_argument("-v", "--verbose", action="store_true", default=default,
                       help="also print each file with its time, and each stage's time")


def _subparser(sub: Any, name: str, summary: str, description: str, example: str,
               parents: Sequence[argparse.ArgumentParser] = ()) -> argparse.ArgumentParser:
    return sub.add_parser(  # type: ignore[no-any-return]
        name, help=summary, **_help_texts(description, example), parents=list(parents),
    )


def _help_texts(description: str, example: str) -> dict[str, Any]:
    return {"description": description, "epilog": f"example:\n  {example}",
            "formatter_class": _CommandHelp}


class _CommandHelp(_Help):
    """A command's help: its description (one paragraph) wrapped at 88 columns whatever the
    terminal's width, then its example as written."""

    def add_text(self, text: str | None) -> None:
        if text and text is not argparse.SUPPRESS and "\n" not in text:  # the description
            import textwrap  # as argparse's own formatter does: only when help is shown

            text = textwrap.fill(text, 88)
        super().add_text(text)


class _Commands(argparse._SubParsersAction):  # type: ignore[type-arg]
    """The subcommands, each one's parser built only when the command line names it (a run
    builds its own command's, not all twelve), or by :meth:`build` (help, completion)."""

    def add_command(self, command: Command) -> None:
        """List ``command`` (its summary shows in ``localise --help``); built when named."""
        self._choices_actions.append(self._ChoicesPseudoAction(command.name, (), command.summary))
        self._name_parser_map[command.name] = functools.partial(self._command_parser, command)

    def _command_parser(self, command: Command) -> argparse.ArgumentParser:
        verbosity = argparse.ArgumentParser(add_help=False, formatter_class=_Help)
        _verbosity(verbosity, argparse.SUPPRESS)  # SUPPRESS keeps the global value
        parser = self._parser_class(prog=f"{self._prog_prefix} {command.name}",
                                    **_help_texts(command.description, command.example),
                                    parents=[verbosity])
        command.arguments(parser)
        return parser  # type: ignore[no-any-return]

    def build(self, name: str) -> argparse.ArgumentParser:
        """The parser of command ``name`` (made now if not made yet)."""
        found = self._name_parser_map[name]
        if not isinstance(found, argparse.ArgumentParser):
            found = self._name_parser_map[name] = found()
        return found  # type: ignore[no-any-return]

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        self.build(values[0])  # argparse has already checked that it is a command
        super().__call__(parser, namespace, values, option_string)


def _parser(*, every: bool = False) -> argparse.ArgumentParser:
    """The command line's parser; a subcommand's own parser is made when it is named (with
    ``every``, all of them now)."""
    parser = _Parser(
        prog="localise",
        description="Publish Markdown articles in other languages through gettext catalogues "
        "and offline machine drafts.",
        epilog="The project is the nearest folder, here or above, holding localise.toml "
        "(or -C DIR).\nStart one with `localise init --lang ja`; `localise COMMAND --help` says "
        "what a command\nreads and writes. Exit codes: 0 ok, 1 a check or gate failed, 2 bad "
        "input or usage.",
        formatter_class=_Help,
    )
    parser.add_argument(
        "-C",
        dest="directory",
        metavar="DIR",
        type=Path,
        default=Path("."),
        help="run in project folder DIR (with its own localise.toml) instead of the one found "
        "from here",
    )
    _verbosity(parser, False)
    parser.add_argument("--version", action="version", version=f"localise {__version__}")
    # -q / -v after the command too (``localise extract -v``): each command's parser has them
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser,
                                action=_Commands, title="commands (in pipeline order)",
                                metavar="COMMAND")
    for command in COMMANDS:
        sub.add_command(command)
    if every:
        for command in COMMANDS:
            sub.build(command.name)
    return parser


# -- output -------------------------------------------------------------------------------


class Output:
    """Where a command's words go: results on stdout, problems on stderr; ``-q`` keeps only
    problems (and asked-for output: JSON, scripts), ``-v`` adds files and timings on stderr."""

    def __init__(self, *, quiet: bool = False, verbose: bool = False, json_errors: bool = False,
                 stdout: Any = None, stderr: Any = None) -> None:
        self.quiet, self.verbose, self.json_errors = quiet, verbose, json_errors
        self.stdout = stdout if stdout is not None else sys.stdout
        self.stderr = stderr if stderr is not None else sys.stderr
        self.colour_out = colour_enabled(self.stdout)
        self.colour_err = colour_enabled(self.stderr)

    def info(self, text: str) -> None:
        """A result for people (a file written, a summary): not under ``-q``."""
        if not self.quiet:
            print(text, file=self.stdout)

    def result(self, text: str) -> None:
        """Output the command was asked for (JSON, a script): always."""
        print(text, file=self.stdout)

    def json(self, payload: dict[str, Any]) -> None:
        """A JSON result, with the tool and schema versions."""
        self.result(json.dumps(_versioned(payload), indent=2, ensure_ascii=False))

    def problem(self, text: str) -> None:
        """Why a gate failed: always, on stderr."""
        print(text, file=self.stderr)

    def detail(self, text: str) -> None:
        """Only under ``-v``, on stderr."""
        if self.verbose:
            print(text, file=self.stderr)

    def finding(self, where: str, severity: str, rest: str, *, quiet: bool = False) -> None:
        """A check finding: ``file:line: severity: [check] message`` (warnings: not under -q)."""
        if quiet and self.quiet:
            return
        colour = RED if severity == "error" else YELLOW
        print(f"{where}{paint(severity, colour, enabled=self.colour_out)}{rest}",
              file=self.stdout)

    def error(self, exc: LocaliseError) -> None:
        """A failure: ``localise: error: path:line: what is wrong`` (JSON under ``--json``)."""
        if self.json_errors:
            message = exc.message + (f": {exc.excerpt!r}" if exc.excerpt is not None else "")
            self.result(json.dumps(_versioned({"error": {
                "path": exc.path.as_posix() if exc.path is not None else None,
                "line": exc.line,
                "message": message,
                "exit_code": exc.exit_code,
            }}), indent=2, ensure_ascii=False))
            return
        label = paint("error", RED, enabled=self.colour_err)
        print(f"localise: {label}: {exc}", file=self.stderr)

    def files(self, report: Any, verb: str) -> None:
        """The files a stage wrote (or that nothing changed); under ``-v`` the others too."""
        for path in report.written:
            self.info(f"{verb} {path}")
        if self.verbose:
            for path in report.unchanged:
                self.detail(f"up to date {path}")
        if not report.written:
            self.info(f"nothing changed ({len(report.unchanged)} up to date)")

    def fallbacks(self, report: Any, *, failing: bool) -> None:
        """build: per page, the units that went out in the source language and why, as
        ``path:line: [lang] …`` lines (under ``-q`` only when they fail the build)."""
        if not (self.quiet and not failing):
            for page in report.pages:
                for line in _page_lines(page):
                    print(line, file=self.stderr)
        for path, line, message in report.warnings:
            self.problem(f"{path}:{line}: {message}" if line else f"{path}: {message}")
        for path, why in report.kept:
            self.problem(f"{path}: {why}")

    def moves(self, report: Any) -> None:
        """extract: catalogues carried along with renamed articles, or moved aside (stderr),
        and the templates of removed articles (stdout)."""
        for move in report.moved:
            if move.to_article is not None:
                found = f"{move.matched} of {move.units} units found"
                how = (f"came back ({found})" if move.restored
                       else f"renamed from {move.article} ({found})")
                self.problem(f"{move.to_article}: {how}; its catalogues follow it")
            else:
                self.problem(f"{move.article}: removed; its catalogues are moved aside")
            for old, new in move.files:
                self.problem(f"  {old} → {new}")
        for path in report.removed:
            self.info(f"removed {path} (its article is gone)")

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[Bars]:
        """Progress bars (on a terminal, not under ``-q``) for one stage, and its time (``-v``)."""
        start = time.perf_counter()
        show = not self.quiet and _isatty(self.stderr)
        with Bars(name, stream=self.stderr, show=show, verbose=self.verbose) as bars:
            yield bars
        self.detail(f"{name}: {time.perf_counter() - start:.3f} s")


def _excerpt(text: str | None, width: int = 60) -> str:
    if not text:
        return ""
    flat = " ".join(text.split())
    return f' — "{flat[: width - 1]}…"' if len(flat) > width else f' — "{flat}"'


def _page_lines(page: Any) -> Iterator[str]:
    """What build says of one page: kept back, how many units went out in English and why,
    then each unit (only the ones a check or an edit held back when nothing is reviewed)."""
    where = f"{page.article}: [{page.lang}]"
    if not page.published:
        yield (f"{where} not published (publish = \"reviewed\"): {sum(page.kinds.values())} "
               f"of {page.units} units are not reviewed translations; {page.path} is not "
               "written (an earlier version stays as it was)")
    english = page.english
    if not english:
        return
    detail = ", ".join(f"{n} {kind}" for kind, n in page.kinds.items() if kind != "unreviewed")
    if english == page.units:
        yield f"{where} all {page.units} units went out in English ({detail}): {page.path}"
        if not (page.kinds.keys() & {"withheld", "fuzzy"}):
            return
        listed = [note for note in page.fallbacks if note.kind in ("withheld", "fuzzy")]
    else:
        yield f"{where} {english} of {page.units} units went out in English ({detail}): " \
              f"{page.path}"
        listed = page.fallbacks
    for note in listed:
        yield (f"{page.article}:{note.line}: [{page.lang}] kept the source text ({note.kind}): "
               f"{note.reason}{_excerpt(note.msgid)}")


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _versioned(payload: dict[str, Any]) -> dict[str, Any]:
    return {"version": __version__, "schema": JSON_SCHEMA, **payload}


# -- main ---------------------------------------------------------------------------------


def _open(command: Command, start: Path, out: Output) -> Project | None:
    """The project the command runs in (found from ``start``), or None when it needs none."""
    from localise.config import CONFIG_NAME
    from localise.project import Project, find_root

    if command.project:
        project = Project.find(start)
    else:
        root = find_root(start) if command.name == "models" else None
        project = Project.open(root) if root is not None else None
    if project is not None:
        out.detail(f"project: {project.root} ({CONFIG_NAME})")
    return project


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the exit flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _tolerant_streams() -> None:
    """A terminal or pipe that cannot encode UTF-8 (``LANG=C``) gets escapes, not a crash."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (stream.encoding or "").lower().replace("-", "") != "utf8":
            reconfigure(errors="backslashreplace")


def _handle(command: Command, run: Run) -> int:
    """Run the command, then let go of the project's tables (what it did not save is
    forgotten)."""
    try:
        return command.handler(run)
    finally:
        if run.project is not None:
            run.project.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``localise`` command; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    start = time.perf_counter()
    _tolerant_streams()
    try:
        args = _parser().parse_args(argv)
    except _UsageExit as exc:
        out = Output(json_errors="--json" in argv)
        if out.json_errors:
            out.error(UsageError(exc.message.split("error: ", 1)[-1].strip()))
        else:
            sys.stderr.write(exc.usage + exc.message)
        return EXIT_USAGE
    out = Output(quiet=args.quiet, verbose=args.verbose and not args.quiet,
                 json_errors=getattr(args, "json", False))
    command = BY_NAME[args.command]
    run = Run(args, out)
    from localise.files import project_lock, remove_leftovers  # not for --help, --version

    try:
        run.project = _open(command, args.directory, out)
        if command.locked and run.project is not None:
            with project_lock(run.project.config.cache_dir):
                remove_leftovers(run.project.written_folders())  # of a run that was killed
                code = _handle(command, run)  # its tables let go of inside the lock
        else:
            code = _handle(command, run)
        out.detail(f"total: {time.perf_counter() - start:.3f} s")
        return code
    except LocaliseError as exc:
        if exc.path is not None and exc.path.is_absolute():
            root = run.project.root if run.project is not None else args.directory.resolve()
            if exc.path != root and exc.path.is_relative_to(root):  # project files: relative
                exc.path = exc.path.relative_to(root)
        out.error(exc)
        return exc.exit_code
    except OSError as exc:  # the file system refused: name the file, no traceback
        if isinstance(exc, BrokenPipeError):  # `| head` stopped reading: not an error
            _silence_stdout()
            return EXIT_OK
        where = f"{exc.filename}: " if exc.filename else ""
        if out.json_errors:
            out.error(UsageError(str(exc.strerror or exc), path=exc.filename))
        else:
            print(f"localise: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("localise: interrupted; files already written are complete", file=sys.stderr)
        return 130
