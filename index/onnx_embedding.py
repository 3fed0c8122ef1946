"""The sentence-transformers model run by ONNX Runtime, in fp32 or dynamically quantized to int8.

    embeddings = load_onnx_embeddings(model_folder, data_dir / "models", quantized=True, batch_size=16)

On first use the model is exported with `torch.onnx.export` (and quantized with onnxruntime's `quantize_dynamic`)
into the data dir's model cache; later runs load only ONNX Runtime and the tokenizer, not torch. optimum would do
the export, but it pins older transformers and huggingface_hub than this project runs, so the export is ours.
The vectors are the sentence-transformers model's: same tokenizer and truncation, mean pooling over the attention
mask, L2 normalisation.
"""

from __future__ import annotations

import json
import platform
import warnings
from collections.abc import Sequence
from pathlib import Path

from langchain_core.embeddings import Embeddings

# index.embedding first: it switches Hugging Face downloads off before anything here imports huggingface_hub.
from index.embedding import quiet_transformers
from index.errors import ConfigError
from index.model_cache import built_folder, cache_name, source_digest
from index.vectors import model_label

# Bump when the export or the quantization changes what is written: older cache entries are then not reused.
RECIPE = "v1"
ONNX_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "embedding.json"
_HINT = "set DISCLOSURES_EMBEDDING_BACKEND=torch"


def load_onnx_embeddings(model: str, models_dir: Path, quantized: bool, batch_size: int) -> OnnxEmbeddings:
    """The ONNX embeddings of this sentence-transformers model folder, exported (and quantized) on first use."""
    folder = Path(model)
    if not folder.is_dir():
        raise ConfigError(f"the ONNX embedding backends need a local model folder, and {model!r} is not one; "
                          f"set DISCLOSURES_EMBEDDING_MODEL to a sentence-transformers folder or {_HINT}")
    # int8 activations are quantized with one scale per input tensor, so a text batched with others (and their
    # padding) gets a different vector than alone: cosine 0.994 on average, 0.988 at worst, as far apart as int8
    # is from fp32. One text per run keeps a passage's vector the same whatever it was ingested with (and equal to
    # its vector as a query); on 2 cores it measured as fast as batches of 16.
    return OnnxEmbeddings(onnx_folder(folder, models_dir, quantized), 1 if quantized else batch_size)


def onnx_folder(source: Path, models_dir: Path, quantized: bool) -> Path:
    """The cached export of this model folder (its int8 version when `quantized`), built if missing."""
    digest = source_digest(source)
    label = model_label(str(source))
    if not quantized:
        return _build_cached(models_dir, cache_name(label, "onnx", RECIPE, digest), source,
                             lambda target: export_onnx(source, target))
    weights = quantization_target()
    # The int8 model is quantized from the fp32 export, which is only needed (and built) when int8 is not cached.
    return _build_cached(models_dir, cache_name(label, "onnx-int8", weights, RECIPE, digest), source,
                         lambda target: quantize_onnx(onnx_folder(source, models_dir, False), target, weights))


def _build_cached(models_dir: Path, name: str, source: Path, build) -> Path:  # noqa: ANN001
    return built_folder(models_dir, name, build, f"exporting {source} to ONNX", "onnx")


# --- building the cache -----------------------------------------------------------------------------------

