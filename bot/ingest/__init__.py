"""Ingestion: files to cleaned `Document`s to sentence-window `Passage`s.

Light to import: the heavy parsers (trafilatura, pypdf, yaml) load on first use.
"""

from bot.ingest.chunking import chunk_document, passage_sentences
from bot.ingest.debris import clean_text
from bot.ingest.loaders import load_document, load_knowledge_dir
from bot.ingest.sentences import split_sentences

__all__ = [
    "chunk_document",
    "clean_text",
    "load_document",
    "load_knowledge_dir",
    "passage_sentences",
    "split_sentences",
]
