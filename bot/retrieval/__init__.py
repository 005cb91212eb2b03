"""Hybrid retrieval: dense (FAISS) and lexical (BM25) evidence, fused and de-duplicated."""
