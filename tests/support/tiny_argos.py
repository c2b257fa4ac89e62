"""Build real, tiny ``.argosmodel`` packages offline whose CTranslate2 model copies its input.

:func:`build_package` makes every layout argostranslate 1.11 runs: a SentencePiece
(``sentencepiece.model``) or a Moses + BPE (``bpe.model``) tokeniser, a shared or separate
source/target vocabulary, a ``target_prefix`` the decoder is forced to start with, any
``metadata.json`` (variants and malformed ones too), a position table of any size, and a
*rambling* model that never ends a sentence, so that its output depends on its length budget.
"""

from __future__ import annotations

import functools
import itertools
import json
import random
import shutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np

VOCAB_SIZE = 512
MAX_POSITIONS = 256
EOS_ID = 2

# Model geometry (see _save_copy_model). The states are dense codes, not one-hot blocks: a
# one-hot token block + one-hot position block made d_model 768, and CTranslate2's beam search
# copies every hypothesis's decoder cache (steps × 2 × d_model floats) at each step, so large
# beam-4 batches of long inputs moved hundreds of MB per step and batching made decoding
# *slower* — unlike a real argos model, whose cost per step is dominated by its weights.
TOKEN_DIMS = 30  # balanced ±1 code per vocabulary entry (512 distinct codes)
FREQUENCIES = 40  # position t → [cos ωt, sin ωt, −cos ωt, −sin ωt] for 40 frequencies ω
FREQUENCY_SEED = 199  # ω ~ U(0.05, π); this seed keeps every off-peak dot product ≤ 0.24 × peak
TOKEN_SEED = 5
D_MODEL = TOKEN_DIMS + 4 * FREQUENCIES + 2  # + a source-</s> flag and a constant query dim
QUERY_GAIN = 8.0  # sharpness of the position match in the cross-attention
EOS_BONUS = 77.5 * QUERY_GAIN  # extra attention score of the source </s>, see _save_copy_model
COPY_GAIN = 4.0  # weight of the copied token code in the decoder output
LOGIT_GAIN = 4.0  # projection gain: a wrong token's logit is ≥ ~20 below the copied one

_WORDS = [
    "the", "a", "an", "of", "to", "and", "in", "is", "was", "for", "on", "with", "as", "by", "at",
    "from", "that", "this", "it", "be", "are", "or", "not", "but", "patient", "returns", "after",
    "five", "weeks", "doctor", "said", "report", "file", "files", "link", "page", "text", "see",
    "read", "you", "your", "we", "our", "they", "their", "he", "she", "his", "her", "will",
    "would", "can", "could", "should", "may", "might", "must", "translate", "translation",
    "english", "spanish", "japanese", "language", "article", "markdown", "code", "example",
    "number", "amount", "total", "price", "date", "time", "day", "days", "year", "years", "month",
    "months", "week", "hour", "hours", "minute", "approx", "etc", "vs", "dr", "mr", "mrs", "ms",
    "no", "use", "used", "using", "user", "users", "make", "made", "new", "old", "good", "first",
    "last", "next", "previous", "more", "most", "less", "least", "very", "much", "many", "some",
    "any", "all", "each", "every", "click", "open", "close", "save", "settings", "account",
    "email", "address", "server", "request", "response", "error", "value", "values", "name",
    "names", "title", "section", "chapter", "table", "figure", "list", "item", "items", "version",
    "install", "installed", "package", "packages", "run", "running", "test", "tests", "build",
    "built", "check", "checked", "http", "https", "www", "com", "org", "example", "docs", "html",
    "url", "question", "answer", "about", "into", "over", "under", "café", "naïve", "résumé",
    "señor", "niño", "über", "déjà", "façade", "São", "Paulo", "Zürich",
]
_PUNCT = (".", ",", ";", ":", "!", "?", "—", "–", "-", "'", '"', "“", "”", "‘", "’", "(", ")")


def _corpus(seed: int = 7, lines: int = 3000) -> list[str]:
    """Return a deterministic synthetic English-ish corpus for SentencePiece training."""
    rng = random.Random(seed)
    out: list[str] = []
    for i in range(lines):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(4, 16))]
        if rng.random() < 0.5:
            words[0] = words[0].capitalize()
        if rng.random() < 0.3:
            k = rng.randint(1, 9)
            pos = rng.randrange(len(words))
            words[pos] = f"⟦{k}⟧{words[pos]}⟦/{k}⟧"
        if rng.random() < 0.2:
            words.append(f"{{amount_{rng.randint(1, 3)}}}")
        if rng.random() < 0.2:
            words.append(f"{rng.randint(0, 9999)}.{rng.randint(0, 99)}")
        line = " ".join(words) + rng.choice(_PUNCT[:6])
        out.append(line if i % 5 else f"https://example.com/{rng.choice(_WORDS)} {line}")
    return out


