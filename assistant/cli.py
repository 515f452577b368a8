"""Command line: `assistant parse`, `assistant check-config` (and, with the daemon, `run`)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import numpy.typing as npt

from assistant.errors import AssistantError, ConfigError, InputError

log = logging.getLogger("assistant")
BATCH = 16  # requests per model call in --jsonl mode: fastest per utterance here, and small


def default_config() -> str:
    return os.environ.get("ASSISTANT_CONFIG", "devices.yaml")


def load_image(path: str) -> npt.NDArray[np.uint8]:
    """A BGR frame from an image file, or a one-line InputError."""
    import cv2

    if not Path(path).is_file():
        raise InputError(f"{path}: image not found")
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        raise InputError(f"{path}: not a readable image")
    return np.asarray(image, dtype=np.uint8)


def _request(obj: Any, brain: Any) -> Any:
    """One --jsonl line (already JSON-decoded) -> ParseRequest, or InputError."""
    from assistant.types import ParseRequest

    if not isinstance(obj, dict):
        raise InputError("expected a JSON object")
    unknown = set(obj) - {"text", "audio", "camera", "image"}
    if unknown:
        raise InputError(f"unknown key(s) {', '.join(sorted(unknown))}")
    heard = None
    if "audio" in obj:
        if not isinstance(obj["audio"], str):
            raise InputError("'audio' must be a WAV path")
        heard = transcribe(obj["audio"], brain)
        obj = {**obj, "text": heard.text}
    text = obj.get("text")
    if not isinstance(text, str) or (heard is None and not text.strip()):
        raise InputError("'text' must be a non-empty string")
    camera = obj.get("camera")
    if camera is not None and not isinstance(camera, str):
        raise InputError("'camera' must be a string")
    image = load_image(obj["image"]) if obj.get("image") else None
    request = ParseRequest(text=text, camera=camera, image=image,
                           alternatives=heard.alternatives if heard is not None else ())
    brain.check(request)
    return request


_recognizers: dict[int, Any] = {}


def transcribe(path: str, brain: Any) -> Any:
    """A WAV file -> its Transcript (text and alternatives), through the daemon's speech
    path (one recognizer per brain, loaded on first use)."""
    from assistant.audio import wav_utterance
    from assistant.daemon import home_recognizer

    utt = wav_utterance(path)
    recognizer = _recognizers.get(id(brain))
    if recognizer is None:
        recognizer = _recognizers[id(brain)] = home_recognizer(brain.config)
    return recognizer.recognize(utt)


def run_jsonl(brain: Any, lines: Iterable[str], out: TextIO) -> int:
    """Parse a batch, one output line per input line, in order; bad lines get an error."""
    pending: list[tuple[int, Any]] = []
    results: dict[int, dict[str, Any]] = {}
    next_out = 0

    def flush() -> None:
        nonlocal next_out
        if pending:
            parsed = brain.parse_batch([r for _, r in pending])
            for (index, _), result in zip(pending, parsed, strict=True):
                results[index] = result.to_json()
            pending.clear()
        while next_out in results:
            out.write(json.dumps(results.pop(next_out)) + "\n")
            next_out += 1
        out.flush()

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            results[number - 1] = {"error": f"line {number}: empty line"}
            continue
        try:
            pending.append((number - 1, _request(json.loads(line), brain)))
        except json.JSONDecodeError as exc:
            results[number - 1] = {"error": f"line {number}: invalid JSON: {exc.msg}"}
        except AssistantError as exc:
            results[number - 1] = {"error": f"line {number}: {exc}"}
        if len(pending) >= BATCH:
            flush()
    flush()
    return 0


def cmd_parse(args: argparse.Namespace) -> int:
    from assistant.pipeline import Brain

    brain = Brain.load(args.config, args.model, threads=args.threads)
    if args.jsonl:
        return run_jsonl(brain, sys.stdin, sys.stdout)
    if args.audio and args.text:
        raise InputError("give TEXT or --audio, not both")
    if not args.text and not args.audio:
        raise InputError("give the TEXT to parse, --audio PATH.wav, or --jsonl")
    image = load_image(args.image) if args.image else None
    from assistant.types import ParseRequest

    brain.check(ParseRequest(text="", camera=args.camera))
    if args.audio:
        heard = transcribe(args.audio, brain)
        request = ParseRequest(text=heard.text, camera=args.camera, image=image,
                               alternatives=heard.alternatives)
    else:
        request = ParseRequest(text=" ".join(args.text), camera=args.camera, image=image)
    result = brain.parse_batch([request])[0]
    print(json.dumps(result.to_json()))
    return 0


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
    from assistant.daemon import Daemon, DaemonOptions, camera_overrides, home_recognizer
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

    check = sub.add_parser("check-config", help="validate devices.yaml")
    check.add_argument("path", nargs="?", help="file to check (default: --config)")
    check.set_defaults(func=cmd_check_config)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