def read_sentence_transformers_config(source: Path) -> dict:
    """What the export needs to know of a sentence-transformers folder: where the transformer is, its token
    limit, and that the rest is mean pooling (then optional normalisation), which is all this backend computes."""
    modules_file = source / "modules.json"
    if not modules_file.is_file():
        raise ConfigError(f"{source} is not a sentence-transformers model folder (no modules.json); {_HINT}")
    modules = json.loads(modules_file.read_text(encoding="utf-8"))
    kinds = {module["type"].rsplit(".", 1)[-1]: source / module.get("path", "") for module in modules}
    unsupported = sorted(set(kinds) - {"Transformer", "Pooling", "Normalize"})
    if unsupported or "Transformer" not in kinds or "Pooling" not in kinds:
        raise ConfigError(f"the ONNX backends run a transformer with mean pooling, and {source} has modules "
                          f"{sorted(kinds)}; {_HINT}")
    pooling = json.loads((kinds["Pooling"] / "config.json").read_text(encoding="utf-8"))
    modes = sorted(key.removeprefix("pooling_mode_") for key, value in pooling.items()
                   if key.startswith("pooling_mode_") and value is True)
    if modes != ["mean_tokens"]:
        raise ConfigError(f"the ONNX backends compute mean pooling, and {source} pools by {modes}; {_HINT}")
    transformer = kinds["Transformer"]
    limit = 512
    for candidate in (transformer / "sentence_bert_config.json", source / "sentence_bert_config.json"):
        if candidate.is_file():
            limit = int(json.loads(candidate.read_text(encoding="utf-8")).get("max_seq_length") or limit)
            break
    return {"transformer": str(transformer), "max_seq_length": limit}


