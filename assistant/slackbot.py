"""The Slack bot (slack-bolt): `disclosures slack [--socket | --http --port N]`, over the one `Assistant`.

- `app_mention` in a channel and every message in a DM are answered in the thread; follow-ups in a thread use that
  thread's earlier questions and answers.
- `/disclosures QUESTION` answers ephemerally with a "Post to channel" button; `/disclosures docs` lists the
  documents. `company:EBAY` or `doc:ID` in a question restricts the search.
- Every request is acknowledged at once; the answer is worked out in a lazy listener, shown as a placeholder
  message ("Reading the disclosures…") that is updated in place with the answer's blocks.
- Requests are verified with the signing secret (Bolt's middleware, 5-minute window); Slack's retries and
  duplicate events are answered once; bot messages (the bot's own included) are ignored; each user may ask
  `DISCLOSURES_SLACK_RATE_LIMIT` questions a minute; a failure becomes a short apology in the thread and a logged
  trace. Tokens are never logged.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections import OrderedDict, defaultdict, deque

from index.errors import ConfigError, DisclosuresError
from assistant.feedback import FeedbackLog
from index.records import Answer
from index.settings import Settings

log = logging.getLogger("disclosures.slack")

WORKING = "Reading the disclosures…"
APOLOGY = "Sorry, something went wrong while answering that. The error has been logged."
_FILTER = re.compile(r"(?<!\S)(company|doc):(\S+)", re.I)
_MENTION = re.compile(r"<@[A-Z0-9]+>")
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.I)


# --- text for Slack -------------------------------------------------------------------------------------------

def mrkdwn_escape(text: str) -> str:
    """Untrusted text as Slack mrkdwn: `&`, `<`, `>` escaped (so no <@U…>, <!channel> or links can be formed),
    and a bare @channel/@here/@everyone broken with a zero-width joiner so it can never notify anyone."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda match: "@\u2060" + match.group(1), text)


def parse_filters(text: str) -> tuple[str, dict]:
    """The question without its `company:X` / `doc:ID` tokens, and those filters."""
    filters: dict = {}
    for kind, value in _FILTER.findall(text):
        if kind.lower() == "company":
            filters["company"] = value
        else:
            filters.setdefault("docs", []).append(value)
    return " ".join(_FILTER.sub(" ", text).split()), filters


def answer_blocks(answer: Answer, answer_id: str) -> list[dict]:
    """Block Kit for an answer: the text, unverified numbers flagged, citations as context blocks, a "Show
    calculation" button per figure, and feedback buttons."""
    text = mrkdwn_escape(answer.text).replace("[unverified]", "*[unverified]*")
    blocks: list[dict] = []
    if not answer.grounded and answer.unsupported_numbers:
        flagged = ", ".join(mrkdwn_escape(number) for number in answer.unsupported_numbers)
        blocks.append({"type": "section", "text": {"type": "mrkdwn",
                                                     "text": f":warning: *Unverified numbers: {flagged}.* They are not in the cited passages."}})
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}})
    for citation in answer.citations[:8]:
        quote = " ".join(citation.quote.split())
        quote = quote if len(quote) <= 200 else quote[:197] + "…"
        where = f", page {citation.page}" if citation.page else ""
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": (
            f"[{citation.n}] *{mrkdwn_escape(citation.title)}*{where}: “{mrkdwn_escape(quote)}”")}]})
    buttons = [{"type": "button", "action_id": f"show_calculation_{index}", "value": f"{answer_id}:{index}",
                "text": {"type": "plain_text", "text": "Show calculation" if len(answer.figures) == 1
                         else f"Show calculation {index + 1}"}} for index in range(min(len(answer.figures), 3))]
    buttons += [{"type": "button", "action_id": "feedback_up", "value": answer_id,
                 "text": {"type": "plain_text", "text": ":thumbsup:", "emoji": True}},
                {"type": "button", "action_id": "feedback_down", "value": answer_id,
                 "text": {"type": "plain_text", "text": ":thumbsdown:", "emoji": True}}]
    blocks.append({"type": "actions", "elements": buttons})
    return blocks


# --- the bot --------------------------------------------------------------------------------------------------

