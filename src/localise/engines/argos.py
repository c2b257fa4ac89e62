"""Argos Translate packages run directly through CTranslate2, batched and fully offline.

We reuse argostranslate's package format (see :mod:`localise.argos_packages`) but not
``argostranslate.translate``: that path sentence-splits with MiniSBD/Stanza (which download
models on first use) and translates paragraph by paragraph. Here the caller has already split
sentences, and all segments of a call are translated together: sorted by length and cut into
batches of at most ``max_batch_size`` sentences and ``MAX_BATCH_TOKENS`` padded source tokens
(see :func:`_batches` for why both), each one ``translate_batch`` call.

Pre/post-processing mirrors ``argostranslate.translate.apply_packaged_translation`` 1.11:
SentencePiece pieces in, ``target_prefix`` from metadata as the decoder prefix,
``replace_unknowns=True``, ``length_penalty=0.2``; decoding strips the prefix and one leading
space. One deliberate difference: argostranslate also turns every ``_`` in the output into a
space, which corrupts identifiers such as ``snake_case``; we only map the ``▁`` marker.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from localise.argos_packages import PackageInfo, find_package
from localise.engines.base import EngineOptions, split_outer_space
from localise.errors import EngineError

if TYPE_CHECKING:
    import ctranslate2
    import sentencepiece

__all__ = ["ArgosEngine"]

LENGTH_PENALTY = 0.2  # as argostranslate


@dataclass(frozen=True, slots=True, kw_only=True)
class _Loaded:
    """A package with its CTranslate2 translator and SentencePiece processor loaded."""

    package: PackageInfo
    translator: ctranslate2.Translator
    tokenizer: sentencepiece.SentencePieceProcessor


MAX_INPUT_PIECES = 200
"""Longest token list sent to a model in one piece (argos models have 256 positions)."""


MAX_POSITIONS = 256
"""Positions of argos models; CTranslate2's default ``max_decoding_length``."""


MAX_BATCH_TOKENS = 1024
"""Most padded source tokens (sentences × longest) in one batch; see :func:`_batches`."""


def _batches(lengths: list[int], max_examples: int, max_tokens: int) -> list[range]:
    """Cut ``lengths`` (sorted ascending) into consecutive runs for one ``translate_batch`` each.

    A run holds at most ``max_examples`` sentences and, unless a single sentence is longer,
    at most ``max_tokens`` padded tokens (count × longest). Counting sentences alone lets a
    batch of the longest inputs grow to 32 × 200 source tokens: in beam search CTranslate2
    keeps, and reorders at every step, a decoder cache of steps × layers × 2 × d_model floats
    per hypothesis, so such a batch (128 hypotheses at beam 4) moves hundreds of MB per step,
    falls out of the CPU caches and pages fresh memory in each step; measured on the test copy
    model, larger batches of long inputs were slower per sentence than batches of one. A
    token budget (as OpenNMT, fairseq and argostranslate batch) keeps batches of short
    sentences at ``max_examples`` and batches of long ones small.
    """
    runs: list[range] = []
    start = 0
    for end, length in enumerate(lengths):
        count = end - start + 1
        if end > start and (count > max_examples or count * length > max_tokens):
            runs.append(range(start, end))
            start = end
    if lengths:
        runs.append(range(start, len(lengths)))
    return runs


def _max_decoding_length(longest: int, prefix: bool) -> int:
    """Decoding steps allowed for a batch whose longest input has ``longest`` pieces.

    CTranslate2's default cap is 256 steps whatever the input, so a real model that starts
    repeating itself spends up to 256 beam steps on a five-piece sentence, and its batch keeps
    stepping until then. Translations are rarely over twice as long as their source in pieces,
    so we allow 3 × the longest input + 10 (like Marian's ``--max-length-factor 3``), plus the
    prefix, never more than the 256 positions argos models have.
    """
    return min(MAX_POSITIONS, 3 * longest + 10 + int(prefix))


