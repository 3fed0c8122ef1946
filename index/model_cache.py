"""Model artefacts built on first use (an ONNX export, a distilled static model), kept in the data dir.

    folder = cached_folder(data_dir / "models", "all-MiniLM-L6-v2-onnx-1a2b3c4d", build)

`build(folder)` writes the artefact into an empty temporary folder next to the cache; the folder is renamed into
place only when `build` returns, so a killed or failed build never leaves a half-written artefact that a later
run would load. A lock file makes a second process wait for the first one's build and then reuse it, instead of
doing the same minutes of work twice.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from index.errors import ConfigError, StoreError

_HINT = "set DISCLOSURES_EMBEDDING_BACKEND=torch"


def built_folder(root: Path, name: str, build: Callable[[Path], None], doing: str, package: str) -> Path:
    """`cached_folder`, with a failed build said in one line: `doing` ("exporting X to ONNX") and the `package`
    the build most likely lacks. The exporters, quantizers and distillers raise many types, and all the user can
    do about any of them is install the package or switch back to the torch backend."""
    try:
        return cached_folder(root, name, build)
    except (ConfigError, StoreError):
        raise
    except ImportError as exc:
        needed = exc.name or package
        raise ConfigError(f"{doing} needs the {needed} package (pip install {needed}); or {_HINT}") from None
    except Exception as exc:
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise ConfigError(f"{doing} failed ({type(exc).__name__}: {detail}); {_HINT}") from None


def cached_folder(root: Path, name: str, build: Callable[[Path], None]) -> Path:
    """The folder `root/name`, built by `build` if it is not there yet."""
    final = root / name
    if final.is_dir():
        return final
    try:
        root.mkdir(parents=True, exist_ok=True)
        lock = open(root / f".{name}.lock", "w")  # noqa: SIM115 - held until the build is in place
    except OSError as exc:
        raise StoreError(f"cannot write the model cache in {root}: {exc.strerror or exc}") from None
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if final.is_dir():  # another process built it while this one waited for the lock
                return final
            _remove_leftovers(root, name)
            scratch = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=root))
            try:
                build(scratch)
                os.replace(scratch, final)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return final


def _remove_leftovers(root: Path, name: str) -> None:
    """Temporary folders of builds that were killed; only called while holding the lock, so none is in use."""
    for leftover in root.glob(f".{name}.tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def source_digest(folder: Path) -> str:
    """A short digest of a model folder's file names and sizes: an artefact is rebuilt when its source model
    changes, and two different models that share a folder name do not share a cache entry."""
    entries = sorted(f"{path.relative_to(folder)}:{path.stat().st_size}" for path in folder.rglob("*") if path.is_file())
    return hashlib.sha1("\n".join(entries).encode("utf-8")).hexdigest()[:10]


def cache_name(label: str, *parts: str) -> str:
    """A folder name from a model label and what the artefact depends on (`all-MiniLM-L6-v2-onnx-v1-1a2b3c4d`)."""
    base = label.rsplit("/", 1)[-1]
    return re.sub(r"[^A-Za-z0-9._-]+", "_", "-".join([base, *parts]))
