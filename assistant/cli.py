"""Command line: `assistant parse`, `assistant check-config` (and, with the daemon, `run`)."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import numpy as np
import numpy.typing as npt

from assistant.errors import AssistantError, ConfigError, InputError
from assistant.memory import return_freed_memory
from assistant.untrusted import text_problem

MAX_IMAGE_PIXELS = 4096 * 4096  # decoded as 3 bytes a pixel: at most 48 MiB

log = logging.getLogger("assistant")
BATCH = 16  # requests per model call in --jsonl mode: fastest per utterance here, and small


def default_config() -> str:
    return os.environ.get("ASSISTANT_CONFIG", "devices.yaml")


# Limits on a request (docs/input-limits.md). Paths are checked by assistant.input_files.
MAX_TEXT_CHARS = 1000  # a spoken command is well under 200 characters
MAX_CAMERA_CHARS = 100  # camera ids are short; longer is no camera of this home
MAX_IMAGE_BYTES = 32 * 2**20
KEYS = ("text", "audio", "camera", "image")
NOTHING_SAID = "nothing said"


def load_image(path: object) -> npt.NDArray[np.uint8]:
    """A BGR frame from an image file, or a one-line InputError.

    Only a regular file of at most MAX_IMAGE_BYTES is read, and nothing over
    MAX_IMAGE_PIXELS is decoded (a 160 KB PNG can claim 144 megapixels): the size is read
    from the header first. Pillow decodes, not OpenCV, whose import alone would cost
    `parse` 14 MiB of its 150 MB."""
    from PIL import Image, ImageOps

    from assistant.input_files import read_regular, shown

    data = read_regular(path, "image", MAX_IMAGE_BYTES)
    Image.MAX_IMAGE_PIXELS = None  # Pillow's own check warns or fails on its limit: ours is below
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise InputError(f"{shown(str(path))}: image over {MAX_IMAGE_PIXELS} pixels")
            # As a camera held it (OpenCV's decoder applies the EXIF orientation too).
            # In place, and converted only when not RGB already: a 4096 x 4096 frame is
            # 48 MiB, and each copy would be another 48.
            ImageOps.exif_transpose(image, in_place=True)
            rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    except InputError:
        raise
    except Exception:  # hostile bytes: Pillow raises many kinds
        raise InputError(f"{shown(str(path))}: not a readable image") from None
    return rgb[:, :, ::-1]  # BGR, as a camera gives frames: a view, not a copy


def _string(obj: dict[str, Any], key: str, *, optional: bool = False) -> str | None:
    """obj[key] if it is a string of valid Unicode (JSON allows lone surrogates such as
    "\\ud800", which no encoder or tokenizer takes), and for text and camera without
    control characters (`untrusted.text_problem`, as on the MQTT command topic); None
    when absent (or null if `optional`); else InputError."""
    value = obj.get(key)
    if value is None and (optional or key not in obj):
        return None
    if not isinstance(value, str):
        kind = "null" if value is None else type(value).__name__
        raise InputError(f"'{key}' must be a string, not {kind}")
    problem = text_problem(value) if key in ("text", "camera") else _unicode_problem(value)
    if problem:
        raise InputError(f"'{key}' holds {problem}")
    return value


def _unicode_problem(value: str) -> str | None:
    """A path may hold control characters (input_files names a NUL), not surrogates."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"an unpaired surrogate U+{ord(value[exc.start]):04X} at {exc.start} (not Unicode)"
    return None


