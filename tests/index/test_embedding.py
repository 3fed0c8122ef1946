import math
import os

import pytest

from index.errors import ConfigError
from index.settings import StoreSettings
from index.embedding import get_embeddings
from index.vectors import BUNDLED_MODEL_LABEL, model_label


def test_bundled_model_loads_offline_once_and_embeds():
    model = StoreSettings().resolved_embedding_model()
    embeddings = get_embeddings(model)
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert get_embeddings(model) is embeddings, "loaded once per process"
    vectors = embeddings.embed_documents(["Revenue grew 10%.", "Net loss widened."])
    assert len(vectors) == 2 and len(vectors[0]) == 384
    assert math.isclose(sum(value * value for value in vectors[0]), 1.0, rel_tol=1e-4)


def test_similar_texts_are_closer_than_unrelated_ones():
    embeddings = get_embeddings(StoreSettings().resolved_embedding_model())
    query = embeddings.embed_query("research and development expenses")
    near, far = embeddings.embed_documents(["R&D spending on research programs", "the weather in Paris was sunny"])

    def cosine(a, b):
        return sum(x * y for x, y in zip(a, b))

    assert cosine(query, near) > cosine(query, far) + 0.1


def test_a_model_that_is_not_on_disk_is_a_clear_error_not_a_download(tmp_path):
    with pytest.raises(ConfigError, match=r"cannot load embedding model '.*not-here': not a local folder and not in the local Hugging Face cache \(downloads are off\)"):
        get_embeddings("sentence-transformers/paraphrase-albert-small-v2-not-here")


def test_model_label_does_not_depend_on_the_venv_location(tmp_path):
    assert model_label(StoreSettings().resolved_embedding_model()) == BUNDLED_MODEL_LABEL
    folder = tmp_path / "my-model"
    folder.mkdir()
    assert model_label(str(folder)) == "my-model"
