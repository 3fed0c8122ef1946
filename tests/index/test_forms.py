"""SEC form names (index/forms.py)."""

from __future__ import annotations

import pytest

from index.forms import is_form_token, normalize_form


@pytest.mark.parametrize(("value", "expected"), [("10k", "10-K"), ("10-q", "10-Q"), ("8K", "8-K"), ("Earnings", "earnings release"), ("press release", "press release")])
def test_normalize_form(value, expected):
    assert normalize_form(value) == expected


def test_form_tokens_of_file_names():
    assert is_form_token("10K") and is_form_token("10-q") and is_form_token("EARNINGS")
    assert not is_form_token("APPLE") and not is_form_token("2022")
