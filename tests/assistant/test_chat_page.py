"""The chat page (assistant/chat/), in a real headless Chromium (Debian's, through Playwright) against a real
`disclosures chat` server on loopback, plus `gradio_client` and the login.

Screenshots go to test-artifacts/ui/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import SEED, free_port

from assistant.chat.app import ChatApp
from index.settings import Settings

CHROMIUM = Path(os.environ.get("DISCLOSURES_TEST_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"
NORTHWIND = """Northwind Traders Inc. reports results for fiscal 2023

Northwind Traders Inc. (NASDAQ: NWTR) today reported results for the fiscal year ended December 31, 2023.

Statements of Operations (in thousands)
Year ended December 31, 2023 2022
Revenue 12,500 10,000
Net income 1,250 900
"""
XSS = """<html><body><h1>Contoso Ltd. earnings release</h1>
<p>Contoso Ltd. reported that its widget backlog was strong.<script>window.__xss = 1;</script>
<img src="x" onerror="window.__xss = 2"> The widget backlog grew because of &lt;b&gt;demand&lt;/b&gt;.</p>
</body></html>
"""


def _start(data: Path, **env_extra: str):  # noqa: ANN202
    """`disclosures chat` on a free loopback port over `data` (the seed ingested); (process, url)."""
    env = {**os.environ, "DISCLOSURES_DATA_DIR": str(data), **env_extra}
    executable = Path(sys.executable).parent / "disclosures"
    subprocess.run([str(executable), "ingest", str(SEED), "--no-progress"], env=env, check=True, capture_output=True)
    port = free_port()
    log = (data / "server.log").open("w")
    process = subprocess.Popen([str(executable), "chat", "--port", str(port)], env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError((data / "server.log").read_text())
            time.sleep(0.5)
    else:
        process.kill()
        raise RuntimeError("the chat page did not start in 120 s:\n" + (data / "server.log").read_text())
    return process, url


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium")
    data = tmp_path_factory.mktemp("ui-data")
    process, url = _start(data)
    yield {"url": url, "data": data}
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    shutil.rmtree(ARTIFACTS, ignore_errors=True)  # this run's screenshots only
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield instance
        instance.close()


def _open(browser, server):  # noqa: ANN001, ANN202
    context = browser.new_context(viewport={"width": 1280, "height": 1100})
    page = context.new_page()
    page.goto(server["url"], wait_until="domcontentloaded")
    page.wait_for_selector("#question textarea", timeout=60_000)
    return context, page


def _ask(page, question: str, answers_before: int | None = None) -> str:  # noqa: ANN001
    """Ask and wait for the final answer (it ends with its sources line, or is a refusal); return its text."""
    bots = page.locator("#chat .message-row.bot-row, #chat [data-testid='bot']")
    before = bots.count() if answers_before is None else answers_before
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    page.wait_for_function(
        """([before]) => {
            const bots = document.querySelectorAll("#chat .message-row.bot-row, #chat [data-testid='bot']");
            if (bots.length <= before) return false;
            const text = bots[bots.length - 1].innerText;
            return text.length > 1 && !text.endsWith("…") && document.querySelector("#question textarea").value === "";
        }""", arg=[before], timeout=60_000)
    page.wait_for_timeout(300)
    return bots.nth(bots.count() - 1).inner_text()


def _stored(server) -> list[tuple[str, str]]:  # noqa: ANN001
    """What the server's store holds, read from its catalog by the CLI: (id, source file name) per document."""
    executable = Path(sys.executable).parent / "disclosures"
    result = subprocess.run([str(executable), "--data-dir", str(server["data"]), "docs", "--json"], capture_output=True,
                            text=True, check=True)
    return sorted((document["id"], Path(document["source_path"]).name) for document in json.loads(result.stdout)["documents"])