def export_onnx(source: Path, target: Path) -> None:
    """Export the transformer to `target/model.onnx` (dynamic batch and sequence axes), with its fast tokenizer
    and what the runtime needs to pool and truncate as sentence-transformers does."""
    import numpy as np
    import torch
    from transformers import AutoModel, AutoTokenizer

    quiet_transformers()
    config = read_sentence_transformers_config(source)
    transformer = config["transformer"]
    tokenizer = AutoTokenizer.from_pretrained(transformer, use_fast=True)
    if not getattr(tokenizer, "is_fast", False):
        raise ConfigError(f"{source} has no fast tokenizer, which the ONNX backends need; {_HINT}")
    # Eager attention traces into plain MatMul/Softmax ops, with no branch on the input's shape.
    network = AutoModel.from_pretrained(transformer, attn_implementation="eager", dtype=torch.float32).eval()
    takes_token_types = "token_type_ids" in tokenizer.model_input_names

    class LastHiddenState(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.network = network

        def forward(self, input_ids, attention_mask, token_type_ids=None):  # noqa: ANN001, ANN201
            extra = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
            return self.network(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state

    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if takes_token_types else [])
    # Two texts of different lengths, so the traced graph sees padding and a mask that is not all ones.
    sample = tokenizer(["a short text", "a longer text, so that the first one is padded to its length"],
                       padding=True, return_tensors="pt")
    check = tokenizer(["revenue grew", "net loss widened in the third quarter", "cash"], padding=True, return_tensors="pt")
    with torch.no_grad():
        expected = network(**{name: check[name] for name in names}).last_hidden_state.numpy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer warnings about Python values: the check below is the test
            torch.onnx.export(LastHiddenState(), tuple(sample[name] for name in names), str(target / ONNX_FILE),
                              input_names=names, output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                              dynamic_axes={name: {0: "batch", 1: "sequence"} for name in [*names, "last_hidden_state"]})
    # A graph that does not reproduce the model on other shapes must not be cached.
    got = _session(target / ONNX_FILE).run(None, {name: check[name].numpy().astype(np.int64) for name in names})[0]
    mask = check["attention_mask"].numpy()[..., None].astype(bool)
    if not np.allclose(got * mask, expected * mask, atol=1e-3):
        raise ConfigError(f"the ONNX export of {source} does not reproduce the model's outputs; {_HINT}")
    tokenizer.backend_tokenizer.save(str(target / TOKENIZER_FILE))
    settings = {"source": model_label(str(source)), "max_seq_length": config["max_seq_length"],
                "dimension": int(expected.shape[-1]), "inputs": names,
                "pad_id": tokenizer.pad_token_id or 0, "pad_token": tokenizer.pad_token or "[PAD]"}
    (target / CONFIG_FILE).write_text(json.dumps(settings, indent=2), encoding="utf-8")


def quantization_target() -> str:
    """The dynamic-quantization flavour for this CPU, as optimum's presets name them: VNNI multiplies uint8
    activations by int8 weights in one instruction; AVX2 without it sums uint8 x int8 products in 16 bits, which
    can saturate, so its preset takes uint8 weights; ARM64 takes int8 weights."""
    if platform.machine().lower() in ("aarch64", "arm64"):
        return "arm64"
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        flags = ""
    return "avx512_vnni" if "avx512_vnni" in flags.split() else "avx2"


def quantize_onnx(fp32: Path, target: Path, weights: str) -> None:
    """int8 weights for every MatMul with a constant operand, activations quantized on the fly. Per-channel
    weight scales: per-tensor ones measured a cosine of 0.95 against fp32 on 10-K passages, per-channel ones 0.994."""
    import logging
    import shutil

    from onnxruntime.quantization import QuantType, quantize_dynamic

    # The quantizer advises pre-processing through `logging.warning`, which, on a root logger without handlers,
    # installs a stderr handler for the rest of the process. Pre-processing measured no change here (same
    # vectors, same speed), so the advice is sent nowhere.
    root, nowhere = logging.getLogger(), logging.NullHandler()
    root.addHandler(nowhere)
    try:
        quantize_dynamic(str(fp32 / ONNX_FILE), str(target / ONNX_FILE),
                         weight_type=QuantType.QUInt8 if weights == "avx2" else QuantType.QInt8,
                         per_channel=True, reduce_range=False, op_types_to_quantize=["MatMul"],
                         extra_options={"WeightSymmetric": True, "ActivationSymmetric": False})
    finally:
        root.removeHandler(nowhere)
    for name in (TOKENIZER_FILE, CONFIG_FILE):
        shutil.copy2(fp32 / name, target / name)
    settings = json.loads((target / CONFIG_FILE).read_text(encoding="utf-8"))
    settings["quantization"] = weights
    (target / CONFIG_FILE).write_text(json.dumps(settings, indent=2), encoding="utf-8")


def _session(path: Path):  # noqa: ANN202
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # warnings about unused initializers are noise to a user
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


# --- running ----------------------------------------------------------------------------------------------

class OnnxEmbeddings(Embeddings):
    """LangChain Embeddings over an exported model folder (see `onnx_folder`)."""

    def __init__(self, folder: Path, batch_size: int = 16):
        from tokenizers import Tokenizer

        self.folder = folder
        self.batch_size = batch_size
        try:
            settings = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
            self._session = _session(folder / ONNX_FILE)
            self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        except Exception as exc:
            raise ConfigError(f"the cached ONNX model in {folder} cannot be loaded ({type(exc).__name__}); "
                              "remove that folder to export it again") from None
        self.dimension = int(settings["dimension"])
        self.max_seq_length = int(settings["max_seq_length"])
        self._inputs = list(settings["inputs"])
        # The saved tokenizer may carry its own padding and truncation (128 tokens in all-MiniLM-L6-v2's file);
        # sentence-transformers pads to the longest text of a batch and truncates at the model's max_seq_length.
        self._tokenizer.enable_truncation(max_length=self.max_seq_length)
        self._tokenizer.enable_padding(pad_id=int(settings["pad_id"]), pad_token=str(settings["pad_token"]))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        import numpy as np

        if not texts:
            return []
        # Longest first, as sentence-transformers does: each batch holds texts of similar length, so little
        # padding is computed; the vectors go back to the input order at the end.
        order = sorted(range(len(texts)), key=lambda index: -len(texts[index]))
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            chosen = order[start:start + self.batch_size]
            vectors[chosen] = self.encode([texts[index] for index in chosen])
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

    def encode(self, texts: Sequence[str]):  # noqa: ANN201 - a numpy array, numpy imported lazily
        """Unit vectors of one batch: mean of the token states over the attention mask, then L2-normalised."""
        import numpy as np

        encodings = self._tokenizer.encode_batch(list(texts))
        columns = {"input_ids": [encoding.ids for encoding in encodings],
                   "attention_mask": [encoding.attention_mask for encoding in encodings],
                   "token_type_ids": [encoding.type_ids for encoding in encodings]}
        feed = {name: np.asarray(columns[name], dtype=np.int64) for name in self._inputs}
        states = self._session.run(None, feed)[0]
        mask = feed["attention_mask"][..., None].astype(np.float32)
        pooled = (states * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
