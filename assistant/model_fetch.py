"""Fetch an official Vosk model, explicitly, verified, and atomically.

Models are never downloaded silently: the daemon only reads a configured path. This
module backs `assistant models fetch vosk-en` for users with internet:

1. download with urllib to a temporary file inside the destination directory,
   hashing as it goes;
2. verify the SHA-256 against the pinned (or given) checksum;
3. unzip into a temporary directory beside the destination, check it holds a Vosk
   model (am/final.mdl), and rename it into place in one step.

Any failure removes what was written, so a half-downloaded or half-unpacked model
never sits where the daemon looks. Errors are one line (`ModelFetchError`).
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from assistant.errors import AssistantError

log = logging.getLogger(__name__)

_CHUNK = 1 << 20  # 1 MiB


class ModelFetchError(AssistantError):
    """A model could not be fetched; the message is one line for the user."""


@dataclass(frozen=True)
class ModelSource:
    """Where an official model comes from."""

    url: str
    """Pinned download URL of the zip archive."""
    sha256: str | None
    """Pinned SHA-256 of the archive (hex), or None if not pinned yet."""
    dirname: str
    """Directory the model is installed as (the archive's top-level folder)."""


KNOWN_MODELS: dict[str, ModelSource] = {
    # The official small US English model (about 40 MB, Apache-2.0), the one
    # the product targets. Pinned to the SHA-256 that public installers pin for this
    # archive; every fetch is verified against it (also from a mirror given with --url),
    # and a mismatch installs nothing.
    "vosk-en": ModelSource(
        url="https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip",
        sha256="30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498",
        dirname="vosk-model-small-en-us-0.15",
    ),
}

MODEL_DIR_ENV = "ASSISTANT_MODEL_DIR"


def installed_model(name: str = "vosk-en") -> Path | None:
    """Where `assistant models fetch NAME` put the model, if it is there."""
    source = KNOWN_MODELS.get(name)
    path = default_model_dir() / source.dirname if source else None
    return path if path is not None and is_vosk_model(path) else None


def default_model_dir() -> Path:
    """$ASSISTANT_MODEL_DIR, else $STATE_DIRECTORY/models (systemd's StateDirectory=, the
    service's /var/lib/milm-assistant), else $XDG_DATA_HOME (~/.local/share)/milm-assistant/
    models."""
    env = os.environ.get(MODEL_DIR_ENV)
    if env:
        return Path(env).expanduser()
    state = os.environ.get("STATE_DIRECTORY")
    if state:
        return Path(state.split(":", 1)[0]) / "models"
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "milm-assistant" / "models"


def is_vosk_model(path: Path) -> bool:
    """Whether `path` looks like an unpacked Vosk model."""
    return (path / "am" / "final.mdl").is_file()


@dataclass(frozen=True)
class FetchResult:
    """What a fetch did."""

    path: Path
    """The installed model directory."""
    downloaded: bool
    """False when the model was already in place and nothing was fetched."""
    sha256: str | None = None
    """SHA-256 of the downloaded archive."""
    verified: bool = False
    """Whether that digest matched a pinned or given checksum."""
    size: int = 0
    """Bytes downloaded."""


def fetch_vosk_model(
    name: str = "vosk-en",
    dest_dir: str | os.PathLike[str] | None = None,
    url: str | None = None,
    sha256: str | None = None,
    timeout: float = 30.0,
    *,
    dirname: str | None = None,
    allow_unverified: bool = False,
    force: bool = False,
) -> FetchResult:
    """Download, verify and install a Vosk model; return where it is.

    `name` picks a pinned source from KNOWN_MODELS; `url`, `sha256` and `dirname`
    override it (a custom URL needs no known name; a known name keeps its pinned checksum
    for a mirror URL too). A model already present at dest_dir/dirname is kept unless
    `force`. Without a checksum the fetch refuses unless `allow_unverified`. Raises
    ModelFetchError with a one-line message.
    """
    known = KNOWN_MODELS.get(name)
    if known is None and url is None:
        raise ModelFetchError(
            f"unknown model {name!r}: known models are {', '.join(sorted(KNOWN_MODELS))}"
        )
    src_url = url or (known.url if known else "")
    expected = (sha256 or (known.sha256 if known else None) or "").lower()
    if expected and (len(expected) != 64 or any(c not in "0123456789abcdef" for c in expected)):
        raise ModelFetchError(f"not a SHA-256 hex digest: {expected!r}")
    target_name = dirname or (known.dirname if known and url is None else _name_from_url(src_url))
    dest = Path(dest_dir).expanduser() if dest_dir is not None else default_model_dir()
    target = dest / target_name

    if is_vosk_model(target) and not force:
        log.info("vosk model already present at %s", target)
        return FetchResult(path=target, downloaded=False)
    if not expected and not allow_unverified:
        raise ModelFetchError(
            f"no pinned SHA-256 for {name}: pass --sha256 HEX (published with the "
            "model) or --allow-unverified to install it unchecked"
        )

    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelFetchError(f"cannot create {dest}: {exc.strerror or exc}") from exc

    archive: Path | None = None
    staging: Path | None = None
    try:
        archive, digest, size = _download(src_url, dest, timeout)
        verified = bool(expected)
        if expected and digest != expected:
            raise ModelFetchError(
                f"checksum mismatch for {src_url}: expected {expected}, got {digest} "
                "(download discarded)"
            )
        staging = Path(tempfile.mkdtemp(prefix=f".{target_name}.", suffix=".partial",
                                        dir=dest))
        model_root = _unpack(archive, staging, src_url)
        _install(model_root, target, force)
        log.info("installed vosk model %s (%d bytes, sha256 %s)", target, size, digest)
        return FetchResult(path=target, downloaded=True, sha256=digest, verified=verified,
                           size=size)
    except OSError as exc:
        raise ModelFetchError(f"cannot write the model to {dest}: "
                              f"{exc.strerror or exc}") from exc
    finally:
        if archive is not None:
            archive.unlink(missing_ok=True)
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def _name_from_url(url: str) -> str:
    stem = PurePosixPath(url.split("?", 1)[0]).name
    stem = stem.removesuffix(".zip")
    if not stem or stem in {".", ".."}:
        raise ModelFetchError(f"cannot tell a model name from {url}: pass a dirname")
    return stem


def _download(url: str, dest: Path, timeout: float) -> tuple[Path, str, int]:
    """Stream `url` into a temp file in `dest`; return (file, sha256 hex, size)."""
    fd, name = tempfile.mkstemp(prefix=".download.", suffix=".zip.part", dir=dest)
    path = Path(name)
    hasher = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    total = int(response.headers.get("Content-Length") or 0)
                    while chunk := response.read(_CHUNK):
                        out.write(chunk)
                        hasher.update(chunk)
                        size += len(chunk)
                    if total and size != total:
                        raise ModelFetchError(
                            f"download of {url} ended early: {size} of {total} bytes"
                        )
            except urllib.error.HTTPError as exc:
                raise ModelFetchError(f"HTTP {exc.code} {exc.reason} for {url}") from exc
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, TimeoutError):
                    raise ModelFetchError(
                        f"connecting to {url} timed out after {timeout:g} s"
                    ) from exc
                raise ModelFetchError(
                    f"cannot reach {url}: {_reason(exc.reason)} (no network? fetch on a "
                    "machine with internet and copy the model directory)"
                ) from exc
            except TimeoutError as exc:
                raise ModelFetchError(f"download of {url} timed out after {timeout:g} s"
                                      ) from exc
            except ConnectionError as exc:
                raise ModelFetchError(f"connection lost while downloading {url}: "
                                      f"{_reason(exc)}") from exc
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, hasher.hexdigest(), size


