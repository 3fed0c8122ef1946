"""The static backend (index/static_embedding.py): model2vec vectors distilled from the bundled model, cached."""

import numpy as np
import pytest
from conftest import SEED

from index.embedding import get_embeddings
from index.errors import ConfigError
from index.settings import StoreSettings
from index.static_embedding import DIMENSIONS, load_static_embeddings

MODEL = StoreSettings().resolved_embedding_model()


@pytest.fixture(scope="module")
def static(tmp_path_factory):
    """One distillation for the whole module: 15 s on 2 idle cores, over 2 minutes on a busy machine (hence the
    tests that use it are marked slow)."""
    models_dir = tmp_path_factory.mktemp("models")
    return get_embeddings(MODEL, backend="static", models_dir=models_dir), models_dir


def pairwise(vectors):
    similarity = vectors @ vectors.T
    return similarity[np.triu_indices(len(vectors), 1)]


@pytest.mark.slow
def test_static_vectors_rank_passages_like_the_model_they_come_from(static):
    """Static vectors have their own dimension, so they are compared with torch's by what retrieval uses: how
    similar each pair of passages is."""
    from eval.bench_embedding import sample_passages

    embeddings, _ = static
    passages = sample_passages([SEED], 1000)
    mine = np.asarray(embeddings.embed_documents(passages))
    theirs = np.asarray(get_embeddings(MODEL).embed_documents(passages))
    assert mine.shape == (len(passages), DIMENSIONS)
    assert np.allclose(np.linalg.norm(mine, axis=1), 1.0, atol=1e-3)
    correlation = np.corrcoef(pairwise(mine), pairwise(theirs))[0, 1]
    assert correlation > 0.6, correlation  # measured 0.718 on these passages (int8 ONNX: 0.996)


@pytest.mark.slow
def test_similar_texts_are_closer_than_unrelated_ones(static):
    embeddings, _ = static
    query = np.asarray(embeddings.embed_query("research and development expenses"))
    near, far = np.asarray(embeddings.embed_documents(["R&D spending on research programs", "the weather in Paris was sunny"]))
    assert query @ near > query @ far + 0.1
    assert embeddings.embed_documents([]) == []


@pytest.mark.slow
def test_the_distilled_model_is_reused_not_distilled_again(static, monkeypatch):
    embeddings, models_dir = static
    [folder] = [path for path in models_dir.iterdir() if not path.name.startswith(".")]
    stamp = (folder / "model.safetensors").stat().st_mtime_ns

    def no_distill(*args):
        raise AssertionError("distilled again")

    monkeypatch.setattr("index.static_embedding.distill_static", no_distill)
    again = load_static_embeddings(MODEL, models_dir)
    assert again.folder == embeddings.folder == folder
    assert (folder / "model.safetensors").stat().st_mtime_ns == stamp
    assert again.embed_query("net loss") == pytest.approx(embeddings.embed_query("net loss"), abs=1e-6)


def test_a_model_that_is_not_a_folder_is_a_one_line_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"distills a local model folder.*DISCLOSURES_EMBEDDING_BACKEND=torch") as caught:
        load_static_embeddings("sentence-transformers/not-here", tmp_path / "models")
    assert "\n" not in str(caught.value)
    empty = tmp_path / "empty-model"
    empty.mkdir()
    with pytest.raises(ConfigError, match=r"distilling static embeddings from .*empty-model failed \(\w+: .*\); set DISCLOSURES_EMBEDDING_BACKEND=torch"):
        load_static_embeddings(str(empty), tmp_path / "models")
    assert not [path for path in (tmp_path / "models").iterdir() if not path.name.startswith(".")], "nothing cached"
