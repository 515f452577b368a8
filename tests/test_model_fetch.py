"""Model fetching against a local HTTP server serving archives built in tmp_path.

Never touches the internet: every URL is on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import http.server
import socket
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.model_fetch import (
    KNOWN_MODELS,
    ModelFetchError,
    fetch_vosk_model,
    is_vosk_model,
    main_fetch,
)

MODEL = "vosk-model-test-0.1"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """(base URL, directory it serves): a real HTTP server on a free loopback port."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def make_model_zip(path: Path, top: str | None = MODEL, with_model: bool = True,
                   extra: dict[str, bytes] | None = None) -> str:
    """A zip shaped like an official Vosk model; returns its SHA-256."""
    prefix = f"{top}/" if top else ""
    with zipfile.ZipFile(path, "w") as zf:
        if with_model:
            zf.writestr(f"{prefix}am/final.mdl", b"\x00acoustic model" * 100)
        zf.writestr(f"{prefix}conf/model.conf", b"--min-active=200\n")
        zf.writestr(f"{prefix}README", b"test model\n")
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(dest: Path) -> list[str]:
    return sorted(p.name for p in dest.iterdir()) if dest.exists() else []


def test_fetch_success_installs_atomically(server: tuple[str, Path], tmp_path: Path) -> None:
    base, root = server
    digest = make_model_zip(root / f"{MODEL}.zip")
    dest = tmp_path / "models"
    result = fetch_vosk_model("custom", dest, url=f"{base}/{MODEL}.zip", sha256=digest,
                              timeout=5)
    assert result.path == dest / MODEL and result.downloaded and result.verified
    assert result.sha256 == digest and result.size == (root / f"{MODEL}.zip").stat().st_size
    assert is_vosk_model(result.path)
    assert (result.path / "README").read_bytes() == b"test model\n"
    assert leftovers(dest) == [MODEL]  # no temp archive, no staging directory

    # Already there: nothing is fetched (the server is not even asked).
    again = fetch_vosk_model("custom", dest, url="http://127.0.0.1:9/none.zip",
                             sha256=digest, dirname=MODEL, timeout=5)
    assert again.path == dest / MODEL and not again.downloaded


def test_fetch_archive_without_top_folder_and_force_replace(
    server: tuple[str, Path], tmp_path: Path,
) -> None:
    base, root = server
    digest = make_model_zip(root / "flat.zip", top=None)
    dest = tmp_path / "models"
    (dest / "flat").mkdir(parents=True)
    (dest / "flat" / "stale").write_text("half an old model")  # not a model: replaced
    result = fetch_vosk_model("x", dest, url=f"{base}/flat.zip", sha256=digest, timeout=5)
    assert is_vosk_model(result.path) and not (result.path / "stale").exists()
    (result.path / "marker").write_text("old")
    forced = fetch_vosk_model("x", dest, url=f"{base}/flat.zip", sha256=digest, timeout=5,
                              force=True)
    assert forced.downloaded and not (forced.path / "marker").exists()
    assert leftovers(dest) == ["flat"]


def test_bad_checksum_leaves_nothing(server: tuple[str, Path], tmp_path: Path) -> None:
    base, root = server
    make_model_zip(root / f"{MODEL}.zip")
    dest = tmp_path / "models"
    with pytest.raises(ModelFetchError, match="checksum mismatch") as err:
        fetch_vosk_model("x", dest, url=f"{base}/{MODEL}.zip", sha256="0" * 64, timeout=5)
    assert "\n" not in str(err.value)
    assert leftovers(dest) == []


def test_http_404(server: tuple[str, Path], tmp_path: Path) -> None:
    base, _ = server
    dest = tmp_path / "models"
    with pytest.raises(ModelFetchError, match=r"HTTP 404 .*missing\.zip"):
        fetch_vosk_model("x", dest, url=f"{base}/missing.zip", sha256="0" * 64, timeout=5)
    assert leftovers(dest) == []


def test_not_a_zip(server: tuple[str, Path], tmp_path: Path) -> None:
    base, root = server
    page = root / "model.zip"
    page.write_bytes(b"<html>a login page, not a model</html>")
    digest = hashlib.sha256(page.read_bytes()).hexdigest()
    dest = tmp_path / "models"
    with pytest.raises(ModelFetchError, match="not a zip archive"):
        fetch_vosk_model("x", dest, url=f"{base}/model.zip", sha256=digest, timeout=5)
    assert leftovers(dest) == []


def test_zip_without_model_or_with_unsafe_paths(server: tuple[str, Path],
                                                tmp_path: Path) -> None:
    base, root = server
    dest = tmp_path / "models"
    digest = make_model_zip(root / "empty.zip", with_model=False)
    with pytest.raises(ModelFetchError, match="no Vosk model"):
        fetch_vosk_model("x", dest, url=f"{base}/empty.zip", sha256=digest, timeout=5)
    digest = make_model_zip(root / "evil.zip", extra={"../escape.txt": b"x"})
    with pytest.raises(ModelFetchError, match="unsafe path"):
        fetch_vosk_model("x", dest, url=f"{base}/evil.zip", sha256=digest, timeout=5)
    assert leftovers(dest) == []
    assert not (tmp_path / "escape.txt").exists()