def _train_sentencepiece(workdir: Path, extra_symbols: list[str] | None = None) -> Path:
    """Train a small byte-fallback SentencePiece model that round-trips any text losslessly
    (``extra_symbols``: more user-defined pieces, e.g. a target prefix token)."""
    import sentencepiece as spm

    corpus = workdir / "corpus.txt"
    corpus.write_text("\n".join(_corpus()) + "\n", encoding="utf-8")
    prefix = workdir / "sentencepiece"
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(prefix),
        vocab_size=VOCAB_SIZE,
        model_type="unigram",
        character_coverage=1.0,
        byte_fallback=True,
        split_digits=True,
        normalization_rule_name="identity",
        remove_extra_whitespaces=False,
        user_defined_symbols=["⟦", "⟧", "/", "{", "}", "_", *(extra_symbols or [])],
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        hard_vocab_limit=False,
        num_threads=1,
        minloglevel=2,
    )
    return prefix.with_suffix(".model")


def _codes(
    count: int = VOCAB_SIZE, positions: int = MAX_POSITIONS
) -> tuple[np.ndarray, np.ndarray]:
    """Return (token codes ``count × TOKEN_DIMS``, position codes ``positions × 4K``).

    Both have zero sum and constant norm per row, so the layer norms only rescale them.
    """
    rng = np.random.default_rng(TOKEN_SEED)
    half = TOKEN_DIMS // 2
    tokens: list[np.ndarray] = []
    seen: set[bytes] = set()
    while len(tokens) < count:
        code = rng.permutation(np.array([1.0] * half + [-1.0] * half, dtype=np.float32))
        if code.tobytes() not in seen:
            seen.add(code.tobytes())
            tokens.append(code)
    omega = np.random.default_rng(FREQUENCY_SEED).uniform(0.05, np.pi, FREQUENCIES)
    angle = np.arange(positions)[:, None] * omega[None, :]
    cos, sin = np.cos(angle), np.sin(angle)
    positions = np.concatenate([cos, sin, -cos, -sin], axis=1).astype(np.float32)
    return np.stack(tokens), positions


