"""The `disclosures` command: a thin layer over the library. Every command takes --json."""

from __future__ import annotations

import json
import re
import sys
import textwrap
from pathlib import Path

import click

from index.errors import DisclosuresError, NotFoundError, QueryError
from index.settings import Settings, load_settings


def _emit_json(payload: object) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


class _Group(click.Group):
    """Turns project errors into one line on stderr and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context):  # noqa: ANN201
        try:
            return super().invoke(ctx)
        except DisclosuresError as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            _fail("interrupted", 130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where the store lives (default: $DISCLOSURES_DATA_DIR or ~/.local/share/disclosures).")
@click.option("--chroma-url", default=None, help="Use a Chroma server (`chroma run`) instead of the embedded store.")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, chroma_url: str | None) -> None:
    """Disclosure Assistant: ingest company disclosures and search them."""
    ctx.ensure_object(dict)
    ctx.obj["overrides"] = {"data_dir": data_dir, "chroma_url": chroma_url}


def _settings(ctx: click.Context) -> Settings:
    return load_settings(**ctx.obj["overrides"])


def _store(ctx: click.Context):  # noqa: ANN202
    from index.store import open_store

    return open_store(_settings(ctx))


# --- ingest -----------------------------------------------------------------------------------------------


@cli.command()
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
    report = Ingestor(_store(ctx), overrides=overrides, progress=not no_progress).ingest(list(paths))
    if as_json:
        _emit_json(report.to_json())
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


# --- search -----------------------------------------------------------------------------------------------


@cli.command()
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

    store = _store(ctx)
    filters = SearchFilters(docs=list(docs) or None, company=company, form=form, period=period)
    retriever = HybridRetriever(store=store, k=k or store.settings.search_k, filters=filters)
    if query is not None:
        require_documents(store)
        hits = retriever.search(query)
        if as_json:
            _emit_json({"query": query, "filters": filters.model_dump(exclude_none=True), "hits": [hit.to_json() for hit in hits]})
        else:
            _print_hits(hits, query)
        return
    _search_prompt(store, retriever)


def _search_prompt(store, retriever) -> None:  # noqa: ANN001
    from index.store import require_documents

    require_documents(store)
    documents = store.documents()
    click.echo(f"Searching {len(documents)} document(s) in {store.data_dir}. Type a question or keywords; 'quit' to leave.")
    while True:
        try:
            query = input("search> ").strip()
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        if query.lower() in ("quit", "exit", ":q"):
            return
        if not query:
            continue
        try:
            _print_hits(retriever.search(query), query)
        except DisclosuresError as exc:
            click.echo(f"error: {exc}", err=True)


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


# --- docs and remove -------------------------------------------------------------------------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.pass_context
def docs(ctx: click.Context, as_json: bool) -> None:
    """List ingested documents with their metadata and passage counts."""
    documents = _store(ctx).documents()
    if as_json:
        _emit_json({"documents": [document.to_json() for document in documents]})
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


@cli.command()
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.pass_context
def remove(ctx: click.Context, doc_id: str, as_json: bool) -> None:
    """Remove a document (by id, id prefix or file stem) from the catalog, Chroma and the BM25 index."""
    document = _store(ctx).remove(doc_id)
    if as_json:
        _emit_json({"removed": document.to_json()})
    else:
        click.echo(f"removed {document.id}  {document.title}")


# --- facts and calc -----------------------------------------------------------------------------------------


@cli.command()
@click.argument("doc_id", required=False)
@click.option("--company", default=None, help="Facts of this company's documents (name, ticker or file prefix) instead of one DOC_ID.")
@click.option("--label", default=None, help="Only facts of this line (synonyms work: R&D, capex, revenue).")
@click.option("--period", default=None, help="Only this period: 'June 30, 2021', 2021, FY2022, 2023Q1, H1 2021.")
@click.option("--statement", type=click.Choice(["balance_sheet", "income_statement", "cash_flow", "comprehensive_income",
                                                "equity", "segment", "other", "narrative"]), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.pass_context
def facts(ctx: click.Context, doc_id: str | None, company: str | None, label: str | None, period: str | None,
          statement: str | None, as_json: bool) -> None:
    """List the figures a document states (tables and sentences), with their source."""
    from index.facts import find_facts
    from index.store import company_matches

    store = _store(ctx)
    if doc_id is None and company is None:
        raise QueryError("name a document (DOC_ID, see `disclosures docs`) or a company (--company)")
    documents = [store.catalog.resolve(doc_id)] if doc_id else store.documents()
    if company is not None:
        documents = [document for document in documents if company_matches(document, company)]
        if not documents:
            raise NotFoundError(f"no document of company {company!r}" + (f" with id {doc_id!r}" if doc_id else "")
                                + "; see `disclosures docs`")
    found = find_facts(store.catalog, [document.id for document in documents], label, period, statement)
    if as_json:
        _emit_json({"documents": [document.to_json() for document in documents], "facts": [fact.to_json() for fact in found]})
        return
    if not found:
        click.echo("no facts match")
        return
    for fact in found:
        where = f"p.{fact.page}" if fact.page else f"chars {fact.start}-{fact.end}"
        scale = {1: "", 1_000: " thousand", 1_000_000: " million", 1_000_000_000: " billion"}.get(fact.scale, f" ×{fact.scale}")
        scale = "" if scale.strip() and scale.strip() in fact.raw else scale
        flags = []
        if not fact.column_certain:
            flags.append("column uncertain")
        if fact.reconciled is False:
            flags.append("does not reconcile")
        if fact.linked_fact:
            flags.append(f"linked {fact.linked_fact}")
        if fact.note and fact.note.startswith("disagrees"):
            flags.append(fact.note)
        click.echo(f"{fact.id}  {fact.label[:60]:60}  {(fact.period or '-')[:34]:34}  {fact.raw:>14}{scale}  {fact.kind:9} "
                   f"{fact.statement:16} {where}" + (f"  [{'; '.join(flags)}]" if flags else ""))


@cli.command()
@click.argument("expression")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.pass_context
def calc(ctx: click.Context, expression: str, as_json: bool) -> None:
    """Evaluate an expression exactly: 'pct_change(4315033, 5508356)', 'sum(1,577, 2,310) / 2', '@FACT_ID * 2'."""
    from assistant.calculator import calculate

    figure = calculate(expression, resolve=_fact_resolver(ctx) if "@" in expression else None)
    if as_json:
        _emit_json(figure.to_json())
    else:
        click.echo(figure.derivation)


def _fact_resolver(ctx: click.Context):  # noqa: ANN202
    store = _store(ctx)

    def resolve(fact_id: str):  # noqa: ANN202
        found = store.catalog.facts(fact_ids=[fact_id])
        return found[0] if found else None

    return resolve


# --- ask ------------------------------------------------------------------------------------------------------


@cli.command()
@click.argument("question", required=False)
@click.option("--doc", "docs", multiple=True, help="Only this document (id, id prefix or file stem); repeatable.")
@click.option("--company", default=None, help="Only this company's documents (name, ticker or file-name form).")
@click.option("--backend", default=None, metavar="offline|PROVIDER:MODEL",
              help="Answering backend: offline (no model; the default, or DISCLOSURES_BACKEND), or any LangChain chat "
                   "model as PROVIDER:MODEL (openai:gpt-4o-mini; with DISCLOSURES_LLM_BASE_URL, any model an "
                   "OpenAI-compatible server serves).")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as one JSON document on stdout.")
@click.pass_context
def ask(ctx: click.Context, question: str | None, docs: tuple[str, ...], company: str | None, backend: str | None,
        as_json: bool) -> None:
    """Answer a question from the disclosures, quoting them; with no QUESTION, a chat that keeps the history."""
    from assistant.answering import Assistant
    from assistant.conversation import Conversation
    from index.records import SearchFilters
    from index.store import require_documents

    store = _store(ctx)
    require_documents(store)
    assistant = Assistant(store, backend=backend, settings=_settings(ctx))
    filters = SearchFilters(docs=list(docs) or None, company=company)
    filters = None if filters.is_empty() else filters
    if question is not None:
        answer = assistant.ask(question, filters=filters)
        if as_json:
            _emit_json(answer.to_json())
        else:
            _print_answer(answer)
        return
    conversation = Conversation()
    click.echo(f"Ask about {len(store.documents())} document(s) in {store.data_dir}. "
               "Follow-ups keep the conversation; an empty line or 'quit' leaves.")
    while True:
        try:
            line = input("ask> ").strip()
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        if not line or line.lower() in ("quit", "exit", ":q"):
            return
        try:
            answer = assistant.ask(line, conversation, filters)
        except DisclosuresError as exc:
            click.echo(f"error: {exc}", err=True)
            continue
        if as_json:
            _emit_json(answer.to_json())
        else:
            _print_answer(answer)


def _print_answer(answer) -> None:  # noqa: ANN001
    for paragraph in answer.text.split("\n"):
        click.echo(textwrap.fill(paragraph, width=100) if paragraph else "")
    if answer.citations:
        click.echo()
        for citation in answer.citations:
            where = f"page {citation.page}" if citation.page else f"chars {citation.start}-{citation.end}"
            click.echo(click.style(f"[{citation.n}] {citation.title}", bold=True)
                       + (f" · {citation.section}" if citation.section else "") + f" · {where}")
            for line in textwrap.wrap(f"“{citation.quote}”", width=96):
                click.echo(f"    {line}")
    if not answer.grounded:
        click.echo(f"warning: unverified figures: {', '.join(answer.unsupported_numbers)}", err=True)


# --- eval -------------------------------------------------------------------------------------------------


@cli.command()
@click.option("--host", default=None, help="Address to listen on (default DISCLOSURES_UI_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default DISCLOSURES_UI_PORT, 7860).")
@click.option("--share", type=click.Choice(["off", "on"]), default="off",
              help="A public gradio.live link (needs internet; off by default).")
@click.pass_context
def chat(ctx: click.Context, host: str | None, port: int | None, share: str) -> None:
    """Open the chat web page over the ingested documents."""
    from assistant.ui import serve

    settings = _settings(ctx)
    click.echo(f"Disclosure Assistant: http://{host or settings.chat.host}:{port or settings.chat.port}", err=True)
    serve(settings, host=host, port=port, share=share == "on")


@cli.command()
@click.option("--socket", "mode", flag_value="socket", help="Socket Mode (SLACK_APP_TOKEN + SLACK_BOT_TOKEN): no public URL needed.")
@click.option("--http", "mode", flag_value="http", default=True,
              help="HTTP mode (SLACK_SIGNING_SECRET + SLACK_BOT_TOKEN): events, commands and interactivity on POST /slack/events.")
@click.option("--host", default="127.0.0.1", show_default=True, help="HTTP mode: address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=3000, show_default=True, help="HTTP mode: port.")
@click.pass_context
def slack(ctx: click.Context, mode: str, host: str, port: int) -> None:
    """Run the Slack bot."""
    from assistant.slackbot import serve_http, serve_socket

    settings = _settings(ctx)
    if mode == "socket":
        serve_socket(settings)
    else:
        click.echo(f"Slack bot: POST http://{host}:{port}/slack/events", err=True)
        serve_http(settings, host, port)


@cli.group("eval")
def eval_group() -> None:
    """Measure the assistant on a question set (eval/harness.py)."""


@eval_group.command("run")
@click.option("--questions", "questions_file", required=True, type=click.Path(path_type=Path),
              help="Question set: JSONL, YAML, or TAT-QA's JSON.")
@click.option("--docs", default=None, type=click.Path(path_type=Path),
              help="Folder of the documents asked about (TAT-QA's JSON brings its own).")
@click.option("--mode", type=click.Choice(["shared", "per-doc"]), default="shared", show_default=True,
              help="shared: every document in one store; per-doc: each question filtered to its `doc`.")
@click.option("--backend", default=None, metavar="offline|PROVIDER:MODEL", help="Answering backend (default: settings).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the first N questions.")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Run folder (default: runs/<set>-<mode>).")
@click.option("--no-progress", is_flag=True, help="No progress bar on stderr.")
@click.pass_context
def eval_run(ctx: click.Context, questions_file: Path, docs: Path | None, mode: str, backend: str | None, limit: int | None,
             out: Path | None, no_progress: bool) -> None:
    """Ask every question, score the answers, write results.jsonl, summary.json, report.md and plots."""
    from eval.harness import run

    out = out or Path("runs") / f"{questions_file.stem}-{mode}"
    summary = run(questions_file, docs, out, mode=mode, backend=backend, limit=limit, progress=not no_progress,
                  settings=_settings(ctx))
    click.echo(f"{summary['questions']} questions: {summary['accuracy']:.1%} correct, {summary['wrong_rate']:.1%} wrong, "
               f"{summary['refusal_rate']:.1%} refused; report in {out / 'report.md'}")


@eval_group.command("feedback")
@click.option("--out", type=click.Path(path_type=Path), default=Path("eval/questions/feedback.jsonl"), show_default=True,
              help="Question set to write; answers that need a person's gold go beside it (*.needs-gold.jsonl).")
@click.pass_context
def eval_feedback(ctx: click.Context, out: Path) -> None:
    """Turn the chat page's and the Slack bot's feedback into a question set."""
    from eval.from_feedback import convert

    source = _settings(ctx).data_dir / "feedback.jsonl"
    if not source.exists():
        _fail(f"no feedback yet: {source} does not exist (thumbs in the chat page write it)")
    counts = convert(source, out)
    click.echo(f"{counts['records']} feedback records: {counts['gold']} questions in {counts['out']}, "
               f"{counts['needs_gold']} needing a gold answer in {counts['needs_gold_out']}")


@eval_group.command("compare")
@click.argument("run_a", type=click.Path(path_type=Path))
@click.argument("run_b", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
def eval_compare(run_a: Path, run_b: Path, as_json: bool) -> None:
    """Per-question changes from RUN_A to RUN_B (fixed, broken, changed) and metric deltas."""
    from eval.harness import compare

    result = compare(run_a, run_b)
    if as_json:
        _emit_json(result)
        return
    for name in ("fixed", "broken", "changed"):
        click.echo(f"{name}: {len(result[name])}")
        for entry in result[name]:
            click.echo(f"  {entry['id']}: {entry['before']} -> {entry['after']}")
    click.echo("deltas: " + ", ".join(f"{key} {value:+.1%}" for key, value in result["deltas"].items()))


def main() -> None:
    cli(obj={})


if __name__ == "__main__":
    main()
