"""Shared fixtures: real components throughout (embedded Chroma, a `chroma run` server, the bundled model)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = REPO / "sample" / "aptorum-2021-h1-results.txt"
FILINGS = SHARED / "corpus" / "filings"

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/pdfs.py and friends


# Read once, at import, before any test or fixture (the autouse one below rewrites the environment) can touch it.
UNDER_CI = bool(os.environ.get("CI"))


def shared_or_skip(path: Path = SHARED) -> Path:
    """../shared holds the filings and benchmarks; a user's clone may not have it. Under CI (`CI` set, as .ci/run
    does) its absence is a failure, not a skip, so a broken checkout cannot pass by skipping."""
    if not path.exists():
        reason = f"needs {path} (the shared filings and benchmarks), which this checkout does not have"
        if UNDER_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def store_of_texts(tmp_path_factory: pytest.TempPathFactory, texts: dict[str, str], name: str = "texts"):
    """A store of small text documents written for a test ({file stem: text}), ingested for real."""
    from index.ingest import Ingestor
    from index.settings import Settings
    from index.store import open_store

    folder = tmp_path_factory.mktemp(name)
    paths = []
    for stem, text in texts.items():
        path = folder / f"{stem}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    store = open_store(Settings(data_dir=tmp_path_factory.mktemp(f"{name}-store")))
    report = Ingestor(store, progress=False).ingest(paths)
    assert not report.failed, report.failed
    return store


def ask_in(store, docs: str | list[str], question: str):
    """The Assistant's answer to `question` over one or several of a store's documents (file stems)."""
    from assistant.answering import Assistant
    from index.records import SearchFilters

    return Assistant(store).ask(question, filters=SearchFilters(docs=[docs] if isinstance(docs, str) else docs))


# One models dir for the whole run, set before any fixture runs (module and session fixtures build stores before
# the autouse fixture below): the default backend's static model is distilled once (about 15 s), not once per data
# dir, as one user's data dirs can share it through DISCLOSURES_MODELS_DIR.
SESSION_MODELS = Path(tempfile.mkdtemp(prefix="disclosures-test-models-"))
os.environ["DISCLOSURES_MODELS_DIR"] = str(SESSION_MODELS)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(SESSION_MODELS, ignore_errors=True)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the user's data dir or DISCLOSURES_* settings by accident."""
    for key in list(os.environ):
        if key.startswith("DISCLOSURES_"):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("DISCLOSURES_DATA_DIR", str(tmp_path / "default-data"))
    monkeypatch.setenv("DISCLOSURES_MODELS_DIR", str(SESSION_MODELS))


@pytest.fixture
def settings(tmp_path: Path):
    from index.settings import Settings

    return Settings(data_dir=tmp_path / "data", embedding_batch_size=16)


@pytest.fixture
def store(settings):
    from index.store import open_store

    return open_store(settings)


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory: pytest.TempPathFactory):
    """A store holding the seed press release, ingested once for the read-only tests."""
    from index.ingest import Ingestor
    from index.settings import Settings
    from index.store import open_store

    settings = Settings(data_dir=tmp_path_factory.mktemp("seed-store"))
    store = open_store(settings)
    report = Ingestor(store, progress=False).ingest([SEED])
    assert not report.failed, report.failed
    return store


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ChromaServer:
    """A real `chroma run` on loopback, started and stopped by the tests."""

    def __init__(self, path: Path):
        executable = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
        if executable is None:
            pytest.fail("the `chroma` command (from the chromadb package) is not installed in this environment")
        self.path = path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(path / "server.log", "w")  # noqa: SIM115 - open for the server's lifetime
        self.process = subprocess.Popen(
            [executable, "run", "--path", str(path / "data"), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                if self.process.poll() is not None:
                    pytest.fail(f"chroma run exited with {self.process.returncode}: {(path / 'server.log').read_text()[-2000:]}")
                time.sleep(0.3)
        self.stop()
        pytest.fail("chroma run did not answer its heartbeat within 60 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory):
    """A real `chroma run` server on loopback, shared by the server-mode tests."""
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server"))
    yield server.url
    server.stop()


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: int = 300, **kwargs) -> subprocess.CompletedProcess:
    """The installed `disclosures` command in a real subprocess."""
    executable = Path(sys.executable).parent / "disclosures"
    return subprocess.run([str(executable), *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, **kwargs)


@pytest.fixture
def invoke(tmp_path):
    """The `disclosures` command in-process (click's runner) over a data dir of the test's own."""
    from click.testing import CliRunner

    from assistant.cli import cli

    runner = CliRunner()
    data_dir = str(tmp_path / "data")

    def run(*args: str, input: str | None = None):  # noqa: A002 - click's name
        return runner.invoke(cli, ["--data-dir", data_dir, *args], input=input, obj={})

    return run
