"""`disclosures ask`: one question, or (without one) a terminal chat that holds its `Conversation`."""

from __future__ import annotations

import textwrap

import click

from assistant.cli.context import emit_json, prompt_loop, settings_of, store_of
from index.records import Answer


@click.command()
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
    from index.records import SearchFilters
    from index.store import require_documents

    store = store_of(ctx)
    require_documents(store)
    assistant = Assistant(store, backend=backend, settings=settings_of(ctx))
    filters = SearchFilters(docs=list(docs) or None, company=company)
    filters = None if filters.is_empty() else filters
    if question is not None:
        answer = assistant.ask(question, filters=filters)
        if as_json:
            emit_json(answer.to_json())
        else:
            print_answer(answer)
        return
    click.echo(f"Ask about {len(store.documents())} document(s) in {store.data_dir}. "
               "Follow-ups keep the conversation; an empty line or 'quit' leaves.")
    terminal_chat(assistant, filters, as_json)


def terminal_chat(assistant, filters, as_json: bool = False) -> None:  # noqa: ANN001
    """Questions from stdin until an empty line, 'quit' or end of input; each read as the next turn of one
    conversation, which this terminal session holds."""
    from assistant.conversation import Conversation

    conversation = Conversation()

    def ask_and_show(line: str) -> None:
        answer = assistant.ask(line, conversation, filters)
        if as_json:
            emit_json(answer.to_json())
        else:
            print_answer(answer)

    prompt_loop("ask> ", ask_and_show, empty_ends=True)


def print_answer(answer: Answer) -> None:
    """The presenter's pieces for a terminal: the headline in bold, the text wrapped at 100 columns, the sources
    with their quotes, and the unverified-numbers warning on stderr."""
    from assistant.presenter import present, source_label

    shown = present(answer)
    if shown.headline:
        click.echo(click.style(shown.headline, bold=True))
    for paragraph in shown.body.split("\n"):
        click.echo(textwrap.fill(paragraph, width=100) if paragraph else "")
    if shown.sources:
        click.echo()
        for source in shown.sources:
            click.echo(click.style(source_label(source), bold=True))
            for line in textwrap.wrap(f"“{source.quote}”", width=96):
                click.echo(f"    {line}")
    if shown.warning:
        click.echo(f"warning: {shown.warning.text}", err=True)
