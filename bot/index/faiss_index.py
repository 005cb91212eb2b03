"""FAISS index construction: exact inner product by default, approximate for large corpora."""

from __future__ import annotations

import numpy as np


def make_faiss_index(vectors: np.ndarray, index_type: str = "flat"):
    """An index over unit vectors, so inner product is cosine similarity.

    `flat` is exact and right for up to ~100k passages; `hnsw` and `ivf` trade a little
    recall for speed on larger knowledge bases. Small corpora always get `flat`.
    """
    import faiss

    dim = int(vectors.shape[1]) if vectors.ndim == 2 and vectors.shape[1] else 384
    count = int(vectors.shape[0]) if vectors.ndim == 2 else 0
    index: faiss.Index
    if index_type == "hnsw" and count >= 1000:
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = 64
    elif index_type == "ivf" and count >= 4000:
        nlist = int(np.sqrt(count))
        quantizer = faiss.IndexFlatIP(dim)
        ivf = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        ivf.train(np.ascontiguousarray(vectors, dtype=np.float32))
        ivf.nprobe = max(1, nlist // 8)
        index = ivf
    else:
        index = faiss.IndexFlatIP(dim)
    if count:
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index
