"""The figures commands: the facts a document states (facts) and the exact calculator (calc)."""

from __future__ import annotations

import click

from assistant.cli.context import emit_json, store_of
from index.errors import NotFoundError, QueryError
from index.numbers import scale_suffix


@click.command()
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

    store = store_of(ctx)
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
        emit_json({"documents": [document.to_json() for document in documents], "facts": [fact.to_json() for fact in found]})
        return
    if not found:
        click.echo("no facts match")
        return
    for fact in found:
        where = f"p.{fact.page}" if fact.page else f"chars {fact.start}-{fact.end}"
        scale = scale_suffix(fact.scale, fact.raw)
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


@click.command()
@click.argument("expression")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.pass_context
def calc(ctx: click.Context, expression: str, as_json: bool) -> None:
    """Evaluate an expression exactly: 'pct_change(4315033, 5508356)', 'sum(1,577, 2,310) / 2', '@FACT_ID * 2'."""
    from assistant.calculator import calculate

    figure = calculate(expression, resolve=_fact_resolver(ctx) if "@" in expression else None)
    if as_json:
        emit_json(figure.to_json())
    else:
        click.echo(figure.derivation)


def _fact_resolver(ctx: click.Context):  # noqa: ANN202
    store = store_of(ctx)

    def resolve(fact_id: str):  # noqa: ANN202
        found = store.catalog.facts(fact_ids=[fact_id])
        return found[0] if found else None

    return resolve
