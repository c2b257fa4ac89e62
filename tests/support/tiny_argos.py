"""Build a real, tiny ``.argosmodel`` offline whose CTranslate2 model copies its input."""

from __future__ import annotations

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


def _train_sentencepiece(workdir: Path) -> Path:
    """Train a small byte-fallback SentencePiece model that round-trips any text losslessly."""
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
        user_defined_symbols=["⟦", "⟧", "/", "{", "}", "_"],
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        hard_vocab_limit=False,
        num_threads=1,
        minloglevel=2,
    )
    return prefix.with_suffix(".model")


def _codes() -> tuple[np.ndarray, np.ndarray]:
    """Return (token codes ``VOCAB_SIZE × TOKEN_DIMS``, position codes ``MAX_POSITIONS × 4K``).

    Both have zero sum and constant norm per row, so the layer norms only rescale them.
    """
    rng = np.random.default_rng(TOKEN_SEED)
    half = TOKEN_DIMS // 2
    tokens: list[np.ndarray] = []
    seen: set[bytes] = set()
    while len(tokens) < VOCAB_SIZE:
        code = rng.permutation(np.array([1.0] * half + [-1.0] * half, dtype=np.float32))
        if code.tobytes() not in seen:
            seen.add(code.tobytes())
            tokens.append(code)
    omega = np.random.default_rng(FREQUENCY_SEED).uniform(0.05, np.pi, FREQUENCIES)
    angle = np.arange(MAX_POSITIONS)[:, None] * omega[None, :]
    cos, sin = np.cos(angle), np.sin(angle)
    positions = np.concatenate([cos, sin, -cos, -sin], axis=1).astype(np.float32)
    return np.stack(tokens), positions


def _save_copy_model(model_dir: Path, vocab: list[str]) -> None:
    """Save a 1+1 layer CTranslate2 Transformer whose greedy/beam output equals its input.

    ``d_model`` is 192: [token code | position code | source-</s> flag | constant]. Encoder
    state = token code + position code (+ the flag for ``</s>``). The decoder sees only its
    position; its one cross-attention head matches target position t to source position t
    (query/key = position codes) and writes that source token's code, which the output
    projection turns back into the token. The source ``</s>`` key also gets ``EOS_BONUS`` via
    flag × constant: less than a position match, more than any mismatch, so positions past
    the end of the source attend to ``</s>`` and every hypothesis stops there.
    """
    from ctranslate2.specs import transformer_spec

    v, d, t, p = len(vocab), D_MODEL, TOKEN_DIMS, 4 * FREQUENCIES
    tok, pos, flag, const = slice(0, t), slice(t, t + p), t + p, t + p + 1
    f32 = np.float32
    token_codes, position_codes = _codes()
    token_codes = token_codes[:v]

    def zeros(*shape: int) -> np.ndarray:
        return np.zeros(shape, dtype=f32)

    def norm(spec: object, gamma: np.ndarray | None = None, beta: np.ndarray | None = None) -> None:
        spec.gamma = np.ones(d, dtype=f32) if gamma is None else gamma  # type: ignore[attr-defined]
        spec.beta = zeros(d) if beta is None else beta  # type: ignore[attr-defined]

    def linear(spec: object, weight: np.ndarray) -> None:
        spec.weight = weight  # type: ignore[attr-defined]
        spec.bias = zeros(weight.shape[0])  # type: ignore[attr-defined]

    def zero_block(layer: object) -> None:
        norm(layer.self_attention.layer_norm)  # type: ignore[attr-defined]
        linear(layer.self_attention.linear[0], zeros(3 * d, d))  # type: ignore[attr-defined]
        linear(layer.self_attention.linear[1], zeros(d, d))  # type: ignore[attr-defined]
        norm(layer.ffn.layer_norm)  # type: ignore[attr-defined]
        linear(layer.ffn.linear_0, zeros(4, d))  # type: ignore[attr-defined]
        linear(layer.ffn.linear_1, zeros(d, 4))  # type: ignore[attr-defined]

    positions = zeros(MAX_POSITIONS, d)
    positions[:, pos] = position_codes
    spec = transformer_spec.TransformerSpec.from_config((1, 1), 1)
    enc, dec = spec.encoder, spec.decoder

    embeddings = zeros(v, d)
    embeddings[:, tok] = token_codes
    embeddings[EOS_ID, flag] = 1.0
    enc.embeddings[0].weight = embeddings
    enc.scale_embeddings = False
    enc.position_encodings.encodings = positions
    norm(enc.layer_norm)
    zero_block(enc.layer[0])

    dec.embeddings.weight = zeros(v, d)  # the decoder only needs to know its position
    dec.scale_embeddings = False
    dec.position_encodings.encodings = positions
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
    key[const, flag] = EOS_BONUS
    value[tok, tok] = np.eye(t, dtype=f32)
    out[tok, tok] = np.eye(t, dtype=f32) * COPY_GAIN
    linear(layer.attention.linear[0], query)
    linear(layer.attention.linear[1], np.concatenate([key, value]))
    linear(layer.attention.linear[2], out)
    projection = zeros(v, d)
    projection[:, tok] = token_codes * LOGIT_GAIN
    linear(dec.projection, projection)

    spec.config.add_source_eos = True
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.validate()
    spec.optimize(quantization="int8")
    model_dir.mkdir(parents=True, exist_ok=True)
    spec.save(str(model_dir))


_NAMES = {"en": "English", "es": "Spanish", "ja": "Japanese", "fr": "French", "de": "German"}


def build_copy_package(dest: Path, *, from_code: str, to_code: str, version: str = "1.0") -> Path:
    """Write ``dest/translate-{from}_{to}-{version}.argosmodel`` whose model copies its input."""
    import sentencepiece as spm

    dest.mkdir(parents=True, exist_ok=True)
    top = f"translate-{from_code}_{to_code}-{version.replace('.', '_')}"
    archive = dest / f"{top}.argosmodel"
    with tempfile.TemporaryDirectory(prefix="tiny-argos-") as tmp:
        work = Path(tmp)
        root = work / top
        root.mkdir()
        sp_path = _train_sentencepiece(work)
        shutil.copy(sp_path, root / "sentencepiece.model")
        processor = spm.SentencePieceProcessor(model_file=str(sp_path))
        vocab = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
        _save_copy_model(root / "model", vocab)
        metadata = {
            "package_version": version,
            "argos_version": "1.11",
            "from_code": from_code,
            "from_name": _NAMES.get(from_code, from_code),
            "to_code": to_code,
            "to_name": _NAMES.get(to_code, to_code),
            "type": "translate",
            "links": [],
        }
        (root / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")
        (root / "README.md").write_text("Tiny copy model for localise tests.\n", encoding="utf-8")
        tmp_archive = work / archive.name
        with zipfile.ZipFile(tmp_archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(root.rglob("*")):
                zf.write(path, path.relative_to(work).as_posix())
        shutil.move(tmp_archive, archive)
    return archive
