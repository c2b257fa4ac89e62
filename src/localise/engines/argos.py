"""Argos Translate packages run directly through CTranslate2, batched and fully offline.

We reuse argostranslate's package format (see :mod:`localise.argos_packages`) but not
``argostranslate.translate``: that path sentence-splits with MiniSBD/Stanza (which download
models on first use) and translates paragraph by paragraph. Here the caller has already split
sentences, and all segments of a call are translated together: sorted by length and cut into
batches of at most ``max_batch_size`` sentences (32 when it is 0, the default) and
``MAX_BATCH_TOKENS`` padded source tokens (see :func:`_batches` for why both), each one
``translate_batch`` call.

Pre/post-processing mirrors ``argostranslate.translate.apply_packaged_translation`` 1.11 for
every package layout it runs: SentencePiece pieces (``sentencepiece.model``) or Moses tokens +
BPE (``bpe.model``, through argostranslate's own ``BPETokenizer``), shared or separate
vocabularies (CTranslate2 reads either), ``target_prefix`` from metadata as the decoder
prefix, ``replace_unknowns=True``, ``length_penalty`` 0.2; decoding drops the prefix and one
leading space. Deliberate differences, each because argostranslate's output is wrong there:

* argostranslate turns every ``_`` of a SentencePiece decoding into a space, which corrupts
  identifiers such as ``snake_case`` (and a ``target_prefix`` such as ``__ja__``, which it then
  fails to strip); we only map the ``▁`` marker and drop the prefix token itself.
* Moses tokenisation splits ``⟦1⟧`` into three tokens and detokenises it as ``⟦ 1 ⟧`` with
  spaces around; we restore the token and the spacing the source had around it.
* argostranslate sends a sentence whole (CTranslate2 fails past the model's positions); we cut
  an input longer than the model's real limit (its position table, read from ``model.bin``)
  into chunks at word starts.
* Decoding is capped per sentence (see :func:`max_decoding_length`) and a batch only holds
  sentences that share a cap, so a sentence's draft never depends on what else is in the run.
"""

from __future__ import annotations

import json
import math
import os
import re
import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from localise.argos_packages import PackageInfo, find_package
from localise.engines.base import EngineOptions, Identity, split_outer_space
from localise.errors import EngineError

if TYPE_CHECKING:
    import ctranslate2

__all__ = ["ArgosEngine", "ModelLimits", "max_decoding_length", "model_limits"]

DECODING_POLICY = "cap-per-sentence-buckets-8x1.5"
"""Names how decoding is capped and batched; part of the cache key (bump when it changes)."""
CAP_BUCKET = 8
"""Inputs are capped by their length rounded up to the next of 8, 12, 18, 27, 41, … tokens
(each bucket 1.5 × the last), so that sentences of similar length share a cap (and a batch)
while the cap stays a function of the sentence alone."""
CAP_GROWTH = 1.5
CAP_EXTRA = 10
"""Tokens every draft may have beyond ``max_length_ratio`` × its (rounded) input."""
DEFAULT_POSITIONS = 256
"""Positions assumed when a model's ``model.bin`` cannot be read (argos models have ≥ 256)."""
UNBOUNDED_INPUT = 1024
"""Longest input sent whole to a model with no position table (CTranslate2's own default)."""
MAX_BATCH_TOKENS = 1024
"""Most padded source tokens (sentences × longest) in one batch; see :func:`_batches`."""


@dataclass(frozen=True, slots=True)
class ModelLimits:
    """How long a model's inputs and outputs may be, in tokens."""

    source: int
    """Most tokens of one input (the encoder's positions less the ``</s>``/``<s>`` added)."""
    target: int
    """Most decoding steps (the decoder's positions)."""