def build_request(obj: Any, brain: Any) -> Any:
    """A request object ({"text"|"audio", "camera"?, "image"?}, from a --jsonl line or
    the command line) -> a checked ParseRequest, or InputError naming the problem.

    Without "camera", audio comes with speech.camera, as the daemon hears it."""
    from assistant.input_files import shown
    from assistant.types import ParseRequest

    if not isinstance(obj, dict):
        raise InputError(f"expected a JSON object, not {type(obj).__name__}")
    unknown = sorted(str(k) for k in set(obj) - set(KEYS))
    if unknown:
        raise InputError(f"unknown key(s) {shown(', '.join(unknown))} "
                         f"(known: {', '.join(KEYS)})")
    text, audio = _string(obj, "text"), _string(obj, "audio")
    camera, image_path = _string(obj, "camera", optional=True), _string(obj, "image",
                                                                         optional=True)
    if (text is None) == (audio is None):
        raise InputError("give 'text' or 'audio' (a WAV path), one of them")
    if text is not None and len(text) > MAX_TEXT_CHARS:
        raise InputError(f"'text' too long ({len(text)} characters, at most "
                         f"{MAX_TEXT_CHARS})")
    if camera is not None and len(camera) > MAX_CAMERA_CHARS:
        raise InputError(f"'camera' too long ({len(camera)} characters)")
    if image_path is not None and camera is None:
        raise InputError("'image' needs the 'camera' it was taken by")
    if audio is not None and camera is None:
        camera = brain.config.speech.camera
    brain.check(ParseRequest(text="", camera=camera))
    image = load_image(image_path) if image_path is not None else None
    if audio is not None:
        heard = transcribe(audio, brain)
        return ParseRequest(text=heard.text, camera=camera, image=image,
                            alternatives=heard.alternatives)
    return ParseRequest(text=text or "", camera=camera, image=image)


_recognizers: dict[int, Any] = {}


def transcribe(path: str, brain: Any) -> Any:
    """A WAV file -> its Transcript (text and alternatives), through the daemon's speech
    path (one recognizer per brain, loaded on first use)."""
    from assistant.audio import wav_utterance
    from assistant.home_speech import home_recognizer
    from assistant.speech import SpeechError

    utt = wav_utterance(path)
    recognizer = _recognizers.get(id(brain))
    if recognizer is None:
        recognizer = _recognizers[id(brain)] = home_recognizer(brain.config)
    try:
        return recognizer.recognize(utt)
    except AssistantError:
        raise
    except Exception as exc:  # the recognizer's C library: one clip must not end a batch
        recognizer.reset()
        raise SpeechError(f"{path}: the recognizer failed on this audio "
                          f"({type(exc).__name__}: {exc})") from exc


def answer(brain: Any, requests: Sequence[Any]) -> list[dict[str, Any]]:
    """The parse result of each request, as JSON objects. Nothing said (empty or blank
    text, or audio heard as nothing) is ignored without asking the model."""
    from assistant.types import ParseResult

    spoken = [r for r in requests if r.text.strip()]
    parsed = iter(brain.parse_batch(spoken) if spoken else [])
    return [next(parsed).to_json() if r.text.strip() else
            ParseResult(r.text, "none", 1.0, (), None, "ignore",
                        reason=NOTHING_SAID).to_json()
            for r in requests]


def _guarded(number: int, exc: BaseException) -> dict[str, str]:
    """The error object of a line whose handling raised what no check foresaw."""
    from assistant.input_files import shown

    log.error("line %d: unexpected %s", number, type(exc).__name__, exc_info=exc)
    return {"error": f"line {number}: internal error ({type(exc).__name__}: "
                     f"{shown(str(exc))})"}


