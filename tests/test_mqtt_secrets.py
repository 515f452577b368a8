"""Secrets on misconfiguration (issue 10, defect 9): the value of `password_file` (or
anything read from it) is never shown in an error, and credentials sent in clear text to a
host that is not loopback get a one-line warning at start."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from assistant.mqtt import MqttError, MqttLink, MqttSettings, is_loopback

SECRET = "hunter2-correct-horse"


def error_of(settings: MqttSettings) -> str:
    with pytest.raises(MqttError) as info:
        settings.load_password()
    message = str(info.value)
    assert "\n" not in message
    return message


def test_a_password_put_in_password_file_is_never_echoed(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.chdir(tmp_path)
    message = error_of(MqttSettings(username="me", password_file=SECRET))
    assert SECRET not in message and "does not exist" in message
    assert "its value is not shown" in message


@pytest.mark.parametrize("content", [b"\xff\xfe" + SECRET.encode(), SECRET.encode() * 300,
                                     f"{SECRET}\nsecond line\n".encode(), b"\n"])
def test_errors_about_the_password_files_content_show_none_of_it(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, content: bytes) -> None:
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    path = tmp_path / f"{SECRET}.txt"  # even its name could be the password
    path.write_bytes(content)
    message = error_of(MqttSettings(username="me", password_file=str(path)))
    assert SECRET not in message and "second line" not in message
    assert "xff" not in message and "0xff" not in message


def test_a_directory_or_a_device_is_not_read_as_a_password(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    for path in (str(tmp_path), os.devnull):
        assert "not a regular file" in error_of(MqttSettings(username="me", password_file=path))


def test_the_systemd_credential_path_is_shown(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    (tmp_path / "mqtt_password").write_text("one\ntwo\n")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    message = error_of(MqttSettings(username="me", password_file="/nowhere"))
    assert str(tmp_path / "mqtt_password") in message and "more than one line" in message


def test_loopback_hosts() -> None:
    assert all(map(is_loopback, ["localhost", "LOCALHOST.", "127.0.0.1", "127.1.2.3", "::1",
                                 "[::1]"]))
    assert not any(map(is_loopback, ["192.168.1.2", "broker.lan", "10.0.0.1", "0.0.0.0",
                                     "localhost.example.com"]))


@pytest.mark.parametrize(("host", "tls", "warned"), [
    ("192.0.2.10", False, True), ("broker.invalid", False, True),
    ("127.0.0.1", False, False), ("192.0.2.10", True, False)])
def test_credentials_in_clear_to_another_host_are_warned_about_once(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture,
        host: str, tls: bool, warned: bool) -> None:
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    password = tmp_path / "password"
    password.write_text(SECRET + "\n")
    settings = MqttSettings(host=host, port=1, username="me", password_file=str(password),
                            tls=tls, reconnect_min_s=5, reconnect_max_s=5)
    caplog.set_level(logging.WARNING, logger="assistant.mqtt")
    link = MqttLink(settings)
    link.start()  # connects in the background; nothing listens there
    link.close(drain_timeout=0.1)
    lines = [r.getMessage() for r in caplog.records if "clear text" in r.getMessage()]
    assert len(lines) == (1 if warned else 0)
    assert SECRET not in caplog.text


def test_an_empty_systemd_credential_counts_as_none(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    """The unit's SetCredential= default (a newline) when its password file is absent."""
    creds = tmp_path / "credentials"
    creds.mkdir()
    (creds / "mqtt_password").write_text("\n")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    assert MqttSettings(username="me").load_password() is None
    password = tmp_path / "password"
    password.write_text("from the file\n")
    assert MqttSettings(username="me", password_file=str(password)).load_password() == \
        "from the file"
