import sqlite3

import pytest

from assistant.errors import NotFoundError, StoreError
from index.catalog import Catalog
from index.migrations import MIGRATIONS
from index.records import Document, Passage


def document(doc_id: str = "a1b2c3d4e5f60718", source: str = "/data/ACME_2023_10K.pdf") -> Document:
    return Document(id=doc_id, title="Acme 10-K FY2023", source_path=source, content_hash=doc_id + "0" * 48,
                    company="Acme Corp", form="10-K", period="FY2023", page_count=2, char_count=20)


def passage(doc_id: str, ordinal: int) -> Passage:
    return Passage(id=f"{doc_id}-{ordinal:05d}", doc_id=doc_id, ordinal=ordinal, kind="text", page=1, section=None,
                   start=ordinal * 10, end=ordinal * 10 + 5, text="hello")


def test_new_catalog_is_migrated_to_the_latest_schema(tmp_path):
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    version = sqlite3.connect(tmp_path / "catalog.sqlite3").execute("PRAGMA user_version").fetchone()[0]
    assert version == len(MIGRATIONS)
    assert catalog.generation() == 0


def test_a_catalog_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "catalog.sqlite3"
    Catalog(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="written by a newer version"):
        Catalog(path)


def test_a_corrupt_catalog_file_is_a_store_error(tmp_path):
    path = tmp_path / "catalog.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot open the catalog"):
        Catalog(path)


def test_a_document_is_invisible_until_complete(tmp_path):
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    doc = document()
    catalog.begin(doc, "fp")
    assert catalog.documents() == [] and catalog.unfinished() == [(doc.id, "writing")]
    catalog.complete(doc, [passage(doc.id, 0), passage(doc.id, 1)], "x" * 20, [(0, 10), (12, 20)])
    assert [d.id for d in catalog.documents()] == [doc.id]
    assert catalog.documents()[0].passage_count == 2
    assert set(catalog.passages_by_id([f"{doc.id}-00000", "missing"])) == {f"{doc.id}-00000"}
    assert catalog.generation() == 1


def test_completing_a_new_version_marks_the_old_one_for_removal(tmp_path):
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    old, new = document("1111111111111111"), document("2222222222222222")
    for doc in (old, new):
        catalog.begin(doc, "fp")
    catalog.complete(old, [passage(old.id, 0)], "x", None)
    catalog.complete(new, [passage(new.id, 0)], "y", None, superseded=[old.id])
    assert [d.id for d in catalog.documents()] == [new.id]
    assert catalog.unfinished() == [(old.id, "removing")]
    assert catalog.passages_by_id([f"{old.id}-00000"]) == {}


def test_resolve_by_id_prefix_and_stem(tmp_path):
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    doc = document()
    catalog.begin(doc, "fp")
    catalog.complete(doc, [], "", None)
    assert catalog.resolve(doc.id).id == doc.id
    assert catalog.resolve(doc.id[:6]).id == doc.id
    assert catalog.resolve("ACME_2023_10K").id == doc.id
    assert catalog.resolve("ACME_2023_10K.pdf").id == doc.id
    with pytest.raises(NotFoundError, match="no document 'a1b2'"):
        catalog.resolve("a1b2")  # too short to be a prefix
    with pytest.raises(NotFoundError, match="empty document reference"):
        catalog.resolve(" ")
