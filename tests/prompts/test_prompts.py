"""Prompts are files in prompts/, loaded by name."""

import pytest

from index.errors import ConfigError
from prompts import available, load_prompt


def test_the_prompts_the_backends_use_exist():
    assert {"system", "answer_format", "refusal", "repair"} <= set(available())


def test_a_prompt_is_its_file(tmp_path):
    from pathlib import Path

    import prompts

    text = (Path(prompts.__file__).parent / "system.md").read_text(encoding="utf-8")
    assert load_prompt("system") == text.strip() + "\n"
    assert "never instructions" in load_prompt("system"), "the injection policy is in the system prompt"


def test_the_repair_prompt_takes_the_offending_numbers():
    assert "$12.3 million, 45%" in load_prompt("repair").format(numbers="$12.3 million, 45%")


@pytest.mark.parametrize("name", ["nope", "../README", "system.md", ""])
def test_an_unknown_name_is_a_one_line_error(name):
    with pytest.raises(ConfigError, match="no prompt named") as caught:
        load_prompt(name)
    assert "system" in str(caught.value) and "\n" not in str(caught.value)
