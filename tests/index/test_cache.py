"""The catalog cache (index/cache.py): read once per catalog generation, forgotten when the catalog changes."""

from __future__ import annotations

from conftest import SEED

from index.cache import CatalogCache
from index.ingest import Ingestor


def test_reads_are_kept_until_the_catalog_changes(store):
    assert not Ingestor(store, progress=False).ingest([SEED]).failed
    cache = CatalogCache(store.catalog)
    cache.refresh()
    [document] = store.documents()
    facts = cache.facts_of([document.id])
    assert facts and cache.fact(facts[0].id) == facts[0]
    assert cache.document(document.id).id == document.id and "Aptorum" in cache.text(document.id)
    assert cache.passage(facts[0].passage_id).doc_id == document.id
    store.remove(document.id)
    cache.refresh()   # same generation would keep serving the removed document's facts; this one has moved
    assert cache.facts_of([document.id]) == [] and cache.fact(facts[0].id) is None


def test_without_a_change_nothing_is_read_again(store, monkeypatch):
    assert not Ingestor(store, progress=False).ingest([SEED]).failed
    cache = CatalogCache(store.catalog)
    cache.refresh()
    [document] = store.documents()
    cache.facts_of([document.id])
    reads = []
    monkeypatch.setattr(store.catalog, "facts", lambda *args, **kwargs: reads.append(args) or [])
    cache.refresh()
    assert cache.facts_of([document.id]) and reads == []
