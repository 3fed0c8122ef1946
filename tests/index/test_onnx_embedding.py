"""The ONNX backends (index/onnx_embedding.py): the bundled model exported, fp32 and int8, against torch's vectors."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import SEED

from index.embedding import get_embeddings
from index.errors import ConfigError
from index.onnx_embedding import ONNX_FILE, OnnxEmbeddings, load_onnx_embeddings, onnx_folder, quantization_target
from index.settings import StoreSettings

REPO = Path(__file__).resolve().parents[2]
MODEL = StoreSettings().resolved_embedding_model()


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory):
    """One export (fp32, then int8) for the whole module: the cache is what makes the second load cheap."""
    folder = tmp_path_factory.mktemp("models")
    onnx_folder(Path(MODEL), folder, quantized=True)
    return folder


@pytest.fixture(scope="module")
def passages():
    """The seed press release, chunked as ingest does: real filing text, from a line to a table."""
    from eval.bench_embedding import sample_passages

    texts = sample_passages([SEED], 1000)
    assert len(texts) > 15
    return texts


def torch_vectors(texts):
    return np.asarray(get_embeddings(MODEL).embed_documents(texts))


def test_fp32_onnx_gives_the_torch_vectors(models_dir, passages):
    long_text = SEED.read_text(encoding="utf-8")[:5000]  # far past the 256-token limit: truncated the same way
    texts = [*passages, long_text, "Revenue"]
    onnx = np.asarray(get_embeddings(MODEL, backend="onnx", models_dir=models_dir).embed_documents(texts))
    cosine = (onnx * torch_vectors(texts)).sum(axis=1)
    assert cosine.min() > 0.9999, cosine.min()  # measured 0.9999999 on these passages


def test_int8_onnx_stays_close_to_the_torch_vectors(models_dir, passages):
    int8 = np.asarray(get_embeddings(MODEL, backend="onnx-int8", models_dir=models_dir).embed_documents(passages))
    cosine = (int8 * torch_vectors(passages)).sum(axis=1)
    # Measured on these passages: mean 0.9925, min 0.9902 (on 512 10-K passages: mean 0.994, min 0.986).
    assert cosine.mean() > 0.99 and cosine.min() > 0.98, (cosine.mean(), cosine.min())
    assert np.allclose(np.linalg.norm(int8, axis=1), 1.0, atol=1e-5)


def test_vectors_come_back_in_input_order_whatever_the_batching(models_dir, passages):
    """The batch is sorted by length to cut padding; each vector must still be its own text's, and padding a text
    with longer neighbours must not change its vector."""
    embeddings = OnnxEmbeddings(onnx_folder(Path(MODEL), models_dir, quantized=False), batch_size=4)
    texts = passages[:9]
    together = np.asarray(embeddings.embed_documents(texts))
    alone = np.asarray([embeddings.embed_query(text) for text in texts])
    assert np.allclose(together, alone, atol=1e-5)
    assert embeddings.embed_documents([]) == []


def test_an_int8_vector_does_not_depend_on_what_it_was_embedded_with(models_dir, passages):
    """Quantized activations share one scale per run, so int8 texts are run one at a time: a passage's vector is
    the same in any batch, and the same as its vector as a query (batched, they moved by up to 0.012 in cosine)."""
    int8 = get_embeddings(MODEL, backend="onnx-int8", models_dir=models_dir)
    texts = passages[:12]
    together = np.asarray(int8.embed_documents(texts))
    assert np.allclose(together[:5], np.asarray(int8.embed_documents(texts[:5])), atol=1e-6)
    assert np.allclose(together, np.asarray([int8.embed_query(text) for text in texts]), atol=1e-6)


def test_the_tokenizer_truncates_and_pads_as_sentence_transformers_does(models_dir, passages):
    sentence_transformer = get_embeddings(MODEL)._client
    embeddings = OnnxEmbeddings(onnx_folder(Path(MODEL), models_dir, quantized=False))
    texts = [passages[0], SEED.read_text(encoding="utf-8")[:5000], "a"]
    expected = sentence_transformer.tokenizer(texts, truncation=True, max_length=sentence_transformer.max_seq_length,
                                              padding=True)["input_ids"]
    assert [encoding.ids for encoding in embeddings._tokenizer.encode_batch(texts)] == expected
    assert embeddings.max_seq_length == sentence_transformer.max_seq_length == 256


def test_the_cache_is_reused_not_exported_again(models_dir, monkeypatch):
    fp32 = onnx_folder(Path(MODEL), models_dir, quantized=False)
    int8 = onnx_folder(Path(MODEL), models_dir, quantized=True)
    stamps = [(folder / ONNX_FILE).stat().st_mtime_ns for folder in (fp32, int8)]

    def no_export(*args):
        raise AssertionError("exported again")

    monkeypatch.setattr("index.onnx_embedding.export_onnx", no_export)
    monkeypatch.setattr("index.onnx_embedding.quantize_onnx", no_export)
    assert load_onnx_embeddings(MODEL, models_dir, quantized=True, batch_size=16).folder == int8
    assert [(folder / ONNX_FILE).stat().st_mtime_ns for folder in (fp32, int8)] == stamps
    assert quantization_target() in int8.name
    assert json.loads((int8 / "embedding.json").read_text())["quantization"] == quantization_target()


def test_another_process_loads_the_cache_without_torch(models_dir):
    """The cached backends need neither torch nor transformers: a command starts without loading them."""
    script = (f"import sys; sys.path.insert(0, {str(REPO)!r})\n"
              "from pathlib import Path\n"
              "from index.embedding import get_embeddings\n"
              f"vector = get_embeddings({MODEL!r}, backend='onnx-int8', models_dir=Path({str(models_dir)!r})).embed_query('net loss')\n"
              "print(len(vector), 'torch' in sys.modules, 'transformers' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["384", "False", "False"]


def test_the_cpu_decides_the_int8_weights():
    flags = Path("/proc/cpuinfo").read_text().split() if Path("/proc/cpuinfo").exists() else []
    expected = "avx512_vnni" if "avx512_vnni" in flags else "avx2"
    assert quantization_target() in (expected, "arm64")


def test_what_cannot_be_exported_is_a_one_line_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"need a local model folder.*set DISCLOSURES_EMBEDDING_MODEL") as caught:
        load_onnx_embeddings("sentence-transformers/not-here", tmp_path / "models", quantized=False, batch_size=16)
    assert "\n" not in str(caught.value)

    bare = tmp_path / "bare"
    bare.mkdir()
    with pytest.raises(ConfigError, match=r"not a sentence-transformers model folder.*DISCLOSURES_EMBEDDING_BACKEND=torch"):
        load_onnx_embeddings(str(bare), tmp_path / "models", quantized=False, batch_size=16)

    cls_pooled = tmp_path / "cls-pooled"
    (cls_pooled / "1_Pooling").mkdir(parents=True)
    (cls_pooled / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]))
    (cls_pooled / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False}))
    with pytest.raises(ConfigError, match=r"compute mean pooling, and .* pools by \['cls_token'\]"):
        load_onnx_embeddings(str(cls_pooled), tmp_path / "models", quantized=True, batch_size=16)

    broken = tmp_path / "broken"
    (broken / "1_Pooling").mkdir(parents=True)
    (broken / "modules.json").write_text((cls_pooled / "modules.json").read_text())
    (broken / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_mean_tokens": True}))
    (broken / "config.json").write_text("{not json")
    with pytest.raises(ConfigError, match=r"exporting .*broken to ONNX failed \(\w+: .*\); set DISCLOSURES_EMBEDDING_BACKEND=torch") as caught:
        load_onnx_embeddings(str(broken), tmp_path / "models", quantized=False, batch_size=16)
    assert "\n" not in str(caught.value)
    assert not [path for path in (tmp_path / "models").iterdir() if not path.name.startswith(".")], "nothing cached"


def test_a_damaged_cache_says_how_to_rebuild_it(models_dir, tmp_path):
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / ONNX_FILE).write_bytes(b"not a model")
    with pytest.raises(ConfigError, match=r"cached ONNX model in .*damaged cannot be loaded .*remove that folder"):
        OnnxEmbeddings(damaged)