def _read_header(path: Path) -> dict[str, tuple[int, ...]]:
    """Variable name → shape, from a CTranslate2 ``model.bin`` (binary version 6), aliases
    included; the weights themselves are skipped, not read."""
    shapes: dict[str, tuple[int, ...]] = {}
    with path.open("rb") as f:

        def number(fmt: str) -> int:
            size = struct.calcsize(fmt)
            data = f.read(size)
            if len(data) != size:
                raise ValueError("truncated model.bin")
            value: int = struct.unpack(fmt, data)[0]
            return value

        def string() -> str:
            length = number("<H")
            return f.read(length)[:-1].decode("utf-8")

        if number("<I") != 6:
            raise ValueError("unknown model.bin version")
        string()  # spec name
        number("<I")  # spec revision
        for _ in range(number("<I")):
            name = string()
            rank = number("<B")
            shapes[name] = tuple(number("<I") for _ in range(rank))
            number("<B")  # dtype
            f.seek(number("<I"), os.SEEK_CUR)
        for _ in range(number("<I")):
            alias, target = string(), string()
            if target in shapes:
                shapes[alias] = shapes[target]
    return shapes


def model_limits(model_dir: Path) -> ModelLimits:
    """The real input and output limits of the CTranslate2 model in ``model_dir``.

    A Transformer with learned or stored sinusoidal positions (OpenNMT-py stores 5,000; the
    test models 256) fails on inputs past its table; one without a table (relative positions)
    has no such limit and gets CTranslate2's default input length."""
    try:
        shapes = _read_header(model_dir / "model.bin")
    except (OSError, ValueError, UnicodeDecodeError, struct.error):
        return ModelLimits(DEFAULT_POSITIONS - 1, DEFAULT_POSITIONS)
    try:
        config = json.loads((model_dir / "config.json").read_text("utf-8"))
    except (OSError, ValueError):
        config = {}
    extra = int(bool(config.get("add_source_eos"))) + int(bool(config.get("add_source_bos")))
    encoder = shapes.get("encoder/position_encodings/encodings")
    decoder = shapes.get("decoder/position_encodings/encodings")
    source = encoder[0] - extra if encoder else UNBOUNDED_INPUT
    target = decoder[0] if decoder else UNBOUNDED_INPUT
    return ModelLimits(max(1, source), max(2, target))


def max_decoding_length(
    length: int, *, prefix: bool, ratio: float, limit: int
) -> int:
    """Decoding steps allowed for an input of ``length`` tokens: a function of that length
    alone, so a sentence's draft is the same whatever shares its batch.

    CTranslate2's default cap is 256 steps whatever the input, so a real model that starts
    repeating itself spends up to 256 beam steps on a five-piece sentence. Translations are
    rarely over twice as long as their source in tokens, so we allow ``ratio`` (3, like
    Marian's ``--max-length-factor 3``) × the length rounded up to its bucket (see
    ``CAP_BUCKET``) + 10, plus the prefix, never more than the model's decoder positions.
    """
    rounded = CAP_BUCKET
    while rounded < length:
        rounded = math.ceil(rounded * CAP_GROWTH)
    return min(limit, int(ratio * rounded) + CAP_EXTRA + int(prefix))


