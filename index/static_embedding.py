"""Static embeddings distilled from the sentence-transformers model with model2vec: a vector per token, averaged.

    embeddings = load_static_embeddings(model_folder, data_dir / "models")

Distilling runs every token of the model's vocabulary through the model once (about 15 s for all-MiniLM-L6-v2 on
2 cores, nothing downloaded), reduces the vectors to 256 dimensions with PCA and weights them by token frequency;
the result is cached in the data dir. Encoding is then a lookup and a mean, thousands of passages a second, at a
cost in retrieval quality that the benchmark measures.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from langchain_core.embeddings import Embeddings

# index.embedding first: it switches Hugging Face downloads off before anything here imports huggingface_hub.
from index.embedding import quiet_transformers
from index.errors import ConfigError
from index.model_cache import built_folder, cache_name, source_digest
from index.vectors import model_label

# Bump when the distillation's parameters change: older cache entries are then not reused.
RECIPE = "v1"
DIMENSIONS = 256
_HINT = "set DISCLOSURES_EMBEDDING_BACKEND=torch"


def load_static_embeddings(model: str, models_dir: Path) -> StaticEmbeddings:
    """The static embeddings distilled from this model folder, distilled on first use."""
    source = Path(model)
    if not source.is_dir():
        raise ConfigError(f"the static embedding backend distills a local model folder, and {model!r} is not one; "
                          f"set DISCLOSURES_EMBEDDING_MODEL to a sentence-transformers folder or {_HINT}")
    name = cache_name(model_label(model), "static", str(DIMENSIONS), RECIPE, source_digest(source))
    folder = built_folder(models_dir, name, lambda target: distill_static(source, target),
                          f"distilling static embeddings from {source}", "model2vec")
    return StaticEmbeddings(folder)


def distill_static(source: Path, target: Path) -> None:
    from model2vec.distill import distill

    quiet_transformers()
    # distill draws a progress bar over the vocabulary on stderr, which would tear through ingest's own bar.
    with contextlib.redirect_stderr(io.StringIO()):
        static = distill(str(source), pca_dims=DIMENSIONS, device="cpu")
    static.save_pretrained(str(target))


class StaticEmbeddings(Embeddings):
    """LangChain Embeddings over a distilled model2vec folder. No padding is computed (each text is a mean of
    its own tokens), so batches need no sorting."""

    def __init__(self, folder: Path):
        from model2vec import StaticModel

        self.folder = folder
        try:
            self._model = StaticModel.from_pretrained(str(folder), force_download=False, normalize=True)
        except Exception as exc:
            raise ConfigError(f"the cached static model in {folder} cannot be loaded ({type(exc).__name__}); "
                              "remove that folder to distill it again") from None
        self.dimension = int(self._model.dim)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._model.encode(list(texts), show_progress_bar=False).astype("float32").tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]