def _chunk(tokens: list[str], limit: int) -> list[list[str]]:
    """Split ``tokens`` into runs of at most ``limit``, cutting before a word start if possible."""
    chunks: list[list[str]] = []
    while len(tokens) > limit:
        cut = max((i for i in range(limit // 2, limit + 1) if tokens[i].startswith("▁")),
                  default=limit)
        chunks.append(tokens[:cut])
        tokens = tokens[cut:]
    chunks.append(tokens)
    return chunks


class ArgosEngine:
    """The default engine: installed argos packages, all segments of a call batched together."""

    name = "argos"

    def __init__(self, *, options: EngineOptions) -> None:
        self._options = options
        self._loaded: dict[tuple[str, str], _Loaded] = {}

    def version(self, *, source: str, target: str) -> str:
        """Return e.g. ``argos translate-en_ja 1.9`` for the package that would be used."""
        package = self._package(source, target)
        return f"argos {package.name} {package.package_version}".rstrip()

    def translate(self, segments: Sequence[str], *, source: str, target: str) -> list[str]:
        """Translate sentences in one CTranslate2 batch; empty segments are returned unchanged."""
        pieces = [split_outer_space(s) for s in segments]
        work = [i for i, (_, core, _) in enumerate(pieces) if core]
        out = list(segments)
        if not work:
            return out
        loaded = self._load(source, target)
        # Models have a fixed number of positions (argos: 256); argostranslate truncates longer
        # input, losing text. We cut over-long token lists into chunks at word starts instead.
        chunks: list[list[str]] = []
        owner: list[tuple[int, bool]] = []  # (segment index, chunk starts a new word)
        for i in work:
            tokens = loaded.tokenizer.encode(pieces[i][1], out_type=str)
            for n, chunk in enumerate(_chunk(tokens, MAX_INPUT_PIECES)):
                chunks.append(chunk)
                owner.append((i, n > 0 and chunk[0].startswith("▁")))
        order = sorted(range(len(chunks)), key=lambda k: len(chunks[k]))
        prefix = loaded.package.target_prefix
        lengths = [len(chunks[k]) for k in order]
        pending: list[Any] = []
        try:
            # Batches are submitted asynchronously: on the CPU each of the translator's workers
            # (inter_threads) decodes its own batch, so all cores stay busy without the cost of
            # splitting every small matrix product across threads.
            for run in _batches(lengths, self._options.max_batch_size, MAX_BATCH_TOKENS):
                pending += loaded.translator.translate_batch(
                    [chunks[order[j]] for j in run],
                    target_prefix=[[prefix]] * len(run) if prefix else None,
                    max_batch_size=len(run),
                    batch_type="examples",
                    beam_size=self._options.beam_size,
                    num_hypotheses=1,
                    length_penalty=LENGTH_PENALTY,
                    replace_unknowns=True,
                    max_decoding_length=_max_decoding_length(lengths[run[-1]], bool(prefix)),
                    asynchronous=True,
                )
            results = [job.result() for job in pending]
        except (RuntimeError, ValueError) as err:
            raise EngineError(
                f"CTranslate2 failed on {loaded.package.name}: {err}", path=loaded.package.path
            ) from err
        texts: dict[int, str] = {}
        decoded = [""] * len(chunks)
        for k, result in zip(order, results, strict=True):
            decoded[k] = self._detokenize(loaded, result.hypotheses[0])
        for k, (i, spaced) in enumerate(owner):
            texts[i] = texts.get(i, "") + (" " if spaced else "") + decoded[k]
        for i, text in texts.items():
            lead, _, trail = pieces[i]
            out[i] = f"{lead}{text}{trail}"
        return out

    @staticmethod
    def _detokenize(loaded: _Loaded, tokens: list[str]) -> str:
        text: str = loaded.tokenizer.decode_pieces(tokens).replace("▁", " ")
        prefix = loaded.package.target_prefix
        if prefix and text.startswith(prefix):
            text = text[len(prefix) :]
        return text[1:] if text.startswith(" ") else text

    def _package(self, source: str, target: str) -> PackageInfo:
        loaded = self._loaded.get((source, target))
        if loaded is not None:
            return loaded.package
        return find_package(source, target, packages_dir=self._options.packages_dir)

    def _load(self, source: str, target: str) -> _Loaded:
        key = (source, target)
        if key not in self._loaded:
            package = find_package(source, target, packages_dir=self._options.packages_dir)
            self._loaded[key] = _Loaded(
                package=package,
                translator=self._translator(package),
                tokenizer=self._tokenizer(package),
            )
        return self._loaded[key]

    def _translator(self, package: PackageInfo) -> Any:
        import ctranslate2

        device = self._options.device
        if device == "auto":
            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        model_dir = package.path / "model"
        if device == "cpu":
            # throughput: one worker per core, each single-threaded (``threads`` = workers)
            inter, intra = self._options.threads or os.cpu_count() or 1, 1
        else:
            inter, intra = 1, self._options.threads
        try:
            return ctranslate2.Translator(
                str(model_dir),
                device=device,
                compute_type="auto",
                inter_threads=inter,
                intra_threads=intra,
            )
        except (RuntimeError, ValueError, OSError) as err:
            raise EngineError(f"cannot load the CTranslate2 model: {err}", path=model_dir) from err

    @staticmethod
    def _tokenizer(package: PackageInfo) -> Any:
        import sentencepiece

        model_file = package.path / "sentencepiece.model"
        if not model_file.is_file():
            raise EngineError(
                "package has no sentencepiece.model (BPE packages are not supported)",
                path=package.path,
            )
        try:
            return sentencepiece.SentencePieceProcessor(model_file=str(model_file))
        except (RuntimeError, OSError) as err:
            raise EngineError(f"cannot load SentencePiece model: {err}", path=model_file) from err