def _batches(
    lengths: list[int], caps: list[int], max_examples: int, max_tokens: int
) -> list[range]:
    """Cut ``lengths`` (sorted ascending, each with its decoding cap) into runs for one
    ``translate_batch`` each; every sentence of a run has the same cap.

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
        if end > start and (
            count > max_examples or count * length > max_tokens or caps[end] != caps[start]
        ):
            runs.append(range(start, end))
            start = end
    if lengths:
        runs.append(range(start, len(lengths)))
    return runs


class _Tokenizer(Protocol):
    kind: str

    def encode(self, text: str) -> list[str]: ...

    def decode(self, tokens: list[str], source: str) -> str: ...

    def starts_word(self, tokens: list[str], i: int) -> bool: ...


class _SentencePiece:
    """SentencePiece pieces, decoded as argostranslate does, minus its ``_`` → space."""

    kind = "sentencepiece"

    def __init__(self, model_file: Path) -> None:
        import sentencepiece

        try:
            self.processor = sentencepiece.SentencePieceProcessor(model_file=str(model_file))
        except (RuntimeError, OSError) as err:
            raise EngineError(f"cannot load SentencePiece model: {err}", path=model_file) from err

    def encode(self, text: str) -> list[str]:
        pieces: list[str] = self.processor.encode(text, out_type=str)
        return pieces

    def decode(self, tokens: list[str], source: str) -> str:
        text: str = self.processor.decode_pieces(tokens).replace("▁", " ")
        return text

    def starts_word(self, tokens: list[str], i: int) -> bool:
        return tokens[i].startswith("▁")


_SPACED_TOKEN = re.compile(r"\s*⟦\s*(/?)\s*(\d+)\s*⟧\s*")


class _MosesBPE:
    """Moses tokens + BPE through argostranslate's own ``BPETokenizer`` (sacremoses)."""

    kind = "bpe"

    def __init__(self, model_file: Path, source: str, target: str) -> None:
        from argostranslate.tokenizer import BPETokenizer

        self.tokenizer = BPETokenizer(model_file, source, target)
        try:
            self.tokenizer.lazy_load()
        except (OSError, ValueError, UnicodeDecodeError) as err:
            raise EngineError(f"cannot load BPE model: {err}", path=model_file) from err

    def encode(self, text: str) -> list[str]:
        tokens: list[str] = self.tokenizer.encode(text)
        return tokens

    def decode(self, tokens: list[str], source: str) -> str:
        text: str = self.tokenizer.decode(tokens)
        return _respace_tokens(text, source) if "⟦" in text else text

    def starts_word(self, tokens: list[str], i: int) -> bool:
        return i == 0 or not tokens[i - 1].endswith("@@")


def _respace_tokens(text: str, source: str) -> str:
    """``⟦ 1 ⟧`` back to ``⟦1⟧``, with whitespace around it only where the source had some."""
    around: dict[str, tuple[bool, bool]] = {}
    for match in re.finditer(r"⟦(/?\d+)⟧", source):
        before = match.start() > 0 and source[match.start() - 1].isspace()
        after = match.end() < len(source) and source[match.end()].isspace()
        around.setdefault(match.group(1), (before or match.start() == 0, after))

    def tidy(match: re.Match[str]) -> str:
        label = match.group(1) + match.group(2)
        spaced_before, spaced_after = around.get(label, (True, True))
        at_start, at_end = match.start() == 0, match.end() == len(text)
        lead = " " if spaced_before and not at_start and match.group(0)[0].isspace() else ""
        trail = " " if spaced_after and not at_end and match.group(0)[-1].isspace() else ""
        return f"{lead}⟦{label}⟧{trail}"

    return _SPACED_TOKEN.sub(tidy, text)


