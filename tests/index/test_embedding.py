import math
import os

import pytest

from index.errors import ConfigError
from index.settings import StoreSettings, load_settings
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


# --- backends (DISCLOSURES_EMBEDDING_BACKEND) -----------------------------------------------------------------

def test_static_is_the_default_backend_and_the_setting_reads_its_variable(monkeypatch):
    assert StoreSettings().embedding_backend == "static"
    monkeypatch.setenv("DISCLOSURES_EMBEDDING_BACKEND", "ONNX-int8")
    assert load_settings().store.embedding_backend == "onnx-int8"


def test_an_unknown_backend_is_a_one_line_config_error(monkeypatch):
    model = StoreSettings().resolved_embedding_model()
    monkeypatch.setenv("DISCLOSURES_EMBEDDING_BACKEND", "tensorrt")
    with pytest.raises(ConfigError, match=r"^invalid setting DISCLOSURES_EMBEDDING_BACKEND: must be one of torch, onnx, onnx-int8, static, got 'tensorrt'$"):
        load_settings()
    with pytest.raises(ConfigError, match=r"^unknown embedding backend 'tensorrt'; set DISCLOSURES_EMBEDDING_BACKEND to one of torch, onnx, onnx-int8, static$"):
        get_embeddings(model, backend="tensorrt")


def test_the_other_backends_run_on_the_cpu_only(tmp_path):
    with pytest.raises(ConfigError, match=r"onnx-int8 embedding backend runs on the CPU only; unset DISCLOSURES_EMBEDDING_DEVICE"):
        get_embeddings(StoreSettings().resolved_embedding_model(), device="cuda", backend="onnx-int8", models_dir=tmp_path)


def test_the_label_names_the_backend_except_torch_whose_label_existing_stores_hold():
    model = StoreSettings().resolved_embedding_model()
    assert model_label(model, "torch") == model_label(model) == BUNDLED_MODEL_LABEL == "sentence-transformers/all-MiniLM-L6-v2"
    assert model_label(model, "onnx-int8") == "sentence-transformers/all-MiniLM-L6-v2+onnx-int8"
    assert model_label("/models/my-model", "static") == "/models/my-model+static"


@pytest.fixture(scope="module")
def shared_models(tmp_path_factory):
    """One ONNX export for this module's stores: each data dir's models/ points here (as a second process would
    find the first one's export)."""
    return tmp_path_factory.mktemp("shared-models")


@pytest.mark.parametrize(("built_with", "then"), [("torch", "onnx"), ("onnx", "torch")])
def test_a_store_built_with_one_backend_refuses_another(tmp_path, shared_models, built_with, then):
    from conftest import run_cli

    from index.ingest import Ingestor
    from index.settings import Settings
    from index.store import open_store

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "models").symlink_to(shared_models, target_is_directory=True)
    note = tmp_path / "note.txt"
    note.write_text("Revenue grew 10% to $4.2 million in 2022, driven by the okapi programme.")
    store = open_store(Settings(data_dir=data_dir, embedding_backend=built_with))
    assert not Ingestor(store, progress=False).ingest([note]).failed
    labels = {"torch": BUNDLED_MODEL_LABEL, "onnx": f"{BUNDLED_MODEL_LABEL}+onnx"}
    assert store.vectors.model == labels[built_with] and store.fingerprint.endswith(f"|{labels[built_with]}")
    stored = store.vectors.count()

    switched = open_store(Settings(data_dir=data_dir, embedding_backend=then))
    assert switched is not store
    expected = (f"the Chroma collection 'passages' holds vectors of {labels[built_with]}, not of {labels[then]}; "
                "re-embed the store with `disclosures reindex`, or use another DISCLOSURES_COLLECTION or --data-dir")
    with pytest.raises(ConfigError) as caught:
        switched.vectors
    assert str(caught.value) == expected

    later = tmp_path / "later.txt"
    later.write_text("Net loss widened to $1.1 million.")
    refused = run_cli("--data-dir", str(data_dir), "ingest", "--no-progress", str(later),
                      env={"DISCLOSURES_EMBEDDING_BACKEND": then})
    assert refused.returncode != 0 and expected in refused.stderr and refused.stderr.count(expected) == 1
    assert store.vectors.count() == stored, "nothing of the other backend was written"


def test_an_emptied_store_takes_the_new_backend_and_then_refuses_the_old_one(tmp_path, shared_models):
    """Removing every document frees the collection for another backend; its label follows, so switching back
    later is refused rather than mixing the two backends' vectors."""
    from index.ingest import Ingestor
    from index.settings import Settings
    from index.store import Store, open_store

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "models").symlink_to(shared_models, target_is_directory=True)
    note = tmp_path / "note.txt"
    note.write_text("Revenue grew 10% to $4.2 million in 2022, driven by the okapi programme.")
    torch_store = open_store(Settings(data_dir=data_dir, embedding_backend="torch"))
    Ingestor(torch_store, progress=False).ingest([note])
    torch_store.remove("note")

    onnx_store = open_store(Settings(data_dir=data_dir, embedding_backend="onnx"))
    assert not Ingestor(onnx_store, progress=False).ingest([note]).failed
    assert onnx_store.vectors.count() > 0
    assert onnx_store.vectors.collection.metadata["embedding_model"] == f"{BUNDLED_MODEL_LABEL}+onnx"
    back = Store(Settings(data_dir=data_dir, embedding_backend="torch").store)  # as the next command would open it
    with pytest.raises(ConfigError, match=r"holds vectors of sentence-transformers/all-MiniLM-L6-v2\+onnx, not of sentence-transformers/all-MiniLM-L6-v2;"):
        back.vectors


def test_ingesting_a_stored_file_again_with_another_backend_is_refused_and_keeps_it(tmp_path, shared_models):
    from index.ingest import Ingestor
    from index.settings import Settings
    from index.store import open_store

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "models").symlink_to(shared_models, target_is_directory=True)
    note = tmp_path / "note.txt"
    note.write_text("Revenue grew 10% to $4.2 million in 2022, driven by the okapi programme.")
    store = open_store(Settings(data_dir=data_dir))
    assert not Ingestor(store, progress=False).ingest([note]).failed
    switched = open_store(Settings(data_dir=data_dir, embedding_backend="onnx"))
    with pytest.raises(ConfigError, match="holds vectors of"):
        Ingestor(switched, progress=False).ingest([note])
    # The refusal comes before any document is touched: the stored one is still complete and searchable.
    assert [document.title for document in store.documents()] == ["note"]
    assert store.vectors.count() > 0
