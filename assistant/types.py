"""Typed values passed between the stages. Every arrow of the data flow is one of these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Frame:
    """The newest picture of one camera."""

    camera_id: str
    image: npt.NDArray[np.uint8]  # (H, W, 3) BGR, as OpenCV delivers it
    captured_at: float  # time.monotonic() when read
    seq: int  # frames read from this camera so far


@dataclass(frozen=True)
class Utterance:
    """One endpointed stretch of speech: 16 kHz mono int16."""

    audio: npt.NDArray[np.int16]
    sample_rate: int
    source: str  # e.g. "mic", a WAV path, "text"
    started_at: float  # monotonic seconds
    ended_at: float  # monotonic seconds when endpointing closed the utterance


@dataclass(frozen=True)
class Alternative:
    """One reading of an utterance from a recognizer's n-best list."""

    text: str
    confidence: float  # 0..1, normalised over the list


@dataclass(frozen=True)
class Transcript:
    """What a recognizer heard."""

    text: str
    recognizer: str  # "vosk", "pocketsphinx", "text"
    confidence: float | None = None  # of `text`, 0..1 (None: the recognizer gives none)
    source: str = ""
    ended_at: float = 0.0  # monotonic end of speech, for latency accounting
    alternatives: tuple[Alternative, ...] = ()  # n-best readings, `text` first; may be empty


@dataclass(frozen=True)
class Command:
    """One MQTT message that carries out an action. Always QoS 1, never retained."""

    topic: str
    payload: str
    device_id: str = ""
    intent: str = ""  # the action this message carries out (one utterance may hold several)

    def to_json(self) -> dict[str, str]:
        return {"topic": self.topic, "payload": self.payload, "intent": self.intent,
                "device": self.device_id}


@dataclass(frozen=True)
class ParseRequest:
    """Text (or a transcript) with the camera it came with and an optional frame."""

    text: str
    camera: str | None = None
    image: npt.NDArray[np.uint8] | None = None  # (H, W, 3) BGR
    # A recognizer's readings of the utterance, best first (`text` is the best one): the
    # brain parses them all and chooses (assistant/alternatives.py). Empty for typed text.
    alternatives: tuple[Alternative, ...] = ()


@dataclass(frozen=True)
class ParseResult:
    """The brain's answer, as the `assistant parse` contract prints it."""

    text: str
    intent: str
    confidence: float
    targets: tuple[str, ...]
    value: int | float | str | None
    decision: str  # act | confirm | clarify | ignore
    commands: tuple[Command, ...] = ()
    held: tuple[Command, ...] = ()  # for confirm: what is sent once the user says yes
    reason: str = ""  # why this decision, for logs and clarification prompts
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "intent": self.intent,
            "confidence": round(self.confidence, 4),
            "targets": list(self.targets),
            "value": self.value,
            "decision": self.decision,
            "commands": [c.to_json() for c in self.commands],
            "reason": self.reason,
        }
