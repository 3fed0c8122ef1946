"""assistant/slackbot.py over real HTTP: `disclosures slack --http` on loopback, signed requests as Slack sends
them, and slack_sdk's WebClient pointed (DISCLOSURES_SLACK_API_URL) at a local recorder that answers like Slack's
Web API. Only Slack's servers are replaced."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import SEED, free_port

from assistant.slackbot import mrkdwn_escape, parse_filters
from index.settings import Settings

TOKEN = "xoxb-test-token-4f1c"
SECRET = "signing-secret-9b2e"
ESCAPE_DOC = """Contoso Ltd. earnings release

Contoso Ltd. (NASDAQ: CNTS) today reported results. The board told <!channel> and @here that the widget
backlog grew because of demand from <@U0BOSS> & partners.
"""


class Recorder:
    """Slack's Web API and response_url endpoints, recorded: every call as (method, payload)."""

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []
        self.lock = threading.Lock()
        self.ws_url = ""
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # noqa: ANN002, ANN202
                pass

            def do_POST(self):  # noqa: N802, ANN202
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    payload = json.loads(body or "{}")
                else:
                    payload = {key: values[0] for key, values in urllib.parse.parse_qs(body).items()}
                    for key in ("blocks", "attachments"):
                        if isinstance(payload.get(key), str):
                            payload[key] = json.loads(payload[key])
                method = self.path.rsplit("/", 1)[-1]
                with recorder.lock:
                    recorder.calls.append((method, payload))
                reply = {"ok": True}
                if method == "apps.connections.open":
                    reply.update(url=getattr(recorder, "ws_url", ""))
                elif method == "auth.test":
                    reply.update(user_id="UBOT", bot_id="BBOT", team_id="T1", user="disclosures", url="https://x/")
                elif method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
                    reply.update(channel=payload.get("channel"), ts=f"{time.time():.6f}",
                                 message_ts=f"{time.time():.6f}")
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def of(self, method: str, **match) -> list[dict]:
        with self.lock:
            return [payload for name, payload in self.calls
                    if name == method and all(payload.get(key) == value for key, value in match.items())]

    def wait(self, method: str, count: int = 1, timeout: float = 60, **match) -> list[dict]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = self.of(method, **match)
            if len(found) >= count:
                return found
            time.sleep(0.1)
        raise AssertionError(f"{method} {match}: {len(self.of(method, **match))} calls, wanted {count}: {self.calls[-5:]}")


