"""The documents commands: ingest, docs, remove, reindex, and search (one query, or an interactive prompt)."""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

import click

from assistant.cli.context import emit_json, prompt_loop, store_of


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--company", default=None, help="Company, overriding what is inferred.")
@click.option("--form", default=None, help="Form (10-K, 10-Q, 8-K, earnings release, press release).")
@click.option("--period", default=None, help="Fiscal period (FY2022, 2023Q2, 2021H1).")
@click.option("--title", default=None, help="Title, overriding what is inferred.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.option("--no-progress", is_flag=True, help="No progress bar on stderr.")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], company: str | None, form: str | None, period: str | None,
           title: str | None, as_json: bool, no_progress: bool) -> None:
    """Ingest files and folders (recursive): .txt, .md, .htm, .html, .pdf."""
    from index.ingest import Ingestor
    from index.metadata import validate_meta

    flags = {key: value for key, value in {"company": company, "form": form, "period": period, "title": title}.items() if value}
    overrides = validate_meta(Path("--flags"), flags, where="flags") if flags else None
    report = Ingestor(store_of(ctx), overrides=overrides, progress=not no_progress).ingest(list(paths))
    if as_json:
        emit_json(report.to_json())
    else:
        for outcome in report.outcomes:
            if outcome.status == "failed":
                click.echo(f"error: {outcome.error}", err=True)
            else:
                detail = f"{outcome.passages} passages" + (f", {outcome.pages} pages" if outcome.pages else "")
                click.echo(f"{outcome.status:9} {outcome.doc_id}  {outcome.title}  ({detail})")
        summary = report.summary()
        rate = f", {summary['passages_per_second']} passages/s" if summary["passages"] else ""
        click.echo(
            f"{summary['files']} files: {summary['added']} added, {summary['replaced']} replaced, "
            f"{summary['updated']} updated, {summary['unchanged']} unchanged, {summary['failed']} failed; "
            f"{summary['passages']} passages in {summary['seconds']}s{rate}",
            err=True,
        )
    if report.failed:
        sys.exit(1)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.pass_context
def docs(ctx: click.Context, as_json: bool) -> None:
    """List ingested documents with their metadata and passage counts."""
    documents = store_of(ctx).documents()
    if as_json:
        emit_json({"documents": [document.to_json() for document in documents]})
        return
    if not documents:
        click.echo("no documents; ingest some with: disclosures ingest PATH")
        return
    click.echo(f"{'id':16}  {'company':24}  {'form':16}  {'period':8}  {'pages':>5}  {'passages':>8}  title")
    for document in documents:
        click.echo(
            f"{document.id:16}  {(document.company or '-')[:24]:24}  {(document.form or '-')[:16]:16}  {(document.period or '-'):8}  "
            f"{(document.page_count or '-'):>5}  {document.passage_count:>8}  {document.title}"
        )


@click.command()
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.pass_context
def remove(ctx: click.Context, doc_id: str, as_json: bool) -> None:
    """Remove a document (by id, id prefix or file stem) from the catalog, Chroma and the BM25 index."""
    document = store_of(ctx).remove(doc_id)
    if as_json:
        emit_json({"removed": document.to_json()})
    else:
        click.echo(f"removed {document.id}  {document.title}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.option("--no-progress", is_flag=True, help="No progress bar on stderr.")
@click.pass_context
def reindex(ctx: click.Context, as_json: bool, no_progress: bool) -> None:
    """Re-embed the stored passages with the configured model and backend (DISCLOSURES_EMBEDDING_MODEL,
    DISCLOSURES_EMBEDDING_BACKEND), without reading the files again; resumable after a kill."""
    from index.reindex import reindex as run_reindex

    report = run_reindex(store_of(ctx), progress=not no_progress)
    if as_json:
        emit_json(report.to_json())
        return
    rate = report.to_json()["passages_per_second"]
    click.echo(
        f"reindexed {report.documents} documents, {report.passages} passages with {report.model}"
        + (f" (was {report.previous_model})" if report.previous_model and report.previous_model != report.model else "")
        + f": {report.embedded} embedded" + (f", {report.resumed} kept from an interrupted run" if report.resumed else "")
        + f" in {report.seconds:.1f}s" + (f", {rate} passages/s" if rate else "")
    )


@click.command()
@click.argument("query", required=False)
@click.option("-k", "k", type=click.IntRange(1, 200), default=None, help="How many passages (default 5).")
@click.option("--doc", "docs", multiple=True, help="Only this document (id, id prefix or file stem); repeatable.")
@click.option("--company", default=None, help="Only this company (name, ticker or file-name form).")
@click.option("--form", default=None, help="Only this form.")
@click.option("--period", default=None, help="Only this fiscal period (FY2022, 2023Q2, 2022).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.pass_context
def search(ctx: click.Context, query: str | None, k: int | None, docs: tuple[str, ...], company: str | None,
           form: str | None, period: str | None, as_json: bool) -> None:
    """Search passages; with no QUERY, an interactive search prompt."""
    from index.records import SearchFilters
    from index.retrieval import HybridRetriever
    from index.store import require_documents

    store = store_of(ctx)
    filters = SearchFilters(docs=list(docs) or None, company=company, form=form, period=period)
    retriever = HybridRetriever(store=store, k=k or store.settings.search_k, filters=filters)
    if query is not None:
        require_documents(store)
        hits = retriever.search(query)
        if as_json:
            emit_json({"query": query, "filters": filters.model_dump(exclude_none=True), "hits": [hit.to_json() for hit in hits]})
        else:
            _print_hits(hits, query)
        return
    _search_prompt(store, retriever)


def _search_prompt(store, retriever) -> None:  # noqa: ANN001
    from index.store import require_documents

    require_documents(store)
    documents = store.documents()
    click.echo(f"Searching {len(documents)} document(s) in {store.data_dir}. Type a question or keywords; 'quit' to leave.")
    prompt_loop("search> ", lambda query: _print_hits(retriever.search(query), query), empty_ends=False)


def snippet(text: str, query: str, width: int) -> str:
    """The stretch of `text` (at most `width` characters) that holds the most distinct query words."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    words = {word for word in re.findall(r"[a-z0-9]{3,}", query.lower())}
    lowered = flat.lower()
    positions = sorted((match.start(), match.group(0)) for word in words for match in re.finditer(re.escape(word), lowered))
    best_start, best_score = 0, -1
    for start, _ in positions:
        begin = max(0, start - width // 4)
        score = len({word for position, word in positions if begin <= position < begin + width})
        if score > best_score:
            best_start, best_score = begin, score
    piece = flat[best_start:best_start + width]
    return ("… " if best_start else "") + piece + (" …" if best_start + width < len(flat) else "")


def _print_hits(hits, query: str) -> None:  # noqa: ANN001
    if not hits:
        click.echo("no passages found")
        return
    for number, hit in enumerate(hits, start=1):
        passage, document = hit.passage, hit.document
        where = f"page {passage.page}" if passage.page else "no pages"
        ranks = ", ".join(f"{name} #{rank}" for name, rank in (("dense", hit.dense_rank), ("keyword", hit.keyword_rank)) if rank)
        click.echo(click.style(f"[{number}] {document.title}", bold=True) + (f" · {passage.section}" if passage.section else ""))
        click.echo(f"    doc {document.id} · {where} · chars {passage.start}-{passage.end} · {passage.kind} · score {hit.score:.4f} ({ranks})")
        for line in textwrap.wrap(snippet(passage.text, query, 700), width=100):
            click.echo(f"    {line}")
        click.echo()