def run_jsonl(brain: Any, stream: BinaryIO, out: TextIO) -> int:
    """Parse a batch: one output line per input line, in input order, whatever the input.

    Requests are parsed BATCH at a time; the batch is also flushed whenever the next line
    is not there yet, so a client sending one request at a time gets its answer at once.
    A line that cannot be served gets {"error": "line N: ..."} and the batch goes on."""
    from assistant.jsonl import LineError, LineReader, TooLong, decode_line

    reader = LineReader(stream)
    pending: list[tuple[int, Any]] = []
    results: dict[int, dict[str, Any]] = {}
    next_out = 1

    def flush() -> None:
        nonlocal next_out
        if pending:
            try:
                parsed = answer(brain, [r for _, r in pending])
            except Exception as exc:  # the batch failed: each request alone, guarded
                log.warning("a batch of %d failed (%s): one at a time", len(pending), exc)
                parsed = []
                for number, request in pending:
                    try:
                        parsed += answer(brain, [request])
                    except Exception as one:  # last resort: this line's error object
                        parsed.append(_guarded(number, one))
            for (number, _), result in zip(pending, parsed, strict=True):
                results[number] = result
            pending.clear()
        while next_out in results:
            out.write(json.dumps(results.pop(next_out)) + "\n")
            next_out += 1
        out.flush()

    for number, line in enumerate(reader, start=1):
        try:
            if isinstance(line, TooLong):
                raise LineError(f"line too long ({line.length} bytes, at most "
                                f"{reader.max_bytes})")
            if not line.strip():
                raise LineError("empty line")
            pending.append((number, build_request(decode_line(line), brain)))
        except (LineError, AssistantError) as exc:
            results[number] = {"error": f"line {number}: {exc}"}
        except Exception as exc:  # last resort: one line never stops the batch
            results[number] = _guarded(number, exc)
        if len(pending) >= BATCH or not reader.ready():
            flush()
    flush()
    return 0


def cmd_parse(args: argparse.Namespace) -> int:
    from assistant.pipeline import Brain

    brain = Brain.load(args.config, args.model, threads=args.threads)
    if args.jsonl:
        if args.text or args.audio or args.image or args.camera:
            raise InputError("--jsonl reads every request from stdin: give no TEXT, "
                             "--audio, --image or --camera")
        return run_jsonl(brain, sys.stdin.buffer, sys.stdout)
    if args.audio and args.text:
        raise InputError("give TEXT or --audio, not both")
    if not args.text and not args.audio:
        raise InputError("give the TEXT to parse, --audio PATH.wav, or --jsonl")
    obj: dict[str, Any] = {"camera": args.camera, "image": args.image}
    obj.update({"audio": args.audio} if args.audio else {"text": " ".join(args.text)})
    (result,) = answer(brain, [build_request(obj, brain)])
    print(json.dumps(result))
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from assistant.explain import run_explain

    return run_explain(args.config, " ".join(args.text), camera=args.camera,
                       image=args.image, out=args.out, model_path=args.model)


def cmd_check_config(args: argparse.Namespace) -> int:
    from assistant.config import load_config

    try:
        config = load_config(args.path or args.config)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    print(f"{args.path or args.config}: OK: {len(config.rooms)} rooms, "
          f"{len(config.devices)} devices, {len(config.cameras)} cameras")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from assistant.config import load_config
    from assistant.daemon import Daemon, DaemonOptions, camera_overrides
    from assistant.home_speech import home_recognizer
    from assistant.pipeline import Brain

    config = load_config(args.config)
    if args.mqtt_host is not None or args.mqtt_port is not None:  # overrides devices.yaml
        mqtt = config.mqtt.model_copy(update={
            "host": args.mqtt_host or config.mqtt.host,
            "port": args.mqtt_port or config.mqtt.port})
        config = config.model_copy(update={"mqtt": mqtt})
    try:
        cameras = camera_overrides(args.camera_source or [])
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    brain = Brain.load(args.config, args.model)
    options = DaemonOptions(audio=tuple(args.audio or ["mic" if config.speech.microphone is None
                                                       else f"mic:{config.speech.microphone}"]),
                            realtime=not args.fast, exit_when_done=args.exit_when_done,
                            camera_sources=cameras)
    return Daemon(config, brain, home_recognizer(config), options=options).run()


def cmd_models(args: argparse.Namespace) -> int:
    from assistant.model_fetch import main_fetch

    code: int = main_fetch(args)
    return code


def cmd_demo(args: argparse.Namespace) -> int:
    from assistant.demo import run_demo

    return run_demo(Path(args.config), Path(args.samples))


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (1-65535)")
    return port


