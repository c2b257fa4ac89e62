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
COPY_GAIN = 8.0
QUERY_GAIN = 3.0
EOS_ID = 2

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


def _save_copy_model(model_dir: Path, vocab: list[str]) -> None:
    """Save a 1+1 layer CTranslate2 Transformer whose greedy/beam output equals its input."""
    from ctranslate2.specs import transformer_spec

    v, p = len(vocab), MAX_POSITIONS
    d = v + p  # one-hot token block followed by one-hot position block
    f32 = np.float32

    def zeros(*shape: int) -> np.ndarray:
        return np.zeros(shape, dtype=f32)

    def norm(spec: object) -> None:
        spec.gamma = np.ones(d, dtype=f32)  # type: ignore[attr-defined]
        spec.beta = zeros(d)  # type: ignore[attr-defined]

    def linear(spec: object, weight: np.ndarray) -> None:
        spec.weight = weight  # type: ignore[attr-defined]
        spec.bias = zeros(weight.shape[0])  # type: ignore[attr-defined]

    tok_block = zeros(d, d)
    tok_block[:v, :v] = np.eye(v, dtype=f32)
    pos_block = zeros(d, d)
    pos_block[v:, v:] = np.eye(p, dtype=f32)
    positions = np.concatenate([zeros(p, v), np.eye(p, dtype=f32)], axis=1)

    spec = transformer_spec.TransformerSpec.from_config((1, 1), 1)
    enc, dec = spec.encoder, spec.decoder

    enc.embeddings[0].weight = np.concatenate([np.eye(v, dtype=f32), zeros(v, p)], axis=1)
    enc.scale_embeddings = False
    enc.position_encodings.encodings = positions
    norm(enc.layer_norm)
    layer = enc.layer[0]
    norm(layer.self_attention.layer_norm)
    linear(layer.self_attention.linear[0], zeros(3 * d, d))
    linear(layer.self_attention.linear[1], zeros(d, d))
    norm(layer.ffn.layer_norm)
    linear(layer.ffn.linear_0, zeros(4, d))
    linear(layer.ffn.linear_1, zeros(d, 4))

    dec.embeddings.weight = zeros(v, d)  # the decoder only needs to know its position
    dec.scale_embeddings = False
    dec.position_encodings.encodings = positions
    norm(dec.layer_norm)
    layer = dec.layer[0]
    norm(layer.self_attention.layer_norm)
    linear(layer.self_attention.linear[0], zeros(3 * d, d))
    linear(layer.self_attention.linear[1], zeros(d, d))
    norm(layer.attention.layer_norm)
    # Query = target position; key = source position, and the source </s> also matches every
    # position half as well, so positions past the end of the source attend to </s> and stop.
    keys = pos_block.copy()
    keys[v:, EOS_ID] = 0.5
    linear(layer.attention.linear[0], pos_block * QUERY_GAIN)
    linear(layer.attention.linear[1], np.concatenate([keys, tok_block]))  # key, value
    linear(layer.attention.linear[2], tok_block * COPY_GAIN)  # write the source token
    norm(layer.ffn.layer_norm)
    linear(layer.ffn.linear_0, zeros(4, d))
    linear(layer.ffn.linear_1, zeros(d, 4))
    linear(dec.projection, np.concatenate([np.eye(v, dtype=f32), zeros(v, p)], axis=1))

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