@pytest.fixture(scope="module")
def slack(tmp_path_factory):
    data = tmp_path_factory.mktemp("slack-data")
    extra = data / "contoso-release.txt"
    extra.write_text(ESCAPE_DOC, encoding="utf-8")
    recorder = Recorder()
    env = {**os.environ, "DISCLOSURES_DATA_DIR": str(data), "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
           "DISCLOSURES_SLACK_API_URL": recorder.url + "/api/", "DISCLOSURES_SLACK_RATE_LIMIT": "4"}
    executable = Path(sys.executable).parent / "disclosures"
    subprocess.run([str(executable), "ingest", str(SEED), str(extra), "--no-progress"], env=env, check=True,
                   capture_output=True)
    port = free_port()
    log = (data / "bot.log").open("w")
    process = subprocess.Popen([str(executable), "slack", "--http", "--port", str(port)], env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/slack/events"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(urllib.request.Request(url, data=b"{}", method="POST"), timeout=2)
        except urllib.error.HTTPError:
            break  # up: an unsigned request is refused
        except OSError:
            if process.poll() is not None:
                raise RuntimeError((data / "bot.log").read_text())
            time.sleep(0.5)
    yield {"url": url, "recorder": recorder, "data": data}
    process.terminate()
    process.wait(timeout=20)
    text = (data / "bot.log").read_text()
    assert TOKEN not in text and SECRET not in text, "a token reached the log"


def send(slack, body: str, content_type: str = "application/json", timestamp: int | None = None,
         secret: str = SECRET, headers: dict | None = None) -> tuple[int, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    request = urllib.request.Request(slack["url"], data=body.encode(), method="POST", headers={
        "Content-Type": content_type, "X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": signature,
        **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def event(slack, event_body: dict, event_id: str, headers: dict | None = None) -> tuple[int, str]:
    body = json.dumps({"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
                       "event_id": event_id, "event_time": int(time.time()), "event": event_body,
                       "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}]})
    return send(slack, body, headers=headers)


def form(slack, payload: dict) -> tuple[int, str]:
    return send(slack, urllib.parse.urlencode(payload), content_type="application/x-www-form-urlencoded")


def wait_for_log(slack, line: str, count: int = 1, timeout: float = 60) -> None:
    """Wait until the bot's log holds `line` `count` times: the bot logs each event it decides not to answer, so
    a test can wait for that decision before checking that nothing was sent."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if (slack["data"] / "bot.log").read_text().count(line) >= count:
            return
        time.sleep(0.1)
    raise AssertionError(f"{line!r} not {count} times in the bot's log: {(slack['data'] / 'bot.log').read_text()[-2000:]}")


def texts(blocks: list[dict]) -> str:
    parts = []
    for block in blocks:
        if block.get("text"):
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            if isinstance(element.get("text"), str):
                parts.append(element["text"])
    return "\n".join(parts)


# --- helpers --------------------------------------------------------------------------------------------------

def test_document_text_cannot_ping_or_link():
    escaped = mrkdwn_escape("<!channel> @here <@U1> <https://evil|click> & @everyone")
    assert "<" not in escaped and ">" not in escaped and "&amp;" in escaped
    assert "@here" not in escaped and "@everyone" not in escaped and "@\u2060here" in escaped


def test_unverified_numbers_are_flagged_in_the_blocks():
    from index.records import Answer
    from assistant.slackbot import answer_blocks

    answer = Answer(question="q", text="Revenue was 99 [unverified].", grounded=False, unsupported_numbers=["99"])
    blocks = answer_blocks(answer, "id1")
    assert blocks[0]["text"]["text"] == ":warning: *Unverified numbers: 99.* They are not in the cited passages."
    assert blocks[1]["text"]["text"] == "Revenue was 99 *[unverified]*."  # no headline over an unverified answer


def test_the_headline_leads_the_answer_and_the_calculation_names_its_sources():
    from decimal import Decimal

    from assistant.presenter import present
    from assistant.slackbot import answer_blocks, calculation_text
    from index.records import Answer, AnswerValue, Citation, Fact, Figure

    quote = "Revenue 12,500 10,000"
    fact = Fact(id="f1", doc_id="d", source="table", statement="income_statement", label="Revenue <@U1>",
                label_norm="revenue", raw="12,500", value=Decimal(12500), period="FY2023", start=8, end=14)
    figure = Figure(expression="@f1 * 2", value=Decimal(25000), unit="number", display="25,000",
                    derivation="12,500 × 2 = 25,000", facts=[fact])
    answer = Answer(question="q", text="Twice revenue is 25,000 [1].", figures=[figure],
                    value=AnswerValue(number=Decimal(25000), unit="USD"),
                    citations=[Citation(n=1, doc_id="d", title="Northwind", page=3, quote=quote, start=0, end=len(quote))])
    blocks = answer_blocks(answer, "id2")
    assert blocks[0]["text"]["text"] == "*$25,000*\nTwice revenue is 25,000 [1]."
    assert blocks[1]["elements"][0]["text"] == "[1] *Northwind*, page 3: “Revenue 12,500 10,000”"
    assert [element["action_id"] for element in blocks[-1]["elements"]] == ["show_calculation_0", "feedback_up",
                                                                          "feedback_down"]
    assert calculation_text(present(answer), 0) == "*25,000* = 12,500 × 2 = 25,000\n• Revenue &lt;@U1&gt;, FY2023: 12,500 [1]"


def test_manifest_declares_what_the_bot_listens_to():
    import yaml

    manifest = yaml.safe_load((Path(__file__).resolve().parents[2] / "slack" / "manifest.yml").read_text())
    assert {"app_mentions:read", "chat:write", "commands", "im:history"} <= set(manifest["oauth_config"]["scopes"]["bot"])
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im"}
    assert manifest["features"]["slash_commands"][0]["command"] == "/disclosures"
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


def test_filter_syntax():
    assert parse_filters("company:EBAY What was revenue in 2022?") == ("What was revenue in 2022?", {"company": "EBAY"})
    assert parse_filters("doc:abc123 doc:def What?") == ("What?", {"docs": ["abc123", "def"]})
    assert parse_filters("What is the ratio 2:1?") == ("What is the ratio 2:1?", {})


# --- over HTTP ------------------------------------------------------------------------------------------------

def test_url_verification(slack):
    status, body = send(slack, json.dumps({"type": "url_verification", "challenge": "c-123", "token": "x"}))
    assert status == 200 and "c-123" in body


def test_mention_is_answered_in_its_thread_with_citations_and_a_calculation_button(slack):
    recorder = slack["recorder"]
    status, _ = event(slack, {"type": "app_mention", "user": "U1", "channel": "C1", "ts": "100.1",
                              "text": "<@UBOT> How much did R&D grow in the first half of 2021?"}, "Ev1")
    assert status == 200
    [placeholder] = recorder.wait("chat.postMessage", channel="C1", thread_ts="100.1")
    assert placeholder["text"] == "Reading the disclosures…"
    [update] = recorder.wait("chat.update", channel="C1")
    shown = texts(update["blocks"])
    assert "1,193,323" in shown
    assert any(block["type"] == "context" and "Aptorum" in texts([block]) for block in update["blocks"])
    actions = [element["action_id"] for block in update["blocks"] if block["type"] == "actions"
               for element in block["elements"]]
    assert "show_calculation_0" in actions and "feedback_up" in actions


def test_follow_up_in_a_thread_uses_its_history(slack):
    recorder = slack["recorder"]
    event(slack, {"type": "app_mention", "user": "U2", "channel": "C2", "ts": "200.1",
                  "text": "<@UBOT> What were G&A fees in H1 2021?"}, "Ev2")
    recorder.wait("chat.update", channel="C2")
    event(slack, {"type": "app_mention", "user": "U2", "channel": "C2", "ts": "200.2", "thread_ts": "200.1",
                  "text": "<@UBOT> And in 2020?"}, "Ev3")
    updates = recorder.wait("chat.update", 2, channel="C2")
    assert "2,076,634" in texts(updates[-1]["blocks"])
    assert len(recorder.of("chat.postMessage", channel="C2", thread_ts="200.1")) == 2


def test_direct_message_is_answered_and_bot_messages_are_ignored(slack):
    recorder = slack["recorder"]
    event(slack, {"type": "message", "channel_type": "im", "user": "U3", "channel": "D3", "ts": "300.1",
                  "text": "What were G&A fees in H1 2021?"}, "Ev4")
    [update] = recorder.wait("chat.update", channel="D3")
    assert "2,564,117" in texts(update["blocks"]) or "2.6 million" in texts(update["blocks"])
    # A bot's message (our own answer echoed back) and a channel message without a mention get nothing.
    event(slack, {"type": "message", "channel_type": "im", "bot_id": "BBOT", "user": "UBOT", "channel": "D3",
                  "ts": "300.2", "text": "R&D grew 27.66%"}, "Ev5")
    event(slack, {"type": "message", "channel_type": "channel", "user": "U3", "channel": "C3", "ts": "300.3",
                  "text": "What were G&A fees in H1 2021?"}, "Ev6")
    wait_for_log(slack, "event Ev5 ignored: bot message")
    wait_for_log(slack, "event Ev6 ignored: channel message without a mention")
    assert len(recorder.of("chat.postMessage", channel="D3")) == 1
    assert recorder.of("chat.postMessage", channel="C3") == []


def test_retries_and_duplicates_are_answered_once(slack):
    recorder = slack["recorder"]
    body = {"type": "app_mention", "user": "U4", "channel": "C4", "ts": "400.1",
            "text": "<@UBOT> What was the net loss for the six months ended June 30, 2021?"}
    event(slack, body, "Ev7")
    event(slack, body, "Ev7", headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    event(slack, body, "Ev7")
    recorder.wait("chat.update", channel="C4")
    wait_for_log(slack, "event Ev7 ignored: ", count=2)  # the retry, and the duplicate
    assert len(recorder.of("chat.postMessage", channel="C4")) == 1
    log = (slack["data"] / "bot.log").read_text()
    assert "event Ev7 ignored: retry 1" in log and "event Ev7 ignored: duplicate" in log


@pytest.mark.parametrize("case", ["bad signature", "stale timestamp", "unsigned"])
def test_unverified_requests_get_401_and_no_answer(slack, case):
    recorder = slack["recorder"]
    body = json.dumps({"type": "event_callback", "event_id": f"Bad-{case}", "team_id": "T1", "event": {
        "type": "app_mention", "user": "U5", "channel": "C5", "ts": "500.1", "text": "<@UBOT> What was R&D in H1 2021?"}})
    if case == "bad signature":
        status, _ = send(slack, body, secret="not-the-secret")
    elif case == "stale timestamp":
        status, _ = send(slack, body, timestamp=int(time.time()) - 6 * 60)
    else:
        request = urllib.request.Request(slack["url"], data=body.encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            urllib.request.urlopen(request, timeout=10)
            status = 200
        except urllib.error.HTTPError as error:
            status = error.code
    assert status == 401  # refused before any listener runs: nothing can be sent later, so there is nothing to wait for
    assert recorder.of("chat.postMessage", channel="C5") == []


def test_slash_command_answers_ephemerally_then_posts_and_shows_the_calculation(slack):
    recorder = slack["recorder"]
    status, body = form(slack, {"command": "/disclosures", "text": "By what percentage did R&D expenses grow from H1 2020 to H1 2021?",
                                "user_id": "U6", "channel_id": "C6", "team_id": "T1", "trigger_id": "t",
                                "response_url": recorder.url + "/respond/cmd1"})
    assert status == 200 and "Reading the disclosures" in body
    [response] = recorder.wait("cmd1")
    assert response["response_type"] == "ephemeral" and "27.66%" in texts(response["blocks"])
    buttons = {element["action_id"]: element["value"] for block in response["blocks"] if block["type"] == "actions"
               for element in block["elements"]}
    assert "post_answer" in buttons
    action = {"type": "block_actions", "user": {"id": "U6"}, "team": {"id": "T1"}, "channel": {"id": "C6"},
              "container": {"type": "message", "channel_id": "C6", "is_ephemeral": True},
              "response_url": recorder.url + "/respond/act1", "trigger_id": "t",
              "actions": [{"action_id": "post_answer", "value": buttons["post_answer"], "type": "button",
                           "block_id": "b", "action_ts": "1"}]}
    assert form(slack, {"payload": json.dumps(action)})[0] == 200
    [posted] = recorder.wait("chat.postMessage", channel="C6")
    assert "27.66%" in texts(posted["blocks"])
    action["actions"][0].update(action_id="show_calculation_0", value=buttons["show_calculation_0"])
    action["response_url"] = recorder.url + "/respond/act2"
    form(slack, {"payload": json.dumps(action)})
    [calculation] = recorder.wait("act2")
    assert "27.66%" in calculation["text"] and "5,508,356" in calculation["text"]
    action["actions"][0].update(action_id="feedback_up", value=buttons["feedback_up"])
    action["response_url"] = recorder.url + "/respond/act3"
    form(slack, {"payload": json.dumps(action)})
    recorder.wait("act3")
    records = [json.loads(line) for line in (slack["data"] / "feedback.jsonl").read_text().splitlines()]
    assert records[-1]["source"] == "slack" and records[-1]["rating"] == "up"


def test_slash_command_lists_documents_and_filters_by_company(slack):
    recorder = slack["recorder"]
    status, body = form(slack, {"command": "/disclosures", "text": "docs", "user_id": "U7", "channel_id": "C7",
                                "team_id": "T1", "response_url": recorder.url + "/respond/docs"})
    assert status == 200 and "Aptorum" in body and "Contoso" in body
    form(slack, {"command": "/disclosures", "text": "company:Contoso What were G&A fees in H1 2021?", "user_id": "U7",
                 "channel_id": "C7", "team_id": "T1", "response_url": recorder.url + "/respond/filtered"})
    [response] = recorder.wait("filtered")
    assert "2,564,117" not in response["text"]  # the Aptorum figure is outside the filter


def test_document_text_is_escaped_in_the_blocks(slack):
    recorder = slack["recorder"]
    event(slack, {"type": "app_mention", "user": "U8", "channel": "C8", "ts": "800.1",
                  "text": "<@UBOT> doc:contoso-release Why did the widget backlog grow?"}, "Ev8")
    [update] = recorder.wait("chat.update", channel="C8")
    shown = json.dumps(update["blocks"])
    assert "<!channel>" not in shown and "<@U0BOSS>" not in shown
    assert "&lt;!channel&gt;" in shown and "&lt;@U0BOSS&gt;" in shown and "&amp;" in shown
    assert "@here" not in texts(update["blocks"])


def test_rate_limit_is_polite(slack):
    recorder = slack["recorder"]
    for n in range(5):
        event(slack, {"type": "message", "channel_type": "im", "user": "U9", "channel": "D9", "ts": f"900.{n}",
                      "text": "What were G&A fees in H1 2021?"}, f"Ev9-{n}")
    [notice] = recorder.wait("chat.postEphemeral", channel="D9", user="U9")
    assert "please wait" in notice["text"]
    assert len(recorder.wait("chat.update", 4, channel="D9")) == 4


def test_a_pipeline_error_is_an_apology_in_the_thread_not_a_crash(tmp_path, seed_store, caplog):
    from slack_sdk import WebClient

    from assistant.slackbot import SlackBot

    recorder = Recorder()
    settings = Settings(store=seed_store.settings).with_overrides(slack_bot_token=TOKEN, slack_signing_secret=SECRET,
                                                  data_dir=tmp_path / "data")
    bot = SlackBot(settings, store=seed_store, client=WebClient(token=TOKEN, base_url=recorder.url + "/api/"))

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("index exploded")

    bot.assistant.ask = broken
    bot._answer_in_thread(bot.app.client, "C10", "1000.1", "U10", "What were G&A fees in H1 2021?")
    [update] = recorder.of("chat.update", channel="C10")
    assert update["text"].startswith("Sorry, something went wrong") and "exploded" not in update["text"]
    assert "index exploded" in caplog.text and TOKEN not in caplog.text


def test_each_thread_holds_a_conversation_and_the_least_recently_used_are_forgotten(tmp_path, seed_store):
    from slack_sdk import WebClient

    from assistant.slackbot import SlackBot

    recorder = Recorder()
    settings = Settings(store=seed_store.settings).with_overrides(slack_bot_token=TOKEN, slack_signing_secret=SECRET,
                                                                   data_dir=tmp_path / "data", slack_rate_limit=100)
    bot = SlackBot(settings, store=seed_store, client=WebClient(token=TOKEN, base_url=recorder.url + "/api/"))
    bot.max_threads, bot.max_turns = 2, 3

    def ask(thread: str, question: str) -> str:
        bot._answer_in_thread(bot.app.client, "C11", thread, "U11", question)
        return texts(recorder.of("chat.update", channel="C11")[-1]["blocks"])

    ask("1.1", "What were G&A fees in H1 2021?")
    assert "2,076,634" in ask("1.1", "And in 2020?")  # the thread's conversation reads the follow-up
    for question in ("What was R&D in H1 2021?", "And in 2020?", "And G&A in H1 2021?"):
        ask("1.1", question)
    assert len(bot.conversation("C11", "1.1")) == 3  # each conversation keeps its last max_turns turns
    ask("2.1", "What were research and development expenses in H1 2021?")
    ask("3.1", "What was the net loss for the six months ended June 30, 2021?")
    assert list(bot._threads) == [("C11", "2.1"), ("C11", "3.1")]  # thread 1.1, used least recently, is forgotten
    assert len(bot.conversation("C11", "1.1")) == 0  # and starts a new conversation when it is next asked in
    assert list(bot._threads) == [("C11", "3.1"), ("C11", "1.1")]


def test_socket_mode_over_a_local_websocket(tmp_path):
    """`disclosures slack --socket`: apps.connections.open (on the recorder) hands out a loopback WebSocket URL,
    a small WebSocket server there sends an app_mention envelope, and the bot acks it and answers in the thread."""
    from websockets.sync.server import serve

    recorder = Recorder()
    acks: list[dict] = []
    port = free_port()
    envelope = {"envelope_id": "env-1", "type": "events_api", "accepts_response_payload": False, "retry_attempt": 0,
                "payload": {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "EvSock",
                            "event_time": int(time.time()),
                            "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
                            "event": {"type": "app_mention", "user": "U1", "channel": "CS", "ts": "1.1",
                                      "text": "<@UBOT> What were G&A fees in H1 2021?"}}}

    def session(websocket):  # noqa: ANN001, ANN202
        websocket.send(json.dumps({"type": "hello", "num_connections": 1}))
        websocket.send(json.dumps(envelope))
        try:
            for message in websocket:
                acks.append(json.loads(message))
        except Exception:  # noqa: BLE001 - the bot going away ends the session
            pass

    server = serve(session, "127.0.0.1", port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    recorder_url = recorder.url
    data = tmp_path / "data"
    data.mkdir()
    env = {**os.environ, "DISCLOSURES_DATA_DIR": str(data), "SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": "xapp-test-1",
           "DISCLOSURES_SLACK_API_URL": recorder_url + "/api/"}
    env.pop("SLACK_SIGNING_SECRET", None)
    executable = Path(sys.executable).parent / "disclosures"
    subprocess.run([str(executable), "ingest", str(SEED), "--no-progress"], env=env, check=True, capture_output=True)
    recorder.ws_url = f"ws://127.0.0.1:{port}/"
    log = (data / "bot.log").open("w")
    process = subprocess.Popen([str(executable), "slack", "--socket"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        [update] = recorder.wait("chat.update", channel="CS", timeout=40)
        assert "2,564,117" in texts(update["blocks"]) or "2.6 million" in texts(update["blocks"])
        assert {"envelope_id": "env-1"} in acks or any(ack.get("envelope_id") == "env-1" for ack in acks)
        assert recorder.of("apps.connections.open")
    finally:
        process.terminate()
        process.wait(timeout=20)
        server.shutdown()
    assert "xapp-test-1" not in (data / "bot.log").read_text() and TOKEN not in (data / "bot.log").read_text()