def _host(text: str) -> str:
    if not text or text != text.strip() or any(c.isspace() or not c.isprintable() for c in text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a host name or address")
    return text


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    from assistant import __version__

    try:
        return installed("milm-assistant")
    except PackageNotFoundError:  # run from a source tree that is not installed
        return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    parser.add_argument("--config", default=default_config(),
                        help="devices.yaml (default: $ASSISTANT_CONFIG or ./devices.yaml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="more detail in logs")
    sub = parser.add_subparsers(dest="command", required=True)

    parse = sub.add_parser("parse", help="understand one utterance or a JSONL batch")
    parse.add_argument("text", nargs="*", help="the utterance")
    parse.add_argument("--camera", help="camera id the utterance came with")
    parse.add_argument("--image", help="a frame of that camera (image file)")
    parse.add_argument("--audio", help="a WAV file instead of text")
    parse.add_argument("--jsonl", action="store_true",
                       help='stdin: one {"text"|"audio", "camera"?, "image"?} per line')
    parse.add_argument("--model", help="ONNX model (default: config, else the shipped one)")
    parse.add_argument("--threads", type=int, default=None, help="ONNX Runtime threads")
    parse.set_defaults(func=cmd_parse)

    run = sub.add_parser("run", help="the daemon: listen, watch, act over MQTT")
    run.add_argument("--audio", action="append",
                     help="audio source: mic, mic:DEVICE or a WAV file (repeatable)")
    run.add_argument("--camera-source", action="append", metavar="CAMERA=SOURCE",
                     help="override a camera's source (a video file, an index, a URL)")
    run.add_argument("--model", help="ONNX model (default: config, else the shipped one)")
    run.add_argument("--fast", action="store_true",
                     help="feed WAV files as fast as possible, not in real time")
    run.add_argument("--exit-when-done", action="store_true",
                     help="stop once every audio source has ended (WAV files)")
    run.add_argument("--mqtt-host", type=_host, metavar="HOST",
                     help="MQTT broker host (overrides mqtt.host of devices.yaml)")
    run.add_argument("--mqtt-port", type=_port, metavar="PORT",
                     help="MQTT broker port (overrides mqtt.port of devices.yaml)")
    run.set_defaults(func=cmd_run)

    models = sub.add_parser("models", help="speech models")
    models_sub = models.add_subparsers(dest="models_command", required=True)
    fetch = models_sub.add_parser("fetch", help="download an official model (needs internet)")
    from assistant.model_fetch import add_fetch_arguments

    add_fetch_arguments(fetch)  # every option its messages name (--sha256, --allow-unverified)
    models.set_defaults(func=cmd_models)

    demo = sub.add_parser("demo", help="the whole pipeline on bundled samples")
    demo.add_argument("--samples", default=str(Path(__file__).resolve().parent.parent
                                               / "samples"), help="samples directory")
    demo.set_defaults(func=cmd_demo)

    explain = sub.add_parser("explain", help="draw what the model looked at in a frame "
                             "(zones, grounding, attention) and say why it decided")
    explain.add_argument("text", nargs="+", help="the utterance")
    explain.add_argument("--camera", required=True, help="camera id the frame is from")
    explain.add_argument("--image", required=True, help="a frame of that camera (image file)")
    explain.add_argument("--out", required=True, help="the PNG to write")
    explain.add_argument("--model", help="ONNX model (default: config, else the shipped one)")
    explain.set_defaults(func=cmd_explain)

    capture = sub.add_parser("capture", help="save labelled camera frames for fine-tuning")
    from assistant.capture_cli import add_capture_arguments, cmd_capture

    add_capture_arguments(capture)
    capture.set_defaults(func=cmd_capture)

    check = sub.add_parser("check-config", help="validate devices.yaml")
    check.add_argument("path", nargs="?", help="file to check (default: --config)")
    check.set_defaults(func=cmd_check_config)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return_freed_memory()  # see assistant.memory: peak RSS with frames 150 -> 142 MiB
    daemon = args.command == "run"
    # journald adds timestamps; the daemon logs INFO, one-shot commands only problems.
    logging.basicConfig(level=logging.DEBUG if args.verbose else
                        logging.INFO if daemon else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        code: int = args.func(args)
        return code
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # whoever read the output went away: nothing left to tell
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
