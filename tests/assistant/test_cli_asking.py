"""assistant/cli/asking.py: `disclosures ask` prints the presenter's pieces; the terminal chat holds one
conversation. (Its JSON round trip and backend errors are tested in test_answering.py.)"""

from __future__ import annotations

import json

from click.testing import CliRunner

from assistant.cli import cli
from assistant.cli.asking import print_answer
from index.records import Answer, Citation


def _invoke(store, *args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["--data-dir", str(store.data_dir), *args], input=input, obj={})


def test_an_answer_prints_its_headline_text_sources_and_no_warning(seed_store):
    result = _invoke(seed_store, "ask", "What were G&A fees in H1 2021?")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "$2,564,117"  # the headline first (bold on a terminal)
    assert lines[1].startswith("General and administrative fees") and "(2,564,117) [1]" in " ".join(lines[1:3])
    assert any(line.startswith("[1] ") and " · " in line for line in lines)  # a source named as the presenter names it
    assert result.stderr == ""


def test_an_unverified_answer_warns_on_stderr_in_the_presenters_words(capsys):
    quote = "Revenue 12,500 10,000"
    answer = Answer(question="q", text="Revenue was 12,500 [1] and margin 99% [unverified].", grounded=False,
                    unsupported_numbers=["99%"],
                    citations=[Citation(n=1, doc_id="d", title="Northwind 10-K", page=3, quote=quote, start=0,
                                        end=len(quote))])
    print_answer(answer)
    printed = capsys.readouterr()
    assert printed.err == "warning: Unverified numbers: 99%. They are not in the cited passages.\n"
    assert printed.out.startswith("Revenue was 12,500 [1]")  # no headline for an unverified answer
    assert "[1] Northwind 10-K · p. 3" in printed.out and "“Revenue 12,500 10,000”" in printed.out


def test_the_terminal_chat_reads_follow_ups_through_its_conversation(seed_store):
    session = _invoke(seed_store, "ask", "--json",
                      input="What were G&A fees in H1 2021?\nAnd in 2020?\nWhat was it in H1 2021, then?\nquit\n")
    assert session.exit_code == 0, session.output
    # One JSON document per answer, after the greeting and between the prompts.
    decoder, text, answers = json.JSONDecoder(), session.stdout, []
    start = text.find("{")
    while start != -1:
        answer, end = decoder.raw_decode(text, start)
        answers.append(answer)
        start = text.find("{", end)
    assert [answer["value"]["number"] for answer in answers] == ["2564117", "2076634", "2564117"]
    assert session.stdout.count("ask>") == 4
