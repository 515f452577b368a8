"""The brain: text (+ the camera and its frame) -> intent, devices, decision, MQTT commands.

The same object serves `assistant parse` and the daemon, so both run one pipeline.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from assistant.alternatives import choose
from assistant.commands import RenderError, render
from assistant.config import HomeConfig, load_config
from assistant.decode import (
    TaggedSpan,
    find_number,
    number_phrase,
    parse_color,
    parse_number,
    spans_from_tags,
)
from assistant.errors import InputError
from assistant.labels import INTENTS, VALUE_KIND
from assistant.model import MilmModel, ModelOutput
from assistant.policy import decide
from assistant.resolve import Resolver, Scene
from assistant.types import Command, ParseRequest, ParseResult

log = logging.getLogger(__name__)
_NONE = INTENTS.index("none")


class Brain:
    """Model + resolver + policy + renderer for one home."""

    def __init__(self, config: HomeConfig, model: MilmModel) -> None:
        self.config = config
        self.model = model
        self.resolver = Resolver(config)

    @classmethod
    def load(cls, config_path: str | Path, model_path: str | Path | None = None,
             threads: int | None = None, providers: str | None = None) -> Brain:
        config = load_config(config_path)
        settings = config.model
        path = model_path or settings.path
        model = MilmModel(Path(path) if path else None,
                          providers=providers or settings.providers,
                          threads=threads or settings.threads)
        return cls(config, model)

    def check(self, request: ParseRequest) -> None:
        """Reject what cannot be served before any work is done."""
        if request.camera is not None and request.camera not in self.config.cameras:
            known = ", ".join(self.config.cameras) or "none configured"
            raise InputError(f"unknown camera {request.camera!r} (known: {known})")

    def parse(self, text: str, camera: str | None = None,
              image: npt.NDArray[np.uint8] | None = None) -> ParseResult:
        return self.parse_batch([ParseRequest(text=text, camera=camera, image=image)])[0]

    def parse_batch(self, requests: Sequence[ParseRequest]) -> list[ParseResult]:
        """One model call for the whole batch; results in input order. A request with a
        recognizer's alternatives has each of them parsed (in the same call) and the brain
        chooses among them (`assistant.alternatives`)."""
        for request in requests:
            self.check(request)
        readings = [r for request in requests for r in _readings(request)]
        parsed = self._parse_readings(readings)
        results: list[ParseResult] = []
        at = 0
        for request in requests:
            if not request.alternatives:
                results.append(parsed[at])
                at += 1
                continue
            n = len(request.alternatives)
            results.append(choose(request.alternatives, parsed[at:at + n], self.config.policy))
            at += n
        return results

    def _parse_readings(self, requests: Sequence[ParseRequest]) -> list[ParseResult]:
        started = time.perf_counter()
        outputs = self.model.infer([r.text for r in requests], [r.image for r in requests])
        model_ms = (time.perf_counter() - started) * 1000 / max(1, len(requests))
        results = []
        for request, output in zip(requests, outputs, strict=True):
            t0 = time.perf_counter()
            result = self._interpret(request, output)
            timings = {"model_ms": round(model_ms, 3),
                       "resolve_ms": round((time.perf_counter() - t0) * 1000, 3)}
            results.append(ParseResult(**{**result.__dict__, "timings_ms": timings}))
        return results

    def _interpret(self, request: ParseRequest, out: ModelOutput) -> ParseResult:
        text = request.text
        intent, confidence = out.intent, out.confidence
        p_none = float(out.intent_probs[_NONE])
        if intent == "none" or p_none >= self.config.policy.ignore_threshold:
            return ParseResult(text, "none", p_none, (), None, "ignore",
                               reason=f"not a command (p_none {p_none:.2f})")
        spans = spans_from_tags(text, out.tags, out.offsets)
        camera = self.config.cameras.get(request.camera) if request.camera else None
        scene = Scene(camera=camera, grounding=out.grounding if out.image_present else None,
                      grid=self.model.image.grid,
                      threshold=self.config.policy.grounding_threshold)
        resolution = self.resolver.resolve(intent, text, spans, scene)
        own = resolution.intents[0] if resolution.intents else intent
        value = extract_value(own, text, spans)
        verdict = decide(self.config.policy, self.config, intent, confidence=confidence,
                         p_none=p_none, resolution=resolution, value=value)
        commands: tuple[Command, ...] = ()
        targets = resolution.targets if verdict.decision in ("act", "confirm") else ()
        if verdict.decision in ("act", "confirm"):
            try:
                commands = tuple(render(t, self.config.devices[t], i, value)
                                 for t, i in zip(resolution.targets, resolution.intents,
                                                 strict=True))
            except RenderError as exc:
                log.warning("%s", exc)
                return ParseResult(text, own, confidence, (), value, "clarify", reason=str(exc))
        if verdict.decision == "confirm":  # nothing is sent until the user says yes
            return ParseResult(text, own, confidence, targets, value, "confirm",
                               held=commands, reason=verdict.reason)
        return ParseResult(text, own, confidence, targets, value, verdict.decision, commands,
                           reason=verdict.reason)


def _readings(request: ParseRequest) -> list[ParseRequest]:
    """The texts to parse for one request: its text, or each of its alternatives."""
    if not request.alternatives:
        return [request]
    return [ParseRequest(text=alt.text, camera=request.camera, image=request.image)
            for alt in request.alternatives]


def extract_value(intent: str, text: str, spans: Sequence[TaggedSpan]
                  ) -> int | float | str | None:
    """The value the intent takes, from its tagged span or, failing that, the text."""
    kind = VALUE_KIND.get(intent)
    if kind is None:
        return None
    if kind == "color":
        for span in spans:
            if span.kind == "COLOR":
                color = parse_color(span.text)
                if color:
                    return color
        return parse_color(text)
    number = None
    for span in spans:
        if span.kind == "NUM":
            # The span from its start to the end of the number phrase: "19" of "19.5",
            # "nineteen" of "nineteen and a half" when the tagger stopped early.
            number = parse_number(number_phrase(text, span.start) or span.text)
            if number is not None:
                break
    if number is None:
        number = find_number(text)
    if number is None:
        return None
    if kind == "percent":
        return round(min(100.0, max(0.0, number)))
    return int(number) if float(number).is_integer() else round(number, 1)