def test_connection_refused(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dest = tmp_path / "models"
    with pytest.raises(ModelFetchError, match=r"cannot reach .*refused") as err:
        fetch_vosk_model("x", dest, url=f"http://127.0.0.1:{port}/m.zip", sha256="0" * 64,
                         timeout=5)
    assert "\n" not in str(err.value)
    assert leftovers(dest) == []


def test_timeout(tmp_path: Path) -> None:
    with socket.socket() as sock:  # accepts connections (backlog) but never answers
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
        dest = tmp_path / "models"
        with pytest.raises(ModelFetchError, match="timed out"):
            fetch_vosk_model("x", dest, url=f"http://127.0.0.1:{port}/m.zip",
                             sha256="0" * 64, timeout=0.5)
    assert leftovers(dest) == []


def test_checksum_required_unless_allowed(server: tuple[str, Path], tmp_path: Path) -> None:
    base, root = server
    digest = make_model_zip(root / f"{MODEL}.zip")
    dest = tmp_path / "models"
    with pytest.raises(ModelFetchError, match="no pinned SHA-256"):
        fetch_vosk_model("x", dest, url=f"{base}/{MODEL}.zip", timeout=5)
    result = fetch_vosk_model("x", dest, url=f"{base}/{MODEL}.zip", timeout=5,
                              allow_unverified=True)
    assert result.downloaded and not result.verified and result.sha256 == digest
    with pytest.raises(ModelFetchError, match="not a SHA-256"):
        fetch_vosk_model("x", dest, url=f"{base}/{MODEL}.zip", sha256="abc", force=True)


def test_pinned_official_model() -> None:
    source = KNOWN_MODELS["vosk-en"]
    assert source.url == "https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip"
    assert source.dirname == "vosk-model-small-en-us-0.15"
    assert source.sha256 == "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498"
    with pytest.raises(ModelFetchError, match="unknown model"):
        fetch_vosk_model("vosk-xx")


def test_the_pin_is_checked_by_default_even_from_a_mirror(server: tuple[str, Path],
                                                           tmp_path: Path) -> None:
    base, root = server
    make_model_zip(root / f"{MODEL}.zip")  # not the official archive
    dest = tmp_path / "models"
    with pytest.raises(ModelFetchError, match=r"checksum mismatch.*30f26242"):
        fetch_vosk_model("vosk-en", dest, url=f"{base}/{MODEL}.zip", timeout=5)
    assert leftovers(dest) == [] and not (dest / "vosk-model-small-en-us-0.15").exists()


def test_cli_accepts_the_options_its_messages_name(server: tuple[str, Path], tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.cli import main

    base, root = server
    digest = make_model_zip(root / f"{MODEL}.zip")
    dest = tmp_path / "models"
    common = ["models", "fetch", "custom", "--dest", str(dest), "--url", f"{base}/{MODEL}.zip",
              "--timeout", "5"]
    assert main(common) == 1
    _, err = capsys.readouterr()
    assert "--sha256" in err and "--allow-unverified" in err
    assert main([*common, "--allow-unverified"]) == 0
    assert main([*common, "--sha256", digest, "--force"]) == 0
    out, _ = capsys.readouterr()
    assert "sha256 verified" in out


def test_main_fetch_exit_codes_and_one_line(server: tuple[str, Path], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    base, root = server
    digest = make_model_zip(root / f"{MODEL}.zip")
    dest = tmp_path / "models"
    args = ["vosk-en", "--dest", str(dest), "--url", f"{base}/{MODEL}.zip",
            "--timeout", "5"]
    assert main_fetch([*args, "--sha256", "f" * 64]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("error: checksum mismatch")
    assert main_fetch([*args, "--sha256", digest]) == 0
    out, err = capsys.readouterr()
    assert out.count("\n") == 1 and "sha256 verified" in out and str(dest / MODEL) in out
    assert main_fetch([*args, "--sha256", digest]) == 0
    out, _ = capsys.readouterr()
    assert "already installed" in out
    assert main_fetch(["custom", "--dest", str(tmp_path / "other"), "--url",
                       f"{base}/{MODEL}.zip"]) == 1
    _, err = capsys.readouterr()
    assert "no pinned SHA-256" in err and err.count("\n") == 1


def test_main_fetch_takes_a_parsed_namespace(server: tuple[str, Path], tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI's own subparser may define only `name` and `--dest`."""
    dest = tmp_path / "models"
    base, root = server
    assert main_fetch(argparse.Namespace(name="custom", dest=str(dest),
                                         url=f"{base}/{MODEL}.zip")) == 1
    _, err = capsys.readouterr()
    assert err.startswith("error: no pinned SHA-256 for custom")
    digest = make_model_zip(root / f"{MODEL}.zip")
    ns = argparse.Namespace(name="vosk-en", dest=str(dest), url=f"{base}/{MODEL}.zip",
                            sha256=digest)
    assert main_fetch(ns) == 0
    assert is_vosk_model(dest / MODEL)