class SlackBot:
    """The Bolt app and what it remembers: answers by id (for buttons), thread histories, events seen, and the
    per-user rate limit. `client` is a slack_sdk WebClient (tests point its base_url at a local recorder)."""

    def __init__(self, settings: Settings, store=None, client=None):  # noqa: ANN001
        from slack_bolt import App
        from slack_sdk import WebClient

        from assistant.answering import Assistant
        from index.store import open_store

        token = settings.slack.bot_token.get_secret_value() if settings.slack.bot_token else None
        if not token:
            raise ConfigError("SLACK_BOT_TOKEN is not set: the bot token (xoxb-...) of the Slack app")
        secret = settings.slack.signing_secret.get_secret_value() if settings.slack.signing_secret else None
        self.settings = settings
        self.store = store or open_store(settings)
        self.assistant = Assistant(self.store, settings=settings)
        self.feedback = FeedbackLog(settings.store.data_dir)
        client = client or WebClient(token=token, base_url=settings.slack.api_url)
        # The client carries the token (Bolt reads it from there and warns when both are given).
        self.app = App(signing_secret=secret or "socket-mode", client=client, request_verification_enabled=bool(secret),
                       logger=log)
        self._answers: OrderedDict[str, dict] = OrderedDict()
        self._threads: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._asked: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()
        self._register()

    # memory
    def _remember(self, answer: Answer, question: str, history: list) -> str:
        answer_id = uuid.uuid4().hex[:16]
        with self._lock:
            self._answers[answer_id] = {"answer": answer, "question": question, "history": history}
            while len(self._answers) > 2000:
                self._answers.popitem(last=False)
        return answer_id

    def _first_time(self, key: str) -> bool:
        with self._lock:
            if key in self._seen:
                return False
            self._seen[key] = None
            while len(self._seen) > 10_000:
                self._seen.popitem(last=False)
            return True

    def _allowed(self, user: str) -> bool:
        now = time.monotonic()
        with self._lock:
            asked = self._asked[user]
            while asked and now - asked[0] > 60:
                asked.popleft()
            if len(asked) >= self.settings.slack.rate_limit:
                return False
            asked.append(now)
            return True

    def _slow_down(self) -> str:
        return f"You have asked {self.settings.slack.rate_limit} questions in the last minute; please wait a moment."

    # answering
    def answer(self, question: str, history: list[tuple[str, str]]) -> Answer:
        from index.records import SearchFilters

        text, filters = parse_filters(question)
        if not text:
            raise DisclosuresError("Ask a question after the filters, e.g. `company:EBAY What was revenue in 2022?`")
        from assistant.conversation import Conversation

        return self.assistant.ask(text, Conversation.from_history(history), SearchFilters(**filters) if filters else None)

    def _answer_in_thread(self, client, channel: str, thread_ts: str, user: str, question: str) -> None:  # noqa: ANN001
        """Placeholder in the thread, then the answer (or an apology) in its place."""
        if not self._allowed(user):
            client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, text=self._slow_down())
            return
        placeholder = client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=WORKING)
        key = (channel, thread_ts)
        try:
            answer = self.answer(question, list(self._threads[key]))
        except DisclosuresError as exc:
            client.chat_update(channel=channel, ts=placeholder["ts"], text=f"Sorry: {mrkdwn_escape(str(exc))}")
            return
        except Exception:  # noqa: BLE001 - the bot must not crash on one question
            log.exception("answering %r failed", question[:200])
            client.chat_update(channel=channel, ts=placeholder["ts"], text=APOLOGY)
            return
        self._threads[key].append((question, answer.text))
        answer_id = self._remember(answer, question, [q for q, _ in self._threads[key][:-1]])
        client.chat_update(channel=channel, ts=placeholder["ts"], text=mrkdwn_escape(answer.text)[:3000],
                           blocks=answer_blocks(answer, answer_id))

    def documents_text(self) -> str:
        documents = self.store.documents()
        if not documents:
            return "No documents are ingested yet."
        lines = [f"• *{mrkdwn_escape(d.company or d.title)}* {mrkdwn_escape(d.form or '')} {mrkdwn_escape(d.period or '')}"
                 f" (`doc:{d.id}`, {d.passage_count} passages)" for d in documents[:50]]
        return "\n".join([f"{len(documents)} documents:", *lines])

    # Bolt listeners
    def _register(self) -> None:  # noqa: C901
        app = self.app

        def ack_only(ack):  # noqa: ANN001, ANN202
            ack()

        def is_retry(request) -> bool:  # noqa: ANN001
            """Slack's redelivery of an event: X-Slack-Retry-Num 1, 2, ... (Socket Mode sends 0 on the first try)."""
            value = request.headers.get("x-slack-retry-num")
            value = value[0] if isinstance(value, list) and value else value
            return str(value or "0").strip() not in ("", "0")

        def on_mention(body, event, client, request):  # noqa: ANN001, ANN202
            if is_retry(request) or not self._first_time(body.get("event_id") or event.get("client_msg_id") or event["ts"]):
                return
            question = _MENTION.sub(" ", event.get("text", "")).strip()
            self._answer_in_thread(client, event["channel"], event.get("thread_ts") or event["ts"],
                                   event.get("user", ""), question)

        app.event("app_mention")(ack=ack_only, lazy=[on_mention])

        def on_message(body, event, client, request):  # noqa: ANN001, ANN202
            if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
                return  # channels are answered on mention; bot messages (our own included) never
            if is_retry(request) or not self._first_time(body.get("event_id") or event["ts"]):
                return
            self._answer_in_thread(client, event["channel"], event.get("thread_ts") or event["ts"],
                                   event.get("user", ""), event.get("text", "").strip())

        app.event("message")(ack=ack_only, lazy=[on_message])

        def command_ack(ack, command):  # noqa: ANN001, ANN202
            text = (command.get("text") or "").strip()
            if not text:
                ack(text="Usage: `/disclosures QUESTION` (add `company:EBAY` or `doc:ID` to narrow it), "
                         "or `/disclosures docs`.")
            elif text.lower() == "docs":
                ack(text=self.documents_text())
            else:
                ack(text=WORKING)

        def command_answer(command, respond):  # noqa: ANN001, ANN202
            text = (command.get("text") or "").strip()
            if not text or text.lower() == "docs":
                return
            if not self._allowed(command.get("user_id", "")):
                respond(response_type="ephemeral", replace_original=True, text=self._slow_down())
                return
            try:
                answer = self.answer(text, [])
            except DisclosuresError as exc:
                respond(response_type="ephemeral", replace_original=True, text=f"Sorry: {mrkdwn_escape(str(exc))}")
                return
            except Exception:  # noqa: BLE001
                log.exception("answering %r failed", text[:200])
                respond(response_type="ephemeral", replace_original=True, text=APOLOGY)
                return
            answer_id = self._remember(answer, text, [])
            blocks = answer_blocks(answer, answer_id)
            blocks[-1]["elements"].insert(0, {"type": "button", "action_id": "post_answer", "value": answer_id,
                                              "style": "primary",
                                              "text": {"type": "plain_text", "text": "Post to channel"}})
            respond(response_type="ephemeral", replace_original=True, text=mrkdwn_escape(answer.text)[:3000],
                    blocks=blocks)

        app.command(re.compile(r"^/disclosures"))(ack=command_ack, lazy=[command_answer])

        def stored(body, respond) -> tuple[str, dict | None]:  # noqa: ANN001
            """The button's value and the answer it refers to; None (and the user told) when it has expired."""
            value = body["actions"][0].get("value", "")
            item = self._answers.get(value.split(":")[0])
            if item is None:
                respond(response_type="ephemeral", replace_original=False, text="That answer has expired; ask again.")
            return value, item

        @app.action("post_answer")
        def post_answer(ack, body, client, respond):  # noqa: ANN001, ANN202
            ack()
            _, item = stored(body, respond)
            if item is None:
                return
            answer = item["answer"]
            channel = (body.get("channel") or {}).get("id") or body.get("container", {}).get("channel_id")
            client.chat_postMessage(channel=channel, text=mrkdwn_escape(answer.text)[:3000],
                                    blocks=answer_blocks(answer, self._remember(answer, item["question"], [])))
            respond(delete_original=True)

        @app.action(re.compile(r"^show_calculation_\d+$"))
        def show_calculation(ack, body, respond):  # noqa: ANN001, ANN202
            ack()
            value, item = stored(body, respond)
            if item is None:
                return
            figure = item["answer"].figures[int(value.split(":")[1])]
            facts = "\n".join(f"• {mrkdwn_escape(fact.label)}, {mrkdwn_escape(fact.period or '')}: "
                              f"{mrkdwn_escape(fact.raw.strip())}" for fact in figure.facts)
            respond(response_type="ephemeral", replace_original=False,
                    text=f"*{mrkdwn_escape(figure.display)}* = {mrkdwn_escape(figure.derivation)}\n{facts}")

        @app.action(re.compile(r"^feedback_(up|down)$"))
        def feedback(ack, body, respond):  # noqa: ANN001, ANN202
            ack()
            _, item = stored(body, respond)
            if item is None:
                return
            rating = "up" if body["actions"][0]["action_id"].endswith("up") else "down"
            self.feedback.add(item["question"], item["answer"].to_json(), rating, source="slack",
                              history=item["history"])
            respond(response_type="ephemeral", replace_original=False, text="Thanks: your feedback is saved.")

        @app.error
        def on_error(error, body):  # noqa: ANN001, ANN202
            log.error("Slack request failed: %s", type(error).__name__, exc_info=error)


# --- serving --------------------------------------------------------------------------------------------------

def http_app(bot: SlackBot):  # noqa: ANN201
    """A Starlette app with the bot's one endpoint, POST /slack/events (events, commands, interactivity)."""
    from slack_bolt.adapter.starlette import SlackRequestHandler
    from starlette.applications import Starlette
    from starlette.routing import Route

    handler = SlackRequestHandler(bot.app)

    async def events(request):  # noqa: ANN001, ANN202
        return await handler.handle(request)

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"])])


def serve_http(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    if not settings.slack.signing_secret:
        raise ConfigError("SLACK_SIGNING_SECRET is not set: HTTP mode verifies every request with it")
    uvicorn.run(http_app(SlackBot(settings)), host=host, port=port, log_level="info")


def serve_socket(settings: Settings) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    if not settings.slack.app_token:
        raise ConfigError("SLACK_APP_TOKEN is not set: Socket Mode needs the app-level token (xapp-...)")
    SocketModeHandler(SlackBot(settings).app, settings.slack.app_token.get_secret_value()).start()