def _reason(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    text = str(reason)
    return text.splitlines()[0] if text else type(reason).__name__


def _unpack(archive: Path, staging: Path, url: str) -> Path:
    """Unzip into `staging` and return the model's root directory inside it."""
    try:
        with zipfile.ZipFile(archive) as zf:
            for member in zf.namelist():
                parts = PurePosixPath(member).parts
                if member.startswith(("/", "\\")) or ".." in parts or ":" in member:
                    raise ModelFetchError(f"unsafe path {member!r} in the archive from {url}")
            zf.extractall(staging)
    except zipfile.BadZipFile as exc:
        raise ModelFetchError(f"not a zip archive: {url}") from exc
    if is_vosk_model(staging):
        return staging
    entries = [p for p in staging.iterdir() if not p.name.startswith("__MACOSX")]
    if len(entries) == 1 and entries[0].is_dir() and is_vosk_model(entries[0]):
        return entries[0]
    raise ModelFetchError(f"the archive from {url} holds no Vosk model (no am/final.mdl)")


def _install(model_root: Path, target: Path, force: bool) -> None:
    """Move the unpacked model to `target` with renames (same filesystem: atomic)."""
    old: Path | None = None
    if target.exists() or target.is_symlink():
        if not force and is_vosk_model(target):
            return
        old = target.with_name(f".{target.name}.old.{os.getpid()}")
        os.replace(target, old)  # a broken or stale directory is kept until the swap
    try:
        os.replace(model_root, target)
    except OSError:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------------------- CLI


def add_fetch_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `assistant models fetch` (for the lead's CLI subparser)."""
    parser.add_argument("name", nargs="?", default="vosk-en",
                        help=f"model to fetch ({', '.join(sorted(KNOWN_MODELS))})")
    parser.add_argument("--dest", type=Path, default=None,
                        help=f"directory to install into (default: {default_model_dir()})")
    parser.add_argument("--url", default=None, help="download from this URL instead")
    parser.add_argument("--sha256", default=None, help="expected SHA-256 of the archive")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="network timeout in seconds (default 30)")
    parser.add_argument("--allow-unverified", action="store_true",
                        help="install even with no checksum to check against")
    parser.add_argument("--force", action="store_true",
                        help="replace a model that is already installed")


def run_fetch(args: argparse.Namespace) -> int:
    """Run a parsed `models fetch`: one line on stdout (or stderr on error); exit code.

    Options the caller's parser does not define take their defaults, so a CLI may
    offer only `name` and `--dest`.
    """
    name = str(getattr(args, "name", None) or "vosk-en")
    try:
        result = fetch_vosk_model(
            name,
            getattr(args, "dest", None),
            url=getattr(args, "url", None),
            sha256=getattr(args, "sha256", None),
            timeout=float(getattr(args, "timeout", None) or 30.0),
            allow_unverified=bool(getattr(args, "allow_unverified", False)),
            force=bool(getattr(args, "force", False)),
        )
    except ModelFetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if not result.downloaded:
        print(f"{name}: already installed at {result.path}")
    elif result.verified:
        print(f"{name}: installed at {result.path} ({result.size / 1e6:.1f} MB, "
              f"sha256 verified); set speech.vosk_model or VOSK_MODEL_PATH to it")
    else:
        print(f"{name}: installed UNVERIFIED at {result.path} "
              f"({result.size / 1e6:.1f} MB, sha256 {result.sha256}); "
              "set speech.vosk_model or VOSK_MODEL_PATH to it")
    return 0


def main_fetch(args: argparse.Namespace | Sequence[str] | None = None) -> int:
    """`assistant models fetch [NAME] [options]`: exit code, one line of output.

    Takes an already parsed Namespace (from the CLI's own subparser) or an argv list
    to parse here (None: sys.argv[1:]).
    """
    if isinstance(args, argparse.Namespace):
        return run_fetch(args)
    parser = argparse.ArgumentParser(prog="assistant models fetch",
                                     description="Fetch an official Vosk model.")
    add_fetch_arguments(parser)
    return run_fetch(parser.parse_args(args))


if __name__ == "__main__":
    sys.exit(main_fetch())
