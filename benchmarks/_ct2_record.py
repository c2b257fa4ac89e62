"""Run a program with every CTranslate2 ``translate_batch`` call recorded (untimed runs only).

    python benchmarks/_ct2_record.py --log calls.json -- localise -C P translate ...
    python benchmarks/_ct2_record.py --log calls.json -- _argos_loop --units u.json --out o.json

``translate_real_bench.py`` uses it to learn, without touching either program's code, what
each contender asks of the model: the ``Translator`` options, every ``translate_batch`` call
(its examples' SentencePiece pieces, its options) and, per example, the number of tokens
generated (``len(hypotheses[0])``, ``</s>`` not counted), asynchronous results included.

``ctranslate2.Translator`` is replaced, before the program imports anything, by a thin Python
wrapper that forwards every call to the real translator. ``localise`` runs through its
console-script entry point (the CLI, as installed); ``_argos_loop`` is imported from
``benchmarks/`` and its ``main()`` called. The log is written at exit, also when the program
ends with ``sys.exit``.
"""

from __future__ import annotations

import atexit
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

LOG: dict[str, Any] = {"translators": [], "calls": []}


def _install() -> None:
    import ctranslate2

    real = ctranslate2.Translator

    class _Async:
        def __init__(self, job: Any, record: dict[str, Any], index: int) -> None:
            self._job, self._record, self._index = job, record, index

        def result(self) -> Any:
            out = self._job.result()
            self._record["generated"][self._index] = len(out.hypotheses[0])
            return out

        def done(self) -> bool:
            return bool(self._job.done())

    class RecordingTranslator:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            LOG["translators"].append({"args": [str(a) for a in args],
                                       "kwargs": {k: str(v) for k, v in kwargs.items()}})
            self._real = real(*args, **kwargs)

        def translate_batch(self, source: list[list[str]], *args: Any, **kwargs: Any) -> Any:
            record = {"examples": len(source), "pieces": [list(s) for s in source],
                      "options": {k: v for k, v in kwargs.items()
                                  if isinstance(v, (int, float, str, bool)) or v is None},
                      "target_prefix": kwargs.get("target_prefix") is not None,
                      "generated": [None] * len(source)}
            LOG["calls"].append(record)
            out = self._real.translate_batch(source, *args, **kwargs)
            if kwargs.get("asynchronous"):
                return [_Async(job, record, i) for i, job in enumerate(out)]
            for i, result in enumerate(out):
                record["generated"][i] = len(result.hypotheses[0])
            return out

        def __getattr__(self, name: str) -> Any:
            return getattr(self._real, name)

    ctranslate2.Translator = RecordingTranslator  # type: ignore[misc]


def main() -> int:
    argv = sys.argv[1:]
    if len(argv) < 4 or argv[0] != "--log" or argv[2] != "--":
        sys.exit("usage: _ct2_record.py --log FILE -- (localise|_argos_loop) ARGS...")
    log_path, program, args = Path(argv[1]), argv[3], argv[4:]

    def write() -> None:
        log_path.write_text(json.dumps(LOG, ensure_ascii=False), encoding="utf-8")

    atexit.register(write)
    _install()
    if program == "localise":
        from importlib.metadata import entry_points

        (entry,) = [e for e in entry_points(group="console_scripts") if e.name == "localise"]
        sys.argv = ["localise", *args]
        return int(entry.load()() or 0)
    if program == "_argos_loop":
        sys.path.insert(0, str(HERE))
        import _argos_loop

        sys.argv = [str(HERE / "_argos_loop.py"), *args]
        return int(_argos_loop.main() or 0)
    sys.exit(f"_ct2_record.py: unknown program {program!r}")


if __name__ == "__main__":
    sys.exit(main())
