"""The catalog: documents, their text and their passages in SQLite, the source of truth of the store.

A document is searchable only once its status is `complete`, which is set in the same transaction that
writes its passages. Chroma and the BM25 index are derived from the catalog and always filtered through it,
so a crash mid-ingest can leave vectors behind but never a half-document that search returns.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from index.errors import NotFoundError, StoreError
from index.migrations import migrate
from index.records import Document, Fact, Passage

_DOCUMENT_COLUMNS = (
    "id", "source_path", "content_hash", "title", "company", "ticker", "form", "period", "period_end",
    "filing_date", "page_count", "char_count", "passage_count", "ingested_at",
)
_PASSAGE_COLUMNS = ("id", "doc_id", "ordinal", "kind", "page", "section", "start", "end", "text", "header", "header_start",
                    "header_end", "boilerplate")


class Catalog:
    def __init__(self, path: Path):
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA synchronous=NORMAL")
            migrate(self._db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the catalog {path}: {exc}") from None
        self._lock = threading.RLock()

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        with self._lock:
            cursor = self._db.execute(sql, params)
            cursor.row_factory = sqlite3.Row
            return cursor.fetchall()

    # --- reading ------------------------------------------------------------------------------------------

    def generation(self) -> int:
        return int(self._query("SELECT value FROM state WHERE key = 'generation'")[0]["value"])

    def documents(self, status: str = "complete") -> list[Document]:
        rows = self._query(f"SELECT {_columns(_DOCUMENT_COLUMNS)} FROM documents WHERE status = ? ORDER BY company, period, title", (status,))
        return [_document(row) for row in rows]

    def document(self, doc_id: str, status: str | None = "complete") -> Document | None:
        sql = f"SELECT {_columns(_DOCUMENT_COLUMNS)} FROM documents WHERE id = ?"
        params: list[object] = [doc_id]
        if status:
            sql += " AND status = ?"
            params.append(status)
        rows = self._query(sql, params)
        return _document(rows[0]) if rows else None

    def state_of(self, doc_id: str) -> tuple[str, str] | None:
        """(status, fingerprint) of a document, whatever its status."""
        rows = self._query("SELECT status, fingerprint FROM documents WHERE id = ?", (doc_id,))
        return (rows[0]["status"], rows[0]["fingerprint"]) if rows else None

    def ids_by_source(self, source_path: str) -> list[str]:
        return [row["id"] for row in self._query("SELECT id FROM documents WHERE source_path = ?", (source_path,))]

    def unfinished(self) -> list[tuple[str, str]]:
        """Documents a crash left behind: (id, status) for status 'writing' or 'removing'."""
        rows = self._query("SELECT id, status FROM documents WHERE status != 'complete'")
        return [(row["id"], row["status"]) for row in rows]

    def current_ids(self, fingerprint: str, facts_version: int) -> set[str]:
        """Complete documents written with this fingerprint and facts version: ingest has nothing to redo for them."""
        rows = self._query("SELECT id FROM documents WHERE status = 'complete' AND fingerprint = ? AND facts_version >= ?",
                           (fingerprint, facts_version))
        return {row["id"] for row in rows}

    def complete_ids(self) -> set[str]:
        return {row["id"] for row in self._query("SELECT id FROM documents WHERE status = 'complete'")}

    def resolve(self, reference: str) -> Document:
        """A complete document by id, unique id prefix (6+ characters) or file stem."""
        reference = reference.strip()
        if not reference:
            raise NotFoundError("empty document reference; give a document id or file name from `disclosures docs`")
        document = self.document(reference)
        if document:
            return document
        candidates = self.documents()
        matches = ([doc for doc in candidates if _id_prefix(doc, reference)]
                   or [doc for doc in candidates if _file_stem(doc, reference)])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise NotFoundError(f"document {reference!r} is ambiguous: it matches {', '.join(doc.id for doc in matches)}")
        raise NotFoundError(f"no document {reference!r}; `disclosures docs` lists the ingested documents")

    def passages_by_id(self, ids: Iterable[str]) -> dict[str, Passage]:
        """Passages of complete documents only: anything else does not exist for search."""
        ids = list(ids)
        found: dict[str, Passage] = {}
        for batch in _batches(ids, 500):
            rows = self._query(
                f"SELECT {_columns(_PASSAGE_COLUMNS, 'p')} FROM passages p JOIN documents d ON d.id = p.doc_id "
                f"WHERE d.status = 'complete' AND p.id IN ({','.join('?' * len(batch))})",
                batch,
            )
            found.update((row["id"], _passage(row)) for row in rows)
        return found

    def passages_of(self, doc_id: str) -> list[Passage]:
        rows = self._query(f"SELECT {_columns(_PASSAGE_COLUMNS)} FROM passages WHERE doc_id = ? ORDER BY ordinal", (doc_id,))
        return [_passage(row) for row in rows]

    def iter_passages(self) -> Iterator[Passage]:
        """Every passage of every complete document, in a stable order (for the BM25 index)."""
        rows = self._query(
            f"SELECT {_columns(_PASSAGE_COLUMNS, 'p')} FROM passages p JOIN documents d ON d.id = p.doc_id "
            "WHERE d.status = 'complete' ORDER BY p.doc_id, p.ordinal"
        )
        for row in rows:
            yield _passage(row)

    def facts(self, doc_ids: Sequence[str] | None = None, metrics: Sequence[str] | None = None,
              label_like: str | None = None, fact_ids: Sequence[str] | None = None) -> list[Fact]:
        """Facts of complete documents; restricted to these documents, to facts of these metrics or whose
        normalized label contains `label_like` (either matches), or to these ids."""
        sql = "SELECT f.data FROM facts f JOIN documents d ON d.id = f.doc_id WHERE d.status = 'complete'"
        params: list[object] = []
        if doc_ids is not None:
            sql += f" AND f.doc_id IN ({','.join('?' * len(doc_ids))})"
            params.extend(doc_ids)
        if fact_ids is not None:
            sql += f" AND f.id IN ({','.join('?' * len(fact_ids))})"
            params.extend(fact_ids)
        alternatives = []
        if metrics:
            alternatives.append(f"f.metric IN ({','.join('?' * len(metrics))})")
            params.extend(metrics)
        if label_like:
            alternatives.append("f.label_norm LIKE ? ESCAPE '\\'")
            params.append("%" + label_like.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        if alternatives:
            sql += " AND (" + " OR ".join(alternatives) + ")"
        sql += " ORDER BY f.doc_id, f.id"
        return [Fact.model_validate_json(row["data"]) for row in self._query(sql, params)]

    def table_fact_places(self) -> list[tuple[str, str, str | None]]:
        """(passage id, statement, metric) of every table fact of complete documents: which passages print which
        statement's lines, read without parsing the facts (search ranks statement tables by it)."""
        rows = self._query(
            "SELECT json_extract(f.data, '$.passage_id') AS passage_id, f.statement, f.metric FROM facts f "
            "JOIN documents d ON d.id = f.doc_id WHERE d.status = 'complete' AND f.source = 'table' "
            "AND json_extract(f.data, '$.passage_id') IS NOT NULL"
        )
        return [(row["passage_id"], row["statement"], row["metric"]) for row in rows]

    def fact_count(self, doc_id: str | None = None) -> int:
        if doc_id is None:
            return int(self._query("SELECT COUNT(*) AS n FROM facts")[0]["n"])
        return int(self._query("SELECT COUNT(*) AS n FROM facts WHERE doc_id = ?", (doc_id,))[0]["n"])

    def document_text(self, doc_id: str) -> str:
        rows = self._query("SELECT text FROM document_texts WHERE doc_id = ?", (doc_id,))
        if not rows:
            raise NotFoundError(f"no text stored for document {doc_id}")
        return rows[0]["text"]

    def passage_count(self) -> int:
        return int(self._query("SELECT COUNT(*) AS n FROM passages")[0]["n"])

    # --- writing ------------------------------------------------------------------------------------------

    def begin(self, document: Document, fingerprint: str) -> None:
        """Record a document as being written: invisible to search until `complete`."""
        with self._transaction() as db:
            db.execute("DELETE FROM documents WHERE id = ?", (document.id,))
            values = _document_values(document)
            db.execute(
                f"INSERT INTO documents ({_columns(_DOCUMENT_COLUMNS)}, status, fingerprint) "
                f"VALUES ({','.join('?' * len(values))}, 'writing', ?)",
                (*values, fingerprint),
            )

    def complete(self, document: Document, passages: Sequence[Passage], text: str, pages: list[tuple[int, int]] | None,
                 superseded: Sequence[str] = (), facts: Sequence[Fact] = (), facts_version: int = 0) -> None:
        """In one transaction: store the passages, facts and text, mark the document complete, and mark the
        versions it replaces for removal."""
        with self._transaction() as db:
            db.execute("DELETE FROM passages WHERE doc_id = ?", (document.id,))
            db.executemany(
                f"INSERT INTO passages ({_columns(_PASSAGE_COLUMNS)}) VALUES ({','.join('?' * len(_PASSAGE_COLUMNS))})",
                [_passage_values(passage) for passage in passages],
            )
            _write_facts(db, document.id, facts, facts_version)
            db.execute(
                "INSERT OR REPLACE INTO document_texts (doc_id, text, pages) VALUES (?, ?, ?)",
                (document.id, text, json.dumps(pages) if pages is not None else None),
            )
            db.execute(
                "UPDATE documents SET status = 'complete', passage_count = ?, ingested_at = ? WHERE id = ?",
                (len(passages), _now(), document.id),
            )
            for old in superseded:
                if old != document.id:
                    db.execute("UPDATE documents SET status = 'removing' WHERE id = ?", (old,))
            _bump(db)

    def facts_version(self, doc_id: str) -> int:
        rows = self._query("SELECT facts_version FROM documents WHERE id = ?", (doc_id,))
        return int(rows[0]["facts_version"]) if rows else 0

    def replace_facts(self, doc_id: str, facts: Sequence[Fact], facts_version: int) -> None:
        """Replace a complete document's facts (a newer extractor), in one transaction."""
        with self._transaction() as db:
            _write_facts(db, doc_id, facts, facts_version)
            _bump(db)

    def update_metadata(self, document: Document) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE documents SET source_path = ?, title = ?, company = ?, ticker = ?, form = ?, period = ?, "
                "period_end = ?, filing_date = ? WHERE id = ?",
                (document.source_path, document.title, document.company, document.ticker, document.form, document.period,
                 _iso(document.period_end), _iso(document.filing_date), document.id),
            )
            _bump(db)

    def set_fingerprint(self, doc_ids: Sequence[str], fingerprint: str) -> None:
        """Record that these documents' passages are now embedded as `fingerprint` says (after a reindex)."""
        with self._transaction() as db:
            db.executemany("UPDATE documents SET fingerprint = ? WHERE id = ?", [(fingerprint, doc_id) for doc_id in doc_ids])
            _bump(db)

    def mark_removing(self, doc_ids: Sequence[str]) -> None:
        with self._transaction() as db:
            for doc_id in doc_ids:
                db.execute("UPDATE documents SET status = 'removing' WHERE id = ?", (doc_id,))
            _bump(db)

    def delete(self, doc_ids: Sequence[str]) -> None:
        with self._transaction() as db:
            for doc_id in doc_ids:
                db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            _bump(db)