def _chunk(tokens: list[str], limit: int, starts_word: Any = None) -> list[list[str]]:
    """Split ``tokens`` into runs of at most ``limit``, cutting before a word start if possible
    (``starts_word(tokens, i)``; SentencePiece's ``▁`` marker by default)."""
    if starts_word is None:

        def starts_word(pieces: list[str], i: int) -> bool:
            return pieces[i].startswith("▁")

    chunks: list[list[str]] = []
    while len(tokens) > limit:
        cut = max((i for i in range(max(1, limit // 2), limit + 1) if starts_word(tokens, i)),
                  default=limit)
        chunks.append(tokens[:cut])
        tokens = tokens[cut:]
    chunks.append(tokens)
    return chunks


@dataclass(frozen=True, slots=True, kw_only=True)
class _Loaded:
    """A package with its CTranslate2 translator, tokeniser and limits loaded."""

    package: PackageInfo
    translator: ctranslate2.Translator
    tokenizer: _Tokenizer
    limits: ModelLimits


def _cuda_devices(ctranslate2: Any) -> int:
    """CUDA GPUs CTranslate2 can use (0 when its build or the machine has none)."""
    try:
        return int(ctranslate2.get_cuda_device_count())
    except RuntimeError:  # no CUDA runtime or driver found
        return 0


class ArgosEngine:
    """The default engine: installed argos packages, all segments of a call batched together."""

    name = "argos"
    call_size = 2048
    """Sentences per call: each call ends when its last batch does, and a call's sentences are
    cut into cap buckets of their own, so calls of 256 left workers idle at every call's end
    and cut buckets into small batches (``translate_real_bench.py --articles 12``); 2,048
    keeps progress reported every few seconds to a minute."""

    def __init__(self, *, options: EngineOptions) -> None:
        self._options = options
        self._loaded: dict[tuple[str, str], _Loaded] = {}
        self._loading = threading.Lock()  # a warm-up thread and translate() load once

    def version(self, *, source: str, target: str) -> str:
        """Return e.g. ``argos translate-en_ja 1.9`` for the package that would be used."""
        package = self._package(source, target)
        return f"argos {package.name} {package.package_version}".rstrip()

    def identity(self, *, source: str, target: str) -> Identity:
        """The package (its files' content is hashed by the caller), tokeniser, prefix,
        decoding options and the decoding policy: everything the output depends on."""
        package = self._package(source, target)
        label = f"argos {package.name} {package.package_version}".rstrip()
        parts = (
            "argos",
            label,
            package.tokenizer,
            f"prefix={package.target_prefix}",
            *self._options.decoding,
            DECODING_POLICY,
        )
        return Identity(label, parts, package.files())

    def prepare(self, *, source: str, target: str) -> None:
        """Load the pair's model now (CTranslate2 releases the GIL while it loads, so a
        :class:`~localise.engines.base.WarmUp` thread runs it beside the caller's work)."""
        self._load(source, target)

    def limits(self, *, source: str, target: str) -> ModelLimits:
        """The input and output limits of the pair's model (loading it)."""
        return self._load(source, target).limits

    def translate(self, segments: Sequence[str], *, source: str, target: str) -> list[str]:
        """Translate sentences in CTranslate2 batches; empty segments are returned unchanged."""
        pieces = [split_outer_space(s) for s in segments]
        work = [i for i, (_, core, _) in enumerate(pieces) if core]
        out = list(segments)
        if not work:
            return out
        loaded = self._load(source, target)
        tokenizer = loaded.tokenizer
        # argostranslate sends over-long inputs whole and CTranslate2 fails past the model's
        # positions; we cut them into chunks at word starts instead.
        chunks: list[list[str]] = []
        owner: list[tuple[int, bool]] = []  # (segment index, chunk starts a new word)
        for i in work:
            tokens = tokenizer.encode(pieces[i][1])
            start = 0
            for n, chunk in enumerate(_chunk(tokens, loaded.limits.source, tokenizer.starts_word)):
                chunks.append(chunk)
                owner.append((i, n > 0 and tokenizer.starts_word(tokens, start)))
                start += len(chunk)
        prefix = loaded.package.target_prefix
        caps = [
            max_decoding_length(
                len(chunk),
                prefix=bool(prefix),
                ratio=self._options.max_length_ratio,
                limit=loaded.limits.target,
            )
            for chunk in chunks
        ]
        # Greedy search (beam 1) writes a sentence's first n tokens whatever the cap, so a
        # batch may decode to its longest cap and each hypothesis is cut back to its own: the
        # same tokens, in fuller batches. A beam's choice depends on the cap: one per batch.
        greedy = self._options.beam_size == 1
        order = sorted(range(len(chunks)),
                       key=lambda k: (0 if greedy else caps[k], len(chunks[k]), k))
        lengths = [len(chunks[k]) for k in order]
        sorted_caps = [0 if greedy else caps[k] for k in order]
        pending: list[Any] = []
        try:
            # Batches are submitted asynchronously: on the CPU each of the translator's workers
            # (inter_threads) decodes its own batch, so all cores stay busy without the cost of
            # splitting every small matrix product across threads. Longest first: the batches
            # left for the last free worker are then the short ones, so the workers finish
            # together (measured in benchmarks/README.md, translate_real_bench.py).
            # At beam 1 one call of everything: CTranslate2 sorts it by length and cuts it into
            # batches of the options' batch_size for its workers, as translate_iterable does
            # (the fastest setting at beam 1 in translate_real_bench.py's grid); that size
            # grows with the run unless max_batch_size is set (EngineOptions.batch_size).
            size = self._options.batch_size(
                sentences=len(chunks), workers=loaded.translator.num_translators
            )
            runs = (
                [range(len(order))] if greedy else
                _batches(lengths, sorted_caps, size, MAX_BATCH_TOKENS)
            )
            runs.reverse()
            for run in runs:
                pending += loaded.translator.translate_batch(
                    [chunks[order[j]] for j in run],
                    target_prefix=[[prefix]] * len(run) if prefix else None,
                    max_batch_size=size if greedy else len(run),
                    batch_type="examples",
                    beam_size=self._options.beam_size,
                    num_hypotheses=1,
                    length_penalty=self._options.length_penalty,
                    replace_unknowns=True,
                    max_input_length=0,
                    max_decoding_length=max(caps[order[j]] for j in run),
                    asynchronous=True,
                )
            results = [job.result() for job in pending]
        except (RuntimeError, ValueError) as err:
            raise EngineError(
                f"CTranslate2 failed on {loaded.package.name}: {err}", path=loaded.package.path
            ) from err
        decoded = [""] * len(chunks)
        submitted = [order[j] for run in runs for j in run]
        for k, result in zip(submitted, results, strict=True):
            source_text = pieces[owner[k][0]][1]
            tokens = result.hypotheses[0][: caps[k]]  # greedy: as if decoded to its own cap
            decoded[k] = self._detokenize(loaded, tokens, source_text)
        texts: dict[int, str] = {}
        for k, (i, spaced) in enumerate(owner):
            texts[i] = texts.get(i, "") + (" " if spaced else "") + decoded[k]
        for i, text in texts.items():
            lead, _, trail = pieces[i]
            out[i] = f"{lead}{text}{trail}"
        return out

    @staticmethod
    def _detokenize(loaded: _Loaded, tokens: list[str], source: str = "") -> str:
        prefix = loaded.package.target_prefix
        if prefix and tokens[:1] == [prefix]:
            tokens = tokens[1:]
        text = loaded.tokenizer.decode(tokens, source)
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
        with self._loading:
            if key not in self._loaded:
                package = find_package(source, target, packages_dir=self._options.packages_dir)
                self._loaded[key] = _Loaded(
                    package=package,
                    translator=self._translator(package),
                    tokenizer=self._tokenizer(package),
                    limits=model_limits(package.path / "model"),
                )
            return self._loaded[key]

    def _translator(self, package: PackageInfo) -> Any:
        import ctranslate2

        device = self._options.device
        model_dir = package.path / "model"
        if device != "cpu":
            gpus = _cuda_devices(ctranslate2)
            if device == "auto":
                device = "cuda" if gpus > 0 else "cpu"
            elif gpus == 0:
                raise EngineError(
                    "device cuda: CTranslate2 finds no CUDA GPU on this machine (no NVIDIA "
                    "driver, or a CTranslate2 build without CUDA); use device cpu or auto",
                    path=model_dir,
                )
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
    def _tokenizer(package: PackageInfo) -> _Tokenizer:
        if package.tokenizer == "bpe":
            return _MosesBPE(package.tokenizer_file, package.from_code, package.to_code)
        return _SentencePiece(package.tokenizer_file)