def _shot(page, name: str) -> None:  # noqa: ANN001
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_answer_citation_passage_calculation_follow_up_feedback(browser, server):
    context, page = _open(browser, server)
    _shot(page, "01-loaded")
    text = _ask(page, "How much did R&D grow in the first half of 2021?")
    assert "1,193,323" in text and "[1]" in text and "Sources:" in text
    assert page.locator("#chat [data-testid='bot'] strong").first.inner_text() == "$1,193,323"  # the headline
    _shot(page, "02-answer")
    # A [1] marker in the answer is a link: clicking it opens its passage with the quote highlighted.
    page.locator("#chat a[href^='#cite-']").first.click()
    mark = page.locator("#passage mark")
    mark.wait_for(timeout=20_000)
    assert "5,508,356" in mark.inner_text() and "Research and development" in mark.inner_text()
    assert "Aptorum" in page.locator("#passage h4").inner_text()
    _shot(page, "03-passage")
    # The sources are chips too; the second one opens another passage.
    chips = page.locator("#sources label")
    assert chips.count() == 2
    first_quote = mark.inner_text()
    chips.nth(1).click()
    page.wait_for_function("(q) => { const m = document.querySelector('#passage mark');"
                           " return m && m.innerText !== q; }", arg=first_quote, timeout=20_000)
    assert page.locator("#passage h4").inner_text().startswith("[2]")
    # The calculation: derivation and the facts it used.
    page.locator("#calculation").get_by_text("Show the calculation").click()
    body = page.locator("#calculation-body")
    body.wait_for(timeout=10_000)
    assert "1,193,323" in body.inner_text() and "Research and development expenses" in body.inner_text()
    assert body.locator("a[href^='#cite-']").count() >= 2  # each fact links to the passage it is printed in
    _shot(page, "04-calculation")
    # A follow-up uses this session's history.
    _ask(page, "What were G&A fees in H1 2021?")
    follow = _ask(page, "And in 2020?")
    assert "2,076,634" in follow, follow
    _shot(page, "05-follow-up")
    # Thumbs up on the last answer is stored in the data dir, in a form the harness can read.
    page.locator("#chat button[aria-label='Like']").last.click()
    page.get_by_text("Thanks: feedback saved.").wait_for(timeout=10_000)
    records = [json.loads(line) for line in (server["data"] / "feedback.jsonl").read_text().splitlines()]
    assert records[-1]["rating"] == "up" and records[-1]["question"] == "And in 2020?"
    assert records[-1]["answer"]["value"]["number"] == "2076634"
    assert records[-1]["history"] == ["How much did R&D grow in the first half of 2021?", "What were G&A fees in H1 2021?"]
    context.close()


def test_upload_then_ask_and_bad_upload_leaves_store_as_it_was(browser, server, tmp_path):
    context, page = _open(browser, server)
    stored_before = _stored(server)
    assert not any("northwind" in name for _, name in stored_before)
    fake = tmp_path / "report.pdf"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    page.locator("#upload input[type=file]").set_input_files(str(fake))
    page.locator("#add").click()
    page.get_by_text("not a PDF, HTML or text file").wait_for(timeout=30_000)
    assert _stored(server) == stored_before
    northwind = tmp_path / "northwind-2023-results.txt"
    northwind.write_text(NORTHWIND, encoding="utf-8")
    page.locator("#upload input[type=file]").set_input_files(str(northwind))
    page.locator("#add").click()
    page.get_by_text("northwind-2023-results.txt: added").wait_for(timeout=120_000)
    page.wait_for_function("document.querySelector('#documents').innerText.includes('Northwind')", timeout=10_000)
    _shot(page, "06-uploaded")
    text = _ask(page, "What was Northwind Traders' revenue in 2023?")
    assert "12,500" in text, text
    assert (server["data"] / "uploads" / "northwind-2023-results.txt").exists()
    context.close()


