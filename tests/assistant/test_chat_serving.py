"""assistant/chat/serving.py: the login setting. (Launching is tested in a browser: test_chat_page.py.)"""

from __future__ import annotations

import pytest

from assistant.chat.serving import auth_pairs
from index.errors import ConfigError


def test_login_pairs(tmp_path):
    assert auth_pairs(None) is None
    assert auth_pairs("ann:pw1,bob:pw2") == [("ann", "pw1"), ("bob", "pw2")]
    users = tmp_path / "users"
    users.write_text("# analysts\nann:pw1\n")
    assert auth_pairs(str(users)) == [("ann", "pw1")]
    with pytest.raises(ConfigError, match="DISCLOSURES_UI_AUTH must be user:password pairs"):
        auth_pairs("ann")
