"""The model cache (index/model_cache.py): built once, in place only when complete, reused by other processes."""

import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from index.errors import StoreError
from index.model_cache import cache_name, cached_folder, source_digest

REPO = Path(__file__).resolve().parents[2]


def test_a_folder_is_built_once_and_then_reused(tmp_path):
    builds = []

    def build(folder):
        builds.append(folder)
        (folder / "weights.bin").write_bytes(b"\x01" * 10)

    first = cached_folder(tmp_path, "model-a", build)
    second = cached_folder(tmp_path, "model-a", build)
    assert first == second == tmp_path / "model-a"
    assert len(builds) == 1 and (first / "weights.bin").read_bytes() == b"\x01" * 10
    assert builds[0] != first, "built elsewhere, then moved into place"


def test_a_failed_build_leaves_nothing_behind_and_the_next_call_builds(tmp_path):
    def broken(folder):
        (folder / "weights.bin").write_bytes(b"half")
        raise RuntimeError("exporter crashed")

    with pytest.raises(RuntimeError, match="exporter crashed"):
        cached_folder(tmp_path, "model-a", broken)
    assert not (tmp_path / "model-a").exists()
    assert not list(tmp_path.glob(".model-a.tmp-*")), "the half-written folder is removed"
    folder = cached_folder(tmp_path, "model-a", lambda target: (target / "weights.bin").write_bytes(b"whole"))
    assert (folder / "weights.bin").read_bytes() == b"whole"


def test_a_killed_build_never_becomes_the_cache(tmp_path):
    """A process killed in the middle of a build (SIGKILL: no cleanup runs) leaves only a temporary folder, which
    the next build removes; the cache is what that next build wrote."""
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        sys.path.insert(0, {str(REPO)!r})
        from index.model_cache import cached_folder

        def build(folder):
            (folder / "weights.bin").write_bytes(b"half")
            print("building", flush=True)
            time.sleep(60)

        cached_folder(Path({str(tmp_path)!r}), "model-a", build)
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "building"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert not (tmp_path / "model-a").exists()
    assert len(list(tmp_path.glob(".model-a.tmp-*"))) == 1
    folder = cached_folder(tmp_path, "model-a", lambda target: (target / "weights.bin").write_bytes(b"whole"))
    assert (folder / "weights.bin").read_bytes() == b"whole"
    assert not list(tmp_path.glob(".model-a.tmp-*"))


def test_two_builders_at_once_build_once(tmp_path):
    builds = []

    def slow(folder):
        builds.append(folder)
        time.sleep(0.5)
        (folder / "weights.bin").write_bytes(b"x")

    results = []
    threads = [threading.Thread(target=lambda: results.append(cached_folder(tmp_path, "model-a", slow))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1 and results == [tmp_path / "model-a"] * 2


def test_an_unwritable_cache_is_a_store_error(tmp_path):
    blocker = tmp_path / "models"
    blocker.write_text("a file where the cache folder should be")
    with pytest.raises(StoreError, match=r"cannot write the model cache in .*models"):
        cached_folder(blocker, "model-a", lambda folder: None)


def test_the_name_follows_the_source_model(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    before = source_digest(tmp_path)
    assert source_digest(tmp_path) == before
    (tmp_path / "config.json").write_text('{"hidden_size": 384}')
    assert source_digest(tmp_path) != before
    assert cache_name("sentence-transformers/all-MiniLM-L6-v2", "onnx", "v1", "abc") == "all-MiniLM-L6-v2-onnx-v1-abc"
    assert cache_name("my model: v2", "static") == "my_model_v2-static"
