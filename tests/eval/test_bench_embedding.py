"""The embedding benchmark's backend comparison (eval/bench_embedding.py --backends)."""

import json

import numpy as np
import pytest
from pdfs import make_pdf, report_pages

from eval.bench_embedding import main, shared_neighbours


def test_backends_are_timed_and_compared_with_torch_in_one_run(tmp_path, capsys):
    pdf = tmp_path / "ACME_2022_10K.pdf"
    pdf.write_bytes(make_pdf(report_pages("Acme", 3)))
    assert main(["--files", str(pdf), "--passages", "12", "--backends", "onnx-int8", "--rounds", "2",
                 "--models-dir", str(tmp_path / "models")]) == 0
    result = json.loads(capsys.readouterr().out)
    torch, int8 = result["backends"]
    assert [torch["backend"], int8["backend"]] == ["torch", "onnx-int8"], "torch is the baseline, measured first"
    assert torch["ratio_to_torch"] == 1.0 and torch["cosine_to_torch_mean"] == 1.0
    assert len(int8["passages_per_second_rounds"]) == 2 and int8["passages_per_second"] > 0
    assert int8["ratio_to_torch"] == pytest.approx(int8["passages_per_second"] / torch["passages_per_second"], rel=0.03)
    assert 0.98 < int8["cosine_to_torch_mean"] <= 1.0 and int8["cosine_to_torch_min"] > 0.95
    assert 0 < int8["neighbours_shared_with_torch_at_10"] <= 1


def test_an_unknown_backend_is_refused(tmp_path, capsys):
    pdf = tmp_path / "ACME_2022_10K.pdf"
    pdf.write_bytes(make_pdf(report_pages("Acme", 1)))
    assert main(["--files", str(pdf), "--backends", "tensorrt"]) == 2
    assert "unknown backend(s) tensorrt; choose from torch, onnx, onnx-int8, static" in capsys.readouterr().err


def test_shared_neighbours_compares_rankings_not_coordinates():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(30, 8))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    rotation, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    assert shared_neighbours(vectors @ rotation, vectors, 5) == 1.0, "a rotation keeps every neighbour"
    assert shared_neighbours(rng.normal(size=(30, 8)), vectors, 5) < 0.5
