"""Process B of translate_bench.py: a plain argostranslate loop, one ``translate()`` per unit.

Run by ``benchmarks/translate_bench.py`` (not meant to be run by hand, but it works)::

    ARGOS_PACKAGES_DIR=... HOME=... XDG_*=... python benchmarks/_argos_loop.py \
        --units units.json --out result.json [--beam-size 4]

It does what a user of argostranslate 1.11 would do: ``get_installed_languages()``, take the
installed en→ja translation with ``Language.get_translation()`` and call
``translation.translate(text)`` once per unit, in a loop.

What is patched, and why (nothing else is):

* **The sentence splitter.** argostranslate 1.11 builds a ``MiniSBDSentencizer`` for every
  ``PackageTranslation`` (``argostranslate/translate.py``, ``PackageTranslation.__init__``),
  and its first ``split_sentences()`` downloads an ONNX model from the internet, which fails
  offline. ``get_translation()`` returns a ``CachedTranslation`` whose ``.underlying`` is that
  ``PackageTranslation``; we replace the instance attribute ``underlying.sentencizer`` with
  :class:`LocaliseSentencizer`, a ``argostranslate.sbd.ISentenceBoundaryDetectionModel`` whose
  ``split_sentences()`` calls ``localise.sentences.split(text, lang="en")`` (the splitter
  ``localise translate`` uses, for a fair comparison) and strips each piece, dropping blank
  ones. A piece longer than the model's input limit (its position table, read by
  ``localise.engines.argos.model_limits``) is cut at word starts exactly as
  ``localise.engines.argos`` cuts it (``_chunk``): without that,
  argostranslate 1.11 passes long sentences whole and CTranslate2 raises ``RuntimeError: No
  position encodings are defined for positions >= 256`` on the shipped paragraphs.
  ``apply_packaged_translation()`` then tokenises, translates and detokenises exactly as
  shipped. No module-level function of argostranslate is monkeypatched.
* **The beam size**, only when ``--beam-size`` is given: ``argostranslate.settings.beam_size``
  (what ``ARGOS_BEAM_SIZE`` sets; argostranslate's default is 4). ``translate()`` asks for one
  hypothesis and decodes with ``beam_size=max(1, settings.beam_size)``, ``batch_type="tokens"``,
  ``max_batch_size=settings.batch_size`` (32), ``length_penalty=0.2``.
* **The network.** ``socket.socket.connect``, ``socket.create_connection`` and
  ``socket.getaddrinfo`` raise, so any download attempt fails loudly instead of hanging.

The caller sets ``ARGOS_PACKAGES_DIR``, ``HOME`` and ``XDG_{DATA,CACHE,CONFIG}_HOME`` to
temporary folders, so argostranslate never reads or writes the real home.

Writes JSON: ``outputs`` (one per unit), ``sentences`` (pieces sent to the model),
``import_s``, ``load_s`` (languages + first translation object), ``loop_s``.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import time
from pathlib import Path


def _block_network() -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network access blocked by benchmarks/_argos_loop.py")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse  # type: ignore[assignment]
    socket.getaddrinfo = refuse  # type: ignore[assignment]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--units", type=Path, required=True, help="JSON list of texts")
    parser.add_argument("--out", type=Path, required=True, help="JSON result file")
    parser.add_argument("--beam-size", type=int, help="override argostranslate's beam (4)")
    parser.add_argument("--source", default="en")
    parser.add_argument("--target", default="ja")
    args = parser.parse_args()
    _block_network()

    units: list[str] = json.loads(args.units.read_text("utf-8"))
    t0 = time.perf_counter()
    from argostranslate import sbd, settings
    from argostranslate import translate as argos_translate

    from localise import sentences
    from localise.engines.argos import _chunk, model_limits

    t1 = time.perf_counter()
    if args.beam_size is not None:
        settings.beam_size = args.beam_size

    counted = [0]

    class LocaliseSentencizer(sbd.ISentenceBoundaryDetectionModel):
        """localise's rule-based splitter in argostranslate's sentencizer interface."""

        def split_sentences(self, text: str) -> list[str]:
            parts = []
            for part in sentences.split(text, lang=args.source):
                if not part.strip():
                    continue
                pieces = tokenizer.encode(part.strip(), out_type=str)
                for chunk in _chunk(pieces, limit):
                    parts.append(tokenizer.decode_pieces(chunk).replace("▁", " ").strip())
            counted[0] += len(parts)
            return parts

    languages = {lang.code: lang for lang in argos_translate.get_installed_languages()}
    translation = languages[args.source].get_translation(languages[args.target])
    if translation is None:
        print(f"no {args.source}→{args.target} translation installed", file=sys.stderr)
        return 2
    package_translation = getattr(translation, "underlying", translation)
    tokenizer = package_translation.pkg.tokenizer.lazy_processor()
    limit = model_limits(package_translation.pkg.package_path / "model").source
    package_translation.sentencizer = LocaliseSentencizer()
    t2 = time.perf_counter()

    outputs = [translation.translate(text) for text in units]
    t3 = time.perf_counter()

    result = {
        "units": len(units),
        "sentences": counted[0],
        "beam_size": max(1, settings.beam_size),
        "batch_size": settings.batch_size,
        "import_s": t1 - t0,
        "load_s": t2 - t1,
        "loop_s": t3 - t2,
        "outputs": outputs,
    }
    args.out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