def _save_copy_model(
    model_dir: Path,
    source_vocab: list[str],
    target_vocab: list[str] | None = None,
    *,
    positions: int = MAX_POSITIONS,
    prefix: bool = False,
    ramble: bool = False,
) -> None:
    """Save a 1+1 layer CTranslate2 Transformer whose greedy/beam output equals its input.

    ``d_model`` is 192: [token code | position code | source-</s> flag | constant]. Encoder
    state = token code + position code (+ the flag for ``</s>``). The decoder sees only its
    position; its one cross-attention head matches target position t to source position t
    (query/key = position codes) and writes that source token's code, which the output
    projection turns back into the token of the same string in the target vocabulary. The
    source ``</s>`` key also gets ``EOS_BONUS`` via flag × constant: less than a position
    match, more than any mismatch, so positions past the end of the source attend to ``</s>``
    and every hypothesis stops there.

    ``prefix``: the decoder's positions are shifted by one, so that after a forced target
    prefix token target position t + 1 copies source position t. ``ramble``: ``</s>`` can
    never be produced and the source ``</s>`` gets no bonus, so every hypothesis runs to the
    decoding cap, repeating tokens past the end of its input.
    """
    from ctranslate2.specs import transformer_spec

    target_vocab = source_vocab if target_vocab is None else target_vocab
    v, d, t, p = len(source_vocab), D_MODEL, TOKEN_DIMS, 4 * FREQUENCIES
    tok, pos, flag, const = slice(0, t), slice(t, t + p), t + p, t + p + 1
    f32 = np.float32
    token_codes, position_codes = _codes(v, positions)
    source_id = {piece: i for i, piece in enumerate(source_vocab)}

    def zeros(*shape: int) -> np.ndarray:
        return np.zeros(shape, dtype=f32)

    def norm(spec: object, gamma: np.ndarray | None = None, beta: np.ndarray | None = None) -> None:
        spec.gamma = np.ones(d, dtype=f32) if gamma is None else gamma  # type: ignore[attr-defined]
        spec.beta = zeros(d) if beta is None else beta  # type: ignore[attr-defined]

    def linear(spec: object, weight: np.ndarray, bias: np.ndarray | None = None) -> None:
        spec.weight = weight  # type: ignore[attr-defined]
        spec.bias = zeros(weight.shape[0]) if bias is None else bias  # type: ignore[attr-defined]

    def zero_block(layer: object) -> None:
        norm(layer.self_attention.layer_norm)  # type: ignore[attr-defined]
        linear(layer.self_attention.linear[0], zeros(3 * d, d))  # type: ignore[attr-defined]
        linear(layer.self_attention.linear[1], zeros(d, d))  # type: ignore[attr-defined]
        norm(layer.ffn.layer_norm)  # type: ignore[attr-defined]
        linear(layer.ffn.linear_0, zeros(4, d))  # type: ignore[attr-defined]
        linear(layer.ffn.linear_1, zeros(d, 4))  # type: ignore[attr-defined]

    encoder_positions = zeros(positions, d)
    encoder_positions[:, pos] = position_codes
    decoder_positions = encoder_positions.copy()
    if prefix:
        decoder_positions[1:, pos] = position_codes[:-1]
    spec = transformer_spec.TransformerSpec.from_config((1, 1), 1)
    enc, dec = spec.encoder, spec.decoder

    embeddings = zeros(v, d)
    embeddings[:, tok] = token_codes
    embeddings[EOS_ID, flag] = 1.0
    enc.embeddings[0].weight = embeddings
    enc.scale_embeddings = False
    enc.position_encodings.encodings = encoder_positions
    norm(enc.layer_norm)
    zero_block(enc.layer[0])

    dec.embeddings.weight = zeros(len(target_vocab), d)  # the decoder only needs its position
    dec.scale_embeddings = False
    dec.position_encodings.encodings = decoder_positions
    norm(dec.layer_norm)
    layer = dec.layer[0]
    zero_block(layer)
    gamma, beta = np.ones(d, dtype=f32), zeros(d)
    gamma[const], beta[const] = 0.0, 1.0  # the query input carries a constant 1
    norm(layer.attention.layer_norm, gamma, beta)
    query, key, value, out = zeros(d, d), zeros(d, d), zeros(d, d), zeros(d, d)
    query[pos, pos] = np.eye(p, dtype=f32) * QUERY_GAIN
    query[const, const] = 1.0
    key[pos, pos] = np.eye(p, dtype=f32)
    key[const, flag] = 0.0 if ramble else EOS_BONUS
    value[tok, tok] = np.eye(t, dtype=f32)
    out[tok, tok] = np.eye(t, dtype=f32) * COPY_GAIN
    linear(layer.attention.linear[0], query)
    linear(layer.attention.linear[1], np.concatenate([key, value]))
    linear(layer.attention.linear[2], out)
    projection = zeros(len(target_vocab), d)
    for i, piece in enumerate(target_vocab):
        if piece in source_id:
            projection[i, tok] = token_codes[source_id[piece]] * LOGIT_GAIN
    bias = zeros(len(target_vocab))
    if ramble:
        bias[target_vocab.index("</s>")] = -1e4
    linear(dec.projection, projection, bias)

    spec.config.add_source_eos = True
    spec.register_source_vocabulary(source_vocab)
    spec.register_target_vocabulary(target_vocab)
    spec.validate()
    spec.optimize(quantization="int8")
    model_dir.mkdir(parents=True, exist_ok=True)
    spec.save(str(model_dir))


# -- Moses + BPE ------------------------------------------------------------------------


def _learn_bpe(words: dict[str, int], merges: int) -> list[tuple[str, str]]:
    """Learn BPE merge operations (subword-nmt's format, version 0.2: ``</w>`` ends words)."""
    vocab = {(*word[:-1], word[-1] + "</w>"): n for word, n in words.items() if word}
    learned: list[tuple[str, str]] = []
    for _ in range(merges):
        pairs: dict[tuple[str, str], int] = {}
        for symbols, n in vocab.items():
            for pair in itertools.pairwise(symbols):
                pairs[pair] = pairs.get(pair, 0) + n
        if not pairs:
            break
        best = max(sorted(pairs), key=lambda pair: pairs[pair])
        learned.append(best)
        merged: dict[tuple[str, ...], int] = {}
        for symbols, n in vocab.items():
            out: list[str] = []
            i = 0
            while i < len(symbols):
                if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == best:
                    out.append(symbols[i] + symbols[i + 1])
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            merged[tuple(out)] = merged.get(tuple(out), 0) + n
        vocab = merged
    return learned


@functools.cache
def _bpe_model(from_code: str, to_code: str) -> tuple[str, tuple[str, ...]]:
    """(subword-nmt codes, vocabulary) learned once per pair on the synthetic corpus after
    Moses tokenisation; the vocabulary is what their segmentation of the corpus uses."""
    from argostranslate.tokenizer import BPETokenizer
    from sacremoses import MosesPunctNormalizer, MosesTokenizer

    normalizer, tokenizer = MosesPunctNormalizer(from_code), MosesTokenizer(from_code)
    corpus = _corpus(lines=600)
    words: dict[str, int] = {}
    for line in corpus:
        for word in tokenizer.tokenize(normalizer.normalize(line)):
            words[word] = words.get(word, 0) + 1
    text = "#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in _learn_bpe(words, 120))
    with tempfile.TemporaryDirectory(prefix="tiny-bpe-") as tmp:
        codes = Path(tmp) / "bpe.model"
        codes.write_text(text, encoding="utf-8")
        bpe = BPETokenizer(codes, from_code, to_code)
        seen: dict[str, None] = {}
        for line in corpus:
            seen.update(dict.fromkeys(bpe.encode(line)))
    for c in sorted({c for word in words for c in word}):
        seen.update({c: None, c + "@@": None})
    specials = ("<unk>", "<s>", "</s>")
    return text, (*specials, *[t for t in seen if t not in specials])


