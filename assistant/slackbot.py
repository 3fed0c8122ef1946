"""The Slack bot (slack-bolt): `disclosures slack [--socket | --http --port N]`, over the one `Assistant`.

- `app_mention` in a channel and every message in a DM are answered in the thread. Each thread holds a
  `Conversation`, so a follow-up is read through the thread's earlier turns. The bot remembers the last
  `MAX_THREADS` threads (least recently used forgotten first), each with its last `MAX_TURNS` turns; a thread it
  has forgotten starts a new conversation.
- `/disclosures QUESTION` answers ephemerally with a "Post to channel" button; `/disclosures docs` lists the
  documents. `company:EBAY` or `doc:ID` in a question restricts the search.
- Every request is acknowledged at once; the answer is worked out in a lazy listener, shown as a placeholder
  message ("Reading the disclosures…") that is updated in place with the answer's blocks.
- Requests are verified with the signing secret (Bolt's middleware, 5-minute window); Slack's retries and
  duplicate events are answered once; bot messages (the bot's own included) are ignored; each user may ask
  `DISCLOSURES_SLACK_RATE_LIMIT` questions a minute; a failure becomes a short apology in the thread and a logged
  trace. Every event the bot decides not to answer is one log line ("event Ev5 ignored: bot message"). Tokens are
  never logged.
- What an answer shows comes from the presenter (assistant/presenter.py); this module renders it as Block Kit.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections import OrderedDict, defaultdict, deque

from assistant.conversation import DEFAULT_LIMIT, Conversation
from assistant.feedback import FeedbackLog
from assistant.presenter import UNVERIFIED_MARK, Presentation, present, source_where
from index.errors import ConfigError, DisclosuresError
from index.records import Answer, SearchFilters
from index.settings import Settings

log = logging.getLogger("disclosures.slack")
events_log = logging.getLogger("disclosures.slack.events")  # one line per event the bot decides not to answer

MAX_THREADS = 1000  # threads whose conversations the bot remembers
MAX_TURNS = DEFAULT_LIMIT  # turns each thread's conversation keeps

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
    """Block Kit for an answer: the unverified-numbers warning, the headline figure in bold over the text (each
    unverified mark in bold), citations as context blocks, a "Show calculation" button per calculation, and
    feedback buttons."""
    shown = present(answer)
    text = mrkdwn_escape(shown.body).replace(UNVERIFIED_MARK, f"*{UNVERIFIED_MARK}*")
    if shown.headline:
        text = f"*{mrkdwn_escape(shown.headline)}*\n{text}"
    blocks: list[dict] = []
    if shown.warning:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": (
            f":warning: *{mrkdwn_escape(shown.warning.title)}* {mrkdwn_escape(shown.warning.detail)}")}})
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}})
    for source in shown.sources[:8]:
        quote = " ".join(source.quote.split())
        quote = quote if len(quote) <= 200 else quote[:197] + "…"
        where = f", {source_where(source)}" if source_where(source) else ""
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": (
            f"[{source.n}] *{mrkdwn_escape(source.title)}*{where}: “{mrkdwn_escape(quote)}”")}]})
    count = len(shown.calculations)
    buttons = [{"type": "button", "action_id": f"show_calculation_{index}", "value": f"{answer_id}:{index}",
                "text": {"type": "plain_text", "text": "Show calculation" if count == 1
                         else f"Show calculation {index + 1}"}} for index in range(min(count, 3))]
    buttons += [{"type": "button", "action_id": "feedback_up", "value": answer_id,
                 "text": {"type": "plain_text", "text": ":thumbsup:", "emoji": True}},
                {"type": "button", "action_id": "feedback_down", "value": answer_id,
                 "text": {"type": "plain_text", "text": ":thumbsdown:", "emoji": True}}]
    blocks.append({"type": "actions", "elements": buttons})
    return blocks


def calculation_text(shown: Presentation, index: int) -> str:
    """A calculation as the "Show calculation" reply: the result and its derivation, then each fact it used with
    the [n] of the source quoting it."""
    calculation = shown.calculations[index]
    facts = [f"• {mrkdwn_escape(fact.label)}, {mrkdwn_escape(fact.period)}: {mrkdwn_escape(fact.printed)}"
             + (f" [{fact.source}]" if fact.source else "") for fact in calculation.facts]
    return "\n".join([f"*{mrkdwn_escape(calculation.result)}* = {mrkdwn_escape(calculation.derivation)}", *facts])


# --- the bot --------------------------------------------------------------------------------------------------

class SlackBot:
    """The Bolt app and what it remembers: answers by id (for buttons), each thread's conversation, events seen,
    and the per-user rate limit. `client` is a slack_sdk WebClient (tests point its base_url at a local recorder)."""

    max_threads = MAX_THREADS
    max_turns = MAX_TURNS

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
        # The client carries the token (Bolt reads it from there and warns when both are given). Bolt's own filter
        # of the bot's events is off: the listeners ignore every bot message themselves, and say so in the log.
        self.app = App(signing_secret=secret or "socket-mode", client=client, request_verification_enabled=bool(secret),
                       logger=log, ignoring_self_events_enabled=False)
        self._answers: OrderedDict[str, dict] = OrderedDict()
        self._threads: OrderedDict[tuple[str, str], Conversation] = OrderedDict()
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._asked: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()
        self._register()

    # memory
    def conversation(self, channel: str, thread_ts: str) -> Conversation:
        """The thread's conversation, the most recently used; a thread not (or no longer) remembered starts one."""
        key = (channel, thread_ts)
        with self._lock:
            conversation = self._threads.pop(key, None) or Conversation(limit=self.max_turns)
            self._threads[key] = conversation
            while len(self._threads) > self.max_threads:
                self._threads.popitem(last=False)
            return conversation

    def _remember(self, answer: Answer, question: str, history: list[str]) -> str:
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
    def answer(self, question: str, conversation: Conversation | None = None) -> Answer:
        """Answer `question` (with its `company:`/`doc:` filters) as the next turn of `conversation`, if any."""
        text, filters = parse_filters(question)
        if not text:
            raise DisclosuresError("Ask a question after the filters, e.g. `company:EBAY What was revenue in 2022?`")
        return self.assistant.ask(text, conversation, SearchFilters(**filters) if filters else None)

    def _answer_in_thread(self, client, channel: str, thread_ts: str, user: str, question: str) -> None:  # noqa: ANN001
        """Placeholder in the thread, then the answer (or an apology) in its place."""
        if not self._allowed(user):
            client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, text=self._slow_down())
            return
        placeholder = client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=WORKING)
        conversation = self.conversation(channel, thread_ts)
        earlier = conversation.questions()
        try:
            answer = self.answer(question, conversation)
        except DisclosuresError as exc:
            client.chat_update(channel=channel, ts=placeholder["ts"], text=f"Sorry: {mrkdwn_escape(str(exc))}")
            return
        except Exception:  # noqa: BLE001 - the bot must not crash on one question
            log.exception("answering %r failed", question[:200])
            client.chat_update(channel=channel, ts=placeholder["ts"], text=APOLOGY)
            return
        answer_id = self._remember(answer, question, earlier)
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

        def retry_number(request) -> str:  # noqa: ANN001
            """Slack's redelivery of an event: X-Slack-Retry-Num 1, 2, ... (Socket Mode sends 0 on the first try)."""
            value = request.headers.get("x-slack-retry-num")
            value = value[0] if isinstance(value, list) and value else value
            value = str(value or "0").strip()
            return "" if value in ("", "0") else value

        def ignored(body, event, context, request, direct_only: bool) -> bool:  # noqa: ANN001
            """Whether to leave the event unanswered; if so, one log line says why (the decision is final)."""
            event_id = body.get("event_id") or event.get("client_msg_id") or event.get("ts", "")
            if event.get("bot_id") or (event.get("user") and event.get("user") == context.get("bot_user_id")):
                reason = "bot message"  # our own answers included
            elif event.get("subtype"):
                reason = f"message subtype {event['subtype']}"
            elif direct_only and event.get("channel_type") != "im":
                reason = "channel message without a mention"
            elif retry_number(request):
                reason = f"retry {retry_number(request)}"
            elif not self._first_time(event_id):
                reason = "duplicate"
            else:
                return False
            events_log.info("event %s ignored: %s", event_id, reason)
            return True

        def on_mention(body, event, client, context, request):  # noqa: ANN001, ANN202
            if ignored(body, event, context, request, direct_only=False):
                return
            question = _MENTION.sub(" ", event.get("text", "")).strip()
            self._answer_in_thread(client, event["channel"], event.get("thread_ts") or event["ts"],
                                   event.get("user", ""), question)

        app.event("app_mention")(ack=ack_only, lazy=[on_mention])

        def on_message(body, event, client, context, request):  # noqa: ANN001, ANN202
            # Channels are answered on mention (app_mention), direct messages always.
            if ignored(body, event, context, request, direct_only=True):
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
                answer = self.answer(text)
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

        def on_button(action):  # noqa: ANN001, ANN202
            """Register a button's handler: acknowledged at once, then called with the button's value and the answer
            it refers to; when that answer has expired, the user is told so instead."""
            def register(handler):  # noqa: ANN001, ANN202
                def listener(ack, body, client, respond):  # noqa: ANN001, ANN202 - names Bolt injects by
                    ack()
                    value = body["actions"][0].get("value", "")
                    item = self._answers.get(value.split(":")[0])
                    if item is None:
                        respond(response_type="ephemeral", replace_original=False,
                                text="That answer has expired; ask again.")
                        return
                    handler(value, item, body, client, respond)

                app.action(action)(listener)
                return handler
            return register

        @on_button("post_answer")
        def post_answer(value, item, body, client, respond):  # noqa: ANN001, ANN202
            answer = item["answer"]
            channel = (body.get("channel") or {}).get("id") or body.get("container", {}).get("channel_id")
            client.chat_postMessage(channel=channel, text=mrkdwn_escape(answer.text)[:3000],
                                    blocks=answer_blocks(answer, self._remember(answer, item["question"], [])))
            respond(delete_original=True)

        @on_button(re.compile(r"^show_calculation_\d+$"))
        def show_calculation(value, item, body, client, respond):  # noqa: ANN001, ANN202
            shown = present(item["answer"])
            index = int(value.split(":")[1])
            if not 0 <= index < len(shown.calculations):
                respond(response_type="ephemeral", replace_original=False, text="That calculation is not in the answer.")
                return
            respond(response_type="ephemeral", replace_original=False, text=calculation_text(shown, index))

        @on_button(re.compile(r"^feedback_(up|down)$"))
        def feedback(value, item, body, client, respond):  # noqa: ANN001, ANN202
            rating = "up" if body["actions"][0]["action_id"].endswith("up") else "down"
            self.feedback.add(item["question"], item["answer"], rating, source="slack", history=item["history"])
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


def log_to_stderr() -> None:
    """The bot's log lines on stderr: its warnings and errors, and (at INFO) the events it ignores. Bolt logs
    through the bot's logger too, and stays at WARNING."""
    logger = logging.getLogger("disclosures.slack")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
    events_log.setLevel(logging.INFO)


def serve_http(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    if not settings.slack.signing_secret:
        raise ConfigError("SLACK_SIGNING_SECRET is not set: HTTP mode verifies every request with it")
    log_to_stderr()
    uvicorn.run(http_app(SlackBot(settings)), host=host, port=port, log_level="info")


def serve_socket(settings: Settings) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    if not settings.slack.app_token:
        raise ConfigError("SLACK_APP_TOKEN is not set: Socket Mode needs the app-level token (xapp-...)")
    log_to_stderr()
    SocketModeHandler(SlackBot(settings).app, settings.slack.app_token.get_secret_value()).start()
