import datetime as dt
import sqlite3
from decimal import Decimal

import pytest

from index.errors import NotFoundError, StoreError
from index.catalog import Catalog
from index.migrations import MIGRATIONS, _statements
from index.records import Document, Fact, Passage


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


def fact(doc_id: str, ordinal: int, label: str = "Net loss", metric: str | None = "net_income") -> Fact:
    return Fact(id=f"{doc_id}-f{ordinal:05d}", doc_id=doc_id, source="table", statement="income_statement", label=label,
                label_norm=label.lower(), metric=metric, raw="(1,577", value=Decimal("-1577"), scale=1000,
                period_end=dt.date(2023, 12, 31), duration="FY", start=ordinal, end=ordinal + 6, passage_id=f"{doc_id}-00000")


def test_a_catalog_of_schema_1_is_migrated_and_keeps_its_documents(tmp_path):
    """A data dir written before facts existed (schema 1) opens, gains the facts table, and keeps its documents."""
    path = tmp_path / "catalog.sqlite3"
    with sqlite3.connect(path) as db:
        for statement in _statements(MIGRATIONS[0]):
            db.execute(statement)
        db.execute("PRAGMA user_version = 1")
        db.execute("INSERT INTO documents (id, status, fingerprint, source_path, content_hash, title, char_count, "
                   "passage_count, ingested_at) VALUES (?, 'complete', 'fp', '/data/a.txt', ?, 'Old', 5, 1, '2026-01-01')",
                   ("a" * 16, "a" * 64))
        db.execute("INSERT INTO passages (id, doc_id, ordinal, kind, start, \"end\", text) VALUES (?, ?, 0, 'text', 0, 5, 'hello')",
                   ("a" * 16 + "-00000", "a" * 16))
    catalog = Catalog(path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert [d.title for d in catalog.documents()] == ["Old"]
    assert catalog.passages_of("a" * 16)[0].text == "hello"
    assert catalog.fact_count("a" * 16) == 0 and catalog.facts(["a" * 16]) == []


def test_passages_stored_before_boilerplate_was_marked_are_marked_by_the_migration(tmp_path):
    """Schema 3 had no boilerplate column: opening it marks the stored passages as ingest now marks new ones."""
    path = tmp_path / "catalog.sqlite3"
    auditor = ("Report of Independent Registered Public Accounting Firm. We have audited the accompanying "
               "consolidated balance sheets. We conducted our audits in accordance with the standards of the PCAOB.")
    with sqlite3.connect(path) as db:
        for script in MIGRATIONS[:3]:
            for statement in _statements(script):
                db.execute(statement)
        db.execute("PRAGMA user_version = 3")
        db.execute("INSERT INTO documents (id, status, fingerprint, source_path, content_hash, title, char_count, "
                   "passage_count, ingested_at) VALUES (?, 'complete', 'fp', '/data/a.txt', ?, 'Old', 5, 2, '2026-01-01')",
                   ("a" * 16, "a" * 64))
        for ordinal, text in enumerate(["Net sales rose 8% to $394.3 billion.", auditor]):
            db.execute("INSERT INTO passages (id, doc_id, ordinal, kind, start, \"end\", text) VALUES (?, ?, ?, 'text', 0, ?, ?)",
                       (f"{'a' * 16}-{ordinal:05d}", "a" * 16, ordinal, len(text), text))
    catalog = Catalog(path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert [passage.boilerplate for passage in catalog.passages_of("a" * 16)] == [None, "auditor"]


def test_facts_are_written_with_the_document_and_read_back_exactly(tmp_path):
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    doc = document()
    catalog.begin(doc, "fp")
    stored = [fact(doc.id, 0), fact(doc.id, 1, "Research and development", "research_and_development")]
    assert catalog.facts([doc.id]) == [], "a writing document has no visible facts"
    catalog.complete(doc, [passage(doc.id, 0)], "x" * 20, None, facts=stored)
    assert catalog.facts([doc.id]) == stored
    assert catalog.facts([doc.id], metrics=["research_and_development"]) == stored[1:]
    assert catalog.facts(fact_ids=[stored[0].id]) == stored[:1]
    assert catalog.facts([doc.id])[0].amount == Decimal("-1577000")


def test_facts_of_a_superseded_version_go_with_it(tmp_path):
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    old, new = document("1111111111111111"), document("2222222222222222")
    for doc in (old, new):
        catalog.begin(doc, "fp")
    catalog.complete(old, [passage(old.id, 0)], "x", None, facts=[fact(old.id, 0)])
    catalog.complete(new, [passage(new.id, 0)], "y", None, superseded=[old.id], facts=[fact(new.id, 0)])
    assert [f.doc_id for f in catalog.facts()] == [new.id]