def matches_reference(document: Document, reference: str) -> bool:
    """Whether a user's reference names the document: its id, a unique-looking prefix of it (6+ characters) or its
    file stem (`EBAY_2023Q1_EARNINGS`)."""
    reference = reference.strip()
    return document.id == reference.lower() or _id_prefix(document, reference) or _file_stem(document, reference)


def _id_prefix(document: Document, reference: str) -> bool:
    return len(reference) >= 6 and document.id.startswith(reference.lower())


def _file_stem(document: Document, reference: str) -> bool:
    return Path(document.source_path).stem.lower() == Path(reference).stem.lower()


def _bump(db: sqlite3.Connection) -> None:
    db.execute("UPDATE state SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")


def _columns(names: Sequence[str], alias: str | None = None) -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(f'{prefix}"{name}"' for name in names)


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _document_values(document: Document) -> tuple:
    return (
        document.id, document.source_path, document.content_hash, document.title, document.company, document.ticker,
        document.form, document.period, _iso(document.period_end), _iso(document.filing_date), document.page_count,
        document.char_count, document.passage_count, _iso(document.ingested_at) or _now(),
    )


def _document(row: sqlite3.Row) -> Document:
    data = {name: row[name] for name in _DOCUMENT_COLUMNS}
    return Document(**data)


def _passage_values(passage: Passage) -> tuple:
    return tuple(getattr(passage, name) for name in _PASSAGE_COLUMNS)


def _passage(row: sqlite3.Row) -> Passage:
    return Passage(**{name: row[name] for name in _PASSAGE_COLUMNS})


def _write_facts(db: sqlite3.Connection, doc_id: str, facts: Sequence[Fact], facts_version: int) -> None:
    db.execute("DELETE FROM facts WHERE doc_id = ?", (doc_id,))
    db.executemany(
        "INSERT INTO facts (id, doc_id, source, statement, label_norm, metric, period_end, kind, data) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(fact.id, fact.doc_id, fact.source, fact.statement, fact.label_norm, fact.metric,
          _iso(fact.period_end), fact.kind, fact.model_dump_json()) for fact in facts],
    )
    db.execute("UPDATE documents SET facts_version = ? WHERE id = ?", (facts_version, doc_id))
