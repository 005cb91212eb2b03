"""Text embedders: one tiny `embed_batch` protocol, several backends."""
