"""Settings never show their secrets: the message key, the token key, the database password."""

from __future__ import annotations

import logging

import pytest

from crosscheck.settings import Settings

SECRETS = {
    "CROSSCHECK_DB_URL": "postgresql+psycopg://hub:Pa55w0rdSecret@db.example.invalid:5432/hub",
    "CROSSCHECK_MESSAGE_KEY": "MESSAGEKEYSECRETbase64AAAAAAAAAAAAAAAAAAAAAA=",
    "CROSSCHECK_TOKEN_KEY": "TOKENKEYSECRETbase64AAAAAAAAAAAAAAAAAAAAAAAA=",
}


def test_repr_str_and_logs_hide_secrets(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings.from_env({**SECRETS, "CROSSCHECK_HOME": "/srv/hub"})
    assert settings.message_key == SECRETS["CROSSCHECK_MESSAGE_KEY"]  # still usable
    assert settings.db_url == SECRETS["CROSSCHECK_DB_URL"]
    with caplog.at_level(logging.INFO):
        logging.getLogger("crosscheck.test").info("settings: %s %r", settings, settings)
    for shown in (repr(settings), str(settings), f"{settings}", caplog.text):
        assert "Pa55w0rdSecret" not in shown
        assert "MESSAGEKEYSECRET" not in shown and "TOKENKEYSECRET" not in shown
        assert "db.example.invalid" in shown and "/srv/hub" in shown  # the rest stays useful