def _train_bpe(workdir: Path, *, from_code: str, to_code: str) -> tuple[Path, list[str]]:
    """Write ``bpe.model`` into ``workdir``; return it and the model's vocabulary."""
    text, vocab = _bpe_model(from_code, to_code)
    codes = workdir / "bpe.model"
    codes.write_text(text, encoding="utf-8")
    return codes, list(vocab)


_NAMES = {"en": "English", "es": "Spanish", "ja": "Japanese", "fr": "French", "de": "German"}


def metadata_for(from_code: str, to_code: str, version: str, **extra: object) -> dict[str, object]:
    """``metadata.json`` as the public index's packages have it (``extra`` overrides keys;
    a value of None removes the key)."""
    metadata: dict[str, object] = {
        "package_version": version,
        "argos_version": "1.11",
        "from_code": from_code,
        "from_name": _NAMES.get(from_code, from_code),
        "to_code": to_code,
        "to_name": _NAMES.get(to_code, to_code),
        "type": "translate",
        "links": [],
    }
    metadata.update(extra)
    return {k: v for k, v in metadata.items() if v is not None}


def build_package(
    dest: Path,
    *,
    from_code: str,
    to_code: str,
    version: str = "1.0",
    tokenizer: str = "sentencepiece",
    vocabulary: str = "shared",
    target_prefix: str = "",
    ramble: bool = False,
    positions: int = MAX_POSITIONS,
    metadata: dict[str, object] | None = None,
    top: str | None = None,
    name: str | None = None,
) -> Path:
    """Write a real ``.argosmodel`` (see the module docstring) and return its path.

    ``vocabulary="separate"`` gives the target a vocabulary in another order (CTranslate2
    then writes ``source_vocabulary.json`` and ``target_vocabulary.json``); ``metadata``
    overrides keys of :func:`metadata_for` (None removes one); ``top`` names the archive's
    one folder (the index uses ``en_ja``), ``name`` the file."""
    import sentencepiece as spm

    dest.mkdir(parents=True, exist_ok=True)
    top = top or f"translate-{from_code}_{to_code}-{version.replace('.', '_')}"
    archive = dest / (name or f"{top}.argosmodel")
    with tempfile.TemporaryDirectory(prefix="tiny-argos-") as tmp:
        work = Path(tmp)
        root = work / top
        root.mkdir()
        if tokenizer == "bpe":
            codes, vocab = _train_bpe(work, from_code=from_code, to_code=to_code)
            shutil.copy(codes, root / "bpe.model")
        else:
            sp_path = _train_sentencepiece(work, [target_prefix] if target_prefix else [])
            shutil.copy(sp_path, root / "sentencepiece.model")
            processor = spm.SentencePieceProcessor(model_file=str(sp_path))
            vocab = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
        target_vocab = None
        if vocabulary == "separate":
            target_vocab = vocab[:3] + vocab[3:][::-1]  # same pieces, other ids
        _save_copy_model(root / "model", vocab, target_vocab, positions=positions,
                         prefix=bool(target_prefix), ramble=ramble)
        fields = metadata_for(from_code, to_code, version,
                              **({"target_prefix": target_prefix} if target_prefix else {}))
        for key, value in (metadata or {}).items():
            if value is None:
                fields.pop(key, None)
            else:
                fields[key] = value
        (root / "metadata.json").write_text(json.dumps(fields, indent=2), encoding="utf-8")
        (root / "README.md").write_text("Tiny copy model for localise tests.\n", encoding="utf-8")
        (root / "stanza").mkdir()  # as the index's packages (a sentencizer localise never uses)
        (root / "stanza" / "README").write_text("placeholder\n", encoding="utf-8")
        tmp_archive = work / archive.name
        with zipfile.ZipFile(tmp_archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(root.rglob("*")):
                zf.write(path, path.relative_to(work).as_posix())
        shutil.move(tmp_archive, archive)
    return archive


def build_copy_package(dest: Path, *, from_code: str, to_code: str, version: str = "1.0") -> Path:
    """Write ``dest/translate-{from}_{to}-{version}.argosmodel`` whose model copies its input."""
    return build_package(dest, from_code=from_code, to_code=to_code, version=version)
