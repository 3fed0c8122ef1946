"""Schema migrations for the catalog, applied in order and recorded in SQLite's `user_version`.

Never edit a migration that has shipped: append a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

MIGRATIONS: list[str | Callable[[sqlite3.Connection], None]] = [
    # 1: documents, their normalized text, and passages. The catalog is the source of truth; Chroma and the
    # BM25 index are derived from it and filtered through it.
    """
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('writing', 'complete', 'removing')),
        fingerprint TEXT NOT NULL,
        source_path TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        title TEXT NOT NULL,
        company TEXT,
        ticker TEXT,
        form TEXT,
        period TEXT,
        period_end TEXT,
        filing_date TEXT,
        page_count INTEGER,
        char_count INTEGER NOT NULL,
        passage_count INTEGER NOT NULL DEFAULT 0,
        ingested_at TEXT NOT NULL
    );
    CREATE INDEX documents_by_source ON documents (source_path);
    CREATE TABLE document_texts (
        doc_id TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        pages TEXT
    );
    CREATE TABLE passages (
        id TEXT PRIMARY KEY,
        doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        kind TEXT NOT NULL,
        page INTEGER,
        section TEXT,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        text TEXT NOT NULL,
        header TEXT,
        header_start INTEGER,
        header_end INTEGER
    );
    CREATE INDEX passages_by_doc ON passages (doc_id, ordinal);
    CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO state (key, value) VALUES ('generation', '0');
    """,
    # 2: facts, written with the passages in the same transaction, gone with their document.
    """
    CREATE TABLE facts (
        id TEXT PRIMARY KEY,
        doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        source TEXT NOT NULL,
        statement TEXT NOT NULL,
        label_norm TEXT NOT NULL,
        metric TEXT,
        period_end TEXT,
        kind TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX facts_by_doc ON facts (doc_id);
    CREATE INDEX facts_by_metric ON facts (metric, doc_id);
    """,
    # 3: which version of the fact extractor wrote a document's facts (0: none, e.g. ingested before facts
    # existed). Ingest re-extracts older ones from the stored text, without re-embedding.
    """
    ALTER TABLE documents ADD COLUMN facts_version INTEGER NOT NULL DEFAULT 0;
    """,
    # 4: the kind of boilerplate a passage mostly is (index/boilerplate.py), marked at ingest; the passages
    # already stored are marked here, by the same rule.
    lambda connection: _mark_boilerplate(connection),
]


def _mark_boilerplate(connection: sqlite3.Connection) -> None:
    from index.boilerplate import passage_kind

    connection.execute("ALTER TABLE passages ADD COLUMN boilerplate TEXT")
    rows = connection.execute("SELECT id, section, text FROM passages").fetchall()
    marked = [(kind, passage_id) for passage_id, section, text in rows if (kind := passage_kind(section, text))]
    connection.executemany("UPDATE passages SET boilerplate = ? WHERE id = ?", marked)


def migrate(connection: sqlite3.Connection) -> None:
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        from index.errors import StoreError

        raise StoreError(
            f"the catalog was written by a newer version of disclosures (schema {version}, this one knows "
            f"{len(MIGRATIONS)}); upgrade disclosures or use another --data-dir"
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        connection.execute("BEGIN IMMEDIATE")
        try:
            if callable(script):
                script(connection)
            else:
                for statement in _statements(script):
                    connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {number}")
            connection.execute("COMMIT")
        except Exception:
            connection.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    return [statement.strip() for statement in script.split(";") if statement.strip()]
