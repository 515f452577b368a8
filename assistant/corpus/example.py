"""One labelled training utterance: what the generator produces and the trainer consumes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """A tagged character span of `Example.text`; kind is one of labels.SPAN_KINDS."""

    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class Example:
    """A generated utterance with everything the model and the evaluation need."""

    text: str
    intent: str  # one of labels.INTENTS
    spans: tuple[Span, ...] = ()
    targets: tuple[str, ...] = ()  # device ids of the home it was generated for
    value: int | float | str | None = None
    home_id: str = ""  # which generated home (or "reference")
    # The camera scene: room the speaker is in (None = no camera), and for pointing
    # commands ("turn that off") the device the speaker stands at.
    camera_room: str | None = None
    pointed_device: str | None = None
    tags: frozenset[str] = field(default_factory=frozenset)  # e.g. {"asr_noise", "negative"}