def test_a_pdf_upload_cites_its_page_and_links_to_it_and_a_broken_one_is_not_kept(browser, server, tmp_path):
    from pdfs import make_pdf

    context, page = _open(browser, server)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n%broken beyond repair\n")
    stored = _stored(server)
    page.locator("#upload input[type=file]").set_input_files(str(broken))
    page.locator("#add").click()
    page.get_by_text("✗ broken.pdf").wait_for(timeout=60_000)
    assert _stored(server) == stored
    assert not (server["data"] / "uploads" / "broken.pdf").exists()
    report = tmp_path / "fabrikam-2023-annual-report.pdf"
    report.write_bytes(make_pdf([
        ["Fabrikam Inc. Annual Report 2023", "Fabrikam Inc. (NYSE: FABK) makes industrial sensors."],
        ["Fabrikam Inc. Consolidated Statements of Operations (in millions)", "Year ended December 31, 2023 2022",
         "Revenue 4,210 3,980", "Net income 512 466"],
    ]))
    page.locator("#upload input[type=file]").set_input_files(str(report))
    page.locator("#add").click()
    page.get_by_text("fabrikam-2023-annual-report.pdf: added").wait_for(timeout=120_000)
    text = _ask(page, "What was Fabrikam's revenue in 2023?")
    assert "4,210" in text, text
    page.locator("#chat a[href^='#cite-']").last.click()
    page.locator("#passage mark").wait_for(timeout=20_000)
    assert "page 2" in page.locator("#passage .where").inner_text()
    href = page.locator("#passage a.pdf-link").get_attribute("href")
    assert href.endswith("#page=2")
    response = page.request.get(server["url"] + href.split("#")[0])
    assert response.ok and response.body().startswith(b"%PDF")
    _shot(page, "07-pdf-page")
    # The conversation exports as Markdown, with the quotes.
    with page.expect_download() as download:
        page.locator("#export").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert "What was Fabrikam's revenue in 2023?" in exported and "Revenue 4,210" in exported
    context.close()


def test_script_in_a_document_is_shown_as_text_never_run(browser, server, tmp_path):
    context, page = _open(browser, server)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    xss = tmp_path / "contoso-release.html"
    xss.write_text(XSS, encoding="utf-8")
    page.locator("#upload input[type=file]").set_input_files(str(xss))
    page.locator("#add").click()
    page.get_by_text("contoso-release.html: added").wait_for(timeout=120_000)
    _ask(page, "Why did the widget backlog grow? <img src=x onerror=\"window.__xss=3\"><script>window.__xss=4</script>")
    chips = page.locator("#sources label")
    if chips.count():
        chips.first.click()
        page.locator("#passage mark").wait_for(timeout=20_000)
    _shot(page, "08-xss")
    assert page.evaluate("window.__xss") is None
    assert dialogs == []
    assert page.locator("#chat img[src='x'], #passage img, #chat script, #passage script").count() == 0
    assert "&lt;" not in page.locator("#chat").inner_text()  # shown as the characters, not double-escaped
    assert "<img src=x" in page.locator("#chat").inner_text()
    context.close()


def test_two_browser_sessions_keep_their_own_history(browser, server):
    first_context, first = _open(browser, server)
    second_context, second = _open(browser, server)
    _ask(first, "What were G&A fees in H1 2021?")
    _ask(second, "What were research and development expenses in H1 2021?")
    # Both follow-ups at the same time.
    for page in (first, second):
        page.locator("#question textarea").fill("And in 2020?")
    first.locator("#ask").click()
    second.locator("#ask").click()
    for page in (first, second):
        page.wait_for_function("document.querySelectorAll('#chat .message-row.bot-row, #chat [data-testid=\"bot\"]')"
                               ".length >= 2 && document.querySelector('#question textarea').value === ''",
                               timeout=60_000)
    first.wait_for_function("document.querySelector('#chat').innerText.includes('2,076,634')", timeout=60_000)
    second.wait_for_function("document.querySelector('#chat').innerText.includes('4,315,033')", timeout=60_000)
    assert "4,315,033" not in first.locator("#chat").inner_text()
    assert "2,076,634" not in second.locator("#chat").inner_text()
    _shot(first, "09-session-a")
    _shot(second, "09-session-b")
    first_context.close()
    second_context.close()


def test_gradio_client_api(server):
    from gradio_client import Client

    client = Client(server["url"], verbose=False)
    answer = client.predict("What were G&A fees in H1 2021?", api_name="/ask")
    assert answer["value"]["number"] == "2564117" and answer["citations"]
    documents = client.predict(api_name="/documents")
    assert any(document["company"] == "Aptorum Group Limited" for document in documents)



