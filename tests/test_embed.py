from __future__ import annotations

import numpy as np

from newstrace.embed import dequantize, quantize


def test_int8_vectors_keep_cosines() -> None:
    rng = np.random.default_rng(3)
    vecs = rng.standard_normal((50, 512)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    back = np.stack([dequantize(quantize(v)) for v in vecs])
    assert quantize(vecs[0]).dtype == np.int8 and np.abs(quantize(vecs[0])).max() == 127
    assert np.abs(back @ back.T - vecs @ vecs.T).max() < 0.01
    assert not quantize(np.zeros(512)).any() and not dequantize(np.zeros(512, dtype=np.int8)).any()