def test_login_when_configured(tmp_path):
    from gradio_client import Client

    process, url = _start(tmp_path / "data", DISCLOSURES_UI_AUTH="ann:s3cret")
    try:
        with pytest.raises(Exception):  # noqa: B017 - gradio_client raises its own errors for a refused login
            Client(url, verbose=False).predict(api_name="/documents")
        with pytest.raises(Exception):  # noqa: B017
            Client(url, auth=("ann", "wrong"), verbose=False)
        documents = Client(url, auth=("ann", "s3cret"), verbose=False).predict(api_name="/documents")
        assert [document["company"] for document in documents] == ["Aptorum Group Limited"]
        log = (tmp_path / "data" / "server.log").read_text()
        assert "s3cret" not in log
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_an_unverified_number_from_an_llm_is_flagged_on_the_page(browser, seed_store):
    """The page over an Assistant whose model (LangChain's fake chat model, scripted at the model boundary) states
    a figure the documents do not print, twice (the guard's repair pass fails): the page shows it unverified."""
    from test_llm import ScriptedChat, call, fact_rows
    from langchain_core.messages import AIMessage, ToolMessage

    from assistant.answering import Assistant
    from assistant.chat.serving import launch

    def wrong(messages):  # noqa: ANN001, ANN202
        n = fact_rows([m for m in messages if isinstance(m, ToolMessage)][:1])[0]["n"]
        return AIMessage(f"R&D expenses were 5,608,356 in the six months ended June 30, 2021 [{n}].")

    app = ChatApp(Settings(store=seed_store.settings), seed_store)
    model = ScriptedChat(messages=iter([call("lookup_facts", label="research and development", period="H1 2021"),
                                        wrong, wrong]))
    app._assistants["offline"] = Assistant(seed_store, backend=model)
    port = free_port()
    page_app = launch(app, port=port, block=False)
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}", wait_until="domcontentloaded")
        page.wait_for_selector("#question textarea", timeout=60_000)
        text = _ask(page, "What were R&D expenses in H1 2021?")
        assert "Unverified numbers: 5,608,356" in text and "5,608,356 [unverified]" in text
        strong = page.locator("#chat [data-testid='bot'] strong")
        assert any("[unverified]" in strong.nth(i).inner_text() for i in range(strong.count()))
        _shot(page, "10-unverified")
        context.close()
    finally:
        page_app.close()


def test_a_slow_answer_does_not_hold_up_another_session(browser, seed_store):
    """Session A asks a configured LLM backend that takes 10 s; session B, on the offline backend, is answered
    meanwhile (the Gradio queue answers several questions at once)."""
    from test_llm import ScriptedChat
    from langchain_core.messages import AIMessage

    from assistant.answering import Assistant
    from assistant.chat.serving import launch

    class SlowChat(ScriptedChat):
        def _generate(self, messages, stop=None, run_manager=None, **kwargs):  # noqa: ANN001, ANN003, ANN202
            time.sleep(10)
            return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)

    settings = Settings(store=seed_store.settings).with_overrides(backend="openai:slow-model")
    app = ChatApp(settings, seed_store)
    app._assistants["openai:slow-model"] = Assistant(seed_store, backend=SlowChat(
        messages=iter([AIMessage("The documents do not say.")])), settings=settings)
    port = free_port()
    page_app = launch(app, port=port, block=False)
    try:
        context = browser.new_context()
        slow, fast = context.new_page(), browser.new_context().new_page()
        for page in (slow, fast):
            page.goto(f"http://127.0.0.1:{port}", wait_until="domcontentloaded")
            page.wait_for_selector("#question textarea", timeout=60_000)
        fast.locator("#backend input").click()
        fast.get_by_role("option", name="offline").click()
        slow.locator("#question textarea").fill("What does the company expect next year?")
        slow.locator("#ask").click()
        slow.wait_for_function("document.querySelector('#chat').innerText.includes('…')", timeout=30_000)
        text = _ask(fast, "What were G&A fees in H1 2021?")
        assert "2,564,117" in text or "2.6 million" in text
        # B's answer came while A's was still being written: an order, not a timing.
        assert "do not say" not in slow.locator("#chat").inner_text()
        slow.wait_for_function("document.querySelector('#chat').innerText.includes('do not say')", timeout=60_000)
        context.close()
    finally:
        page_app.close()
