"""Audio sources and endpointing on WAV files and synthetic signals made in tmp_path.

The microphone is the one fake: there is no sound card here, so a stream object is
injected through MicrophoneSource's factory and its callback is driven by the test.
"""

from __future__ import annotations

import struct
import threading
import time
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pytest

from assistant.audio import (
    SAMPLE_RATE,
    AudioChunk,
    AudioError,
    MicrophoneSource,
    TextSource,
    WavFileSource,
    open_audio_source,
    read_wav,
    sounddevice_stream,
)
from assistant.endpoint import EndpointConfig, Endpointer, VadName, level_dbfs
from assistant.types import Utterance

Floats = npt.NDArray[np.float64]
RNG = np.random.default_rng(7)


# ------------------------------------------------------------------ signal and file helpers


def voice(seconds: float, level_dbfs: float = -20.0, rate: int = SAMPLE_RATE) -> Floats:
    """Speech-like: a 120-160 Hz harmonic series, amplitude-modulated at a syllable rate.

    The envelope never reaches zero, so speech ends exactly where the signal does."""
    t = np.arange(round(seconds * rate)) / rate
    f0 = 140 + 20 * np.sin(2 * np.pi * 1.3 * t)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    tone = sum(np.sin(k * phase) / k for k in range(1, 20))
    signal = tone * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t))
    return np.asarray(signal / np.sqrt(np.mean(signal**2)) * 10 ** (level_dbfs / 20), np.float64)


def hiss(seconds: float, level_dbfs: float = -60.0, rate: int = SAMPLE_RATE) -> Floats:
    return np.asarray(RNG.standard_normal(round(seconds * rate)) * 10 ** (level_dbfs / 20))


def silence(seconds: float, rate: int = SAMPLE_RATE) -> Floats:
    return np.zeros(round(seconds * rate))


def pcm16(signal: Floats) -> npt.NDArray[np.int16]:
    return np.clip(np.round(signal * 32768), -32768, 32767).astype(np.int16)


def wav_bytes(
    signal: Floats,  # (frames,) or (frames, channels), floats in [-1, 1]
    rate: int,
    bits: int = 16,
    *,
    encoding: str = "pcm",
    extensible: bool = False,
) -> bytes:
    """A WAV file as recorders write it: PCM 8/16/24/32 or float 32, optionally EXTENSIBLE."""
    frames = signal[:, None] if signal.ndim == 1 else signal  # (frames, channels)
    channels = frames.shape[1]
    flat = frames.reshape(-1)
    if encoding == "float":
        raw = flat.astype("<f4").tobytes()
        tag = 3
    elif bits == 8:
        raw = np.clip(np.round(flat * 128 + 128), 0, 255).astype(np.uint8).tobytes()
        tag = 1
    else:
        top = 2 ** (bits - 1)
        ints = np.clip(np.round(flat * top), -top, top - 1).astype(np.int64)
        if bits == 24:
            raw = ints.astype("<i4").view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
        else:
            raw = ints.astype(f"<i{bits // 8}").tobytes()
        tag = 1
    block = channels * bits // 8
    if extensible:
        guid = struct.pack("<H", tag) + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
        fmt = struct.pack("<HHIIHHHHI", 0xFFFE, channels, rate, rate * block, block, bits, 22,
                          bits, 0) + guid  # fmt: skip
    else:
        fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"LIST" + struct.pack("<I", 5) + b"INFOx\x00"  # odd-sized chunk: padded
    body += b"data" + struct.pack("<I", len(raw)) + raw
    return b"RIFF" + struct.pack("<I", len(body)) + body


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def dominant_hz(samples: npt.NDArray[Any], rate: int = SAMPLE_RATE) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * rate / len(samples))


# ------------------------------------------------------------------ WAV reading


def test_44k_stereo_24bit_becomes_16k_mono(tmp_path: Path) -> None:
    rate = 44_100
    t = np.arange(rate) / rate  # 1 s
    left = 0.5 * np.sin(2 * np.pi * 440 * t)
    stereo = np.stack([left, left], axis=1)  # (frames, 2)
    path = write(tmp_path / "a.wav", wav_bytes(stereo, rate, 24))
    samples = read_wav(path)
    assert samples.dtype == np.int16
    assert samples.ndim == 1
    assert len(samples) == SAMPLE_RATE  # 1 s
    assert dominant_hz(samples) == pytest.approx(440, abs=2)
    middle = samples[1000:-1000].astype(np.float64) / 32768
    assert np.sqrt(np.mean(middle**2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.01)


def test_channels_are_averaged(tmp_path: Path) -> None:
    tone = 0.4 * np.sin(2 * np.pi * 300 * np.arange(1600) / SAMPLE_RATE)
    stereo = np.stack([tone, np.zeros_like(tone)], axis=1)
    samples = read_wav(write(tmp_path / "a.wav", wav_bytes(stereo, SAMPLE_RATE)))
    assert np.max(np.abs(samples.astype(np.int32) - pcm16(tone / 2))) <= 1


def test_16k_mono_16bit_is_read_exactly(tmp_path: Path) -> None:
    signal = RNG.uniform(-1, 1, 4000)
    expected = pcm16(signal)
    samples = read_wav(write(tmp_path / "a.wav", wav_bytes(expected / 32768.0, SAMPLE_RATE)))
    np.testing.assert_array_equal(samples, expected)


@pytest.mark.parametrize(
    ("bits", "encoding", "extensible", "tolerance"),
    [
        (8, "pcm", False, 300),  # 8 bits: quantisation step of 256 in int16 units
        (16, "pcm", False, 1),
        (24, "pcm", False, 1),
        (24, "pcm", True, 1),  # what sox writes for 24-bit
        (32, "pcm", False, 1),
        (32, "float", False, 1),
        (32, "float", True, 1),
    ],
)
def test_sample_formats(
    tmp_path: Path, bits: int, encoding: str, extensible: bool, tolerance: int
) -> None:
    signal = 0.7 * np.sin(2 * np.pi * 500 * np.arange(3200) / SAMPLE_RATE)
    path = write(tmp_path / "a.wav", wav_bytes(signal, SAMPLE_RATE, bits, encoding=encoding,
                                               extensible=extensible))  # fmt: skip
    samples = read_wav(path)
    assert np.max(np.abs(samples.astype(np.int32) - pcm16(signal))) <= tolerance


def test_48k_is_resampled(tmp_path: Path) -> None:
    signal = 0.3 * np.sin(2 * np.pi * 1000 * np.arange(24_000) / 48_000)  # 0.5 s
    samples = read_wav(write(tmp_path / "a.wav", wav_bytes(signal, 48_000)))
    assert len(samples) == 8000
    assert dominant_hz(samples) == pytest.approx(1000, abs=3)


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    good = wav_bytes(0.1 * np.ones(1600), SAMPLE_RATE)
    mulaw = bytearray(good)
    mulaw[20:22] = struct.pack("<H", 7)
    return {
        "text": (write(tmp_path / "notes.wav", b"turn on the light\n" * 5), "not a WAV file"),
        "truncated": (write(tmp_path / "cut.wav", good[: len(good) - 1000]), "truncated"),
        "header only": (write(tmp_path / "head.wav", good[:30]), "truncated"),
        "mu-law": (write(tmp_path / "mulaw.wav", bytes(mulaw)), "unsupported WAV encoding mu-law"),
        "empty": (write(tmp_path / "empty.wav", wav_bytes(np.zeros(0), SAMPLE_RATE)), "no audio"),
        "missing": (tmp_path / "nowhere.wav", "WAV file not found"),
    }


@pytest.mark.parametrize("case", ["text", "truncated", "header only", "mu-law", "empty", "missing"])
def test_bad_files_give_a_one_line_error(tmp_path: Path, case: str) -> None:
    path, problem = _bad_files(tmp_path)[case]
    with pytest.raises(AudioError) as error:
        WavFileSource(path)
    message = str(error.value)
    assert "\n" not in message
    assert str(path) in message
    assert problem in message


# ------------------------------------------------------------------ sources


def test_wav_source_yields_30ms_chunks_on_a_sample_clock(tmp_path: Path) -> None:
    path = write(tmp_path / "a.wav", wav_bytes(hiss(0.1, -30), SAMPLE_RATE))
    source = WavFileSource(path)
    chunks = list(source)
    assert [len(c.samples) for c in chunks] == [480, 480, 480, 160]
    steps = np.diff([c.end_time for c in chunks])
    np.testing.assert_allclose(steps, [0.03, 0.03, 0.01], atol=1e-9)
    np.testing.assert_array_equal(np.concatenate([c.samples for c in chunks]), source.samples)


def test_wav_source_in_real_time_is_paced_and_closable(tmp_path: Path) -> None:
    path = write(tmp_path / "a.wav", wav_bytes(hiss(0.3, -30), SAMPLE_RATE))
    t0 = time.monotonic()
    assert sum(len(c.samples) for c in WavFileSource(path, realtime=True)) == 4800
    assert time.monotonic() - t0 >= 0.27
    source = WavFileSource(path, realtime=True)
    got = []
    for chunk in source:
        got.append(chunk)
        source.close()
    assert len(got) == 1


def test_text_source_yields_stripped_lines() -> None:
    assert list(TextSource(["  lights on \n", "", "   ", "stop"])) == ["lights on", "stop"]


def test_factory_picks_mic_or_file(tmp_path: Path) -> None:
    path = write(tmp_path / "a.wav", wav_bytes(hiss(0.05), SAMPLE_RATE))
    assert isinstance(open_audio_source(str(path)), WavFileSource)
    mic = open_audio_source("mic")
    assert isinstance(mic, MicrophoneSource)
    assert mic.device is None
    mic2 = open_audio_source("mic:2")
    assert isinstance(mic2, MicrophoneSource)
    assert mic2.device == 2
    mic3 = open_audio_source("mic:USB Audio")
    assert isinstance(mic3, MicrophoneSource)
    assert mic3.device == "USB Audio"


class FakeStream:
    """Stands in for sounddevice.RawInputStream: records its settings and the callback."""

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.callback = kwargs["callback"]
        self.started = self.stopped = self.closed = False

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        self.stopped = True

    def close(self) -> None:
        self.closed = True

    def push(self, block: npt.NDArray[np.int16], status: int = 0) -> None:
        """What PortAudio's thread does: hand over a buffer."""
        self.callback(memoryview(block.tobytes()), len(block), None, status)


def fake_mic(**options: Any) -> tuple[MicrophoneSource, list[FakeStream]]:
    streams: list[FakeStream] = []

    def factory(**kwargs: Any) -> FakeStream:
        streams.append(FakeStream(**kwargs))
        return streams[-1]

    return MicrophoneSource(stream_factory=factory, **options), streams


def test_mic_callback_never_blocks_and_counts_drops() -> None:
    mic, streams = fake_mic(queue_chunks=5, stall_s=1.0)
    mic.open()
    stream = streams[0]
    assert stream.started
    assert stream.kwargs["samplerate"] == 16_000
    assert stream.kwargs["channels"] == 1
    assert stream.kwargs["dtype"] == "int16"
    assert stream.kwargs["blocksize"] == 480
    t0 = time.perf_counter()
    for i in range(20):  # nobody is reading: the queue (5 blocks) overflows
        stream.push(np.full(480, i, np.int16), status=1 if i == 3 else 0)
    elapsed = time.perf_counter() - t0
    assert elapsed < 0.05  # 20 callbacks; a blocking put would hang here forever
    assert mic.dropped == 15
    assert mic.status_flags == 1
    received = []
    for chunk in mic:
        received.append(int(chunk.samples[0]))
        assert len(chunk.samples) == 480
        if len(received) == 5:
            break
    assert received == [15, 16, 17, 18, 19]  # the oldest were dropped
    mic.close()
    assert stream.stopped
    assert stream.closed


def test_mic_delivers_everything_when_the_reader_keeps_up() -> None:
    mic, streams = fake_mic(queue_chunks=64)
    mic.open()

    def portaudio_thread() -> None:
        for i in range(40):
            streams[0].push(np.full(480, i, np.int16))
            time.sleep(0.001)

    feeder = threading.Thread(target=portaudio_thread)
    feeder.start()
    seen = []
    for chunk in mic:
        seen.append(int(chunk.samples[0]))
        if len(seen) == 40:
            break
    feeder.join()
    mic.close()
    assert seen == list(range(40))
    assert mic.dropped == 0


def test_mic_at_48k_stereo_is_converted_to_16k_mono() -> None:
    mic, streams = fake_mic(samplerate=48_000, channels=2)
    mic.open()
    assert streams[0].kwargs["samplerate"] == 48_000
    assert streams[0].kwargs["blocksize"] == 1440
    t = np.arange(33 * 1440) / 48_000  # 33 blocks of 30 ms
    left = 0.4 * np.sin(2 * np.pi * 1000 * t)
    interleaved = pcm16(np.stack([left, left], axis=1).reshape(-1))  # L R L R ...
    for start in range(0, len(interleaved), 2880):
        streams[0].push(interleaved[start : start + 2880])
    out = []
    for chunk in mic:
        out.append(chunk.samples)
        if len(out) == 33:
            break
    mic.close()
    samples = np.concatenate(out)
    assert {len(c) for c in out} == {480}
    assert dominant_hz(samples) == pytest.approx(1000, abs=35)
    steady = samples[200:].astype(np.float64) / 32768  # after the filter's start-up
    assert np.sqrt(np.mean(steady**2)) == pytest.approx(0.4 / np.sqrt(2), rel=0.03)
    # No click at chunk edges: the waveform is as smooth across them as within them.
    assert np.max(np.abs(np.diff(samples[200:].astype(np.int32)))) < 0.4 * 32768 * 0.45


def test_mic_that_stops_delivering_raises() -> None:
    mic, _ = fake_mic(stall_s=0.15)
    t0 = time.monotonic()
    with pytest.raises(AudioError, match="no audio for"):
        next(iter(mic))
    assert time.monotonic() - t0 < 5  # raised, not hung; wide for a loaded machine
    mic.close()


def test_real_sounddevice_with_no_such_device_is_an_audio_error() -> None:
    with pytest.raises(AudioError, match="microphone"):
        sounddevice_stream(device=4242, samplerate=16_000, channels=1, dtype="int16",
                           blocksize=480, callback=lambda *a: None)  # fmt: skip


# ------------------------------------------------------------------ endpointing


def run(
    signal: Floats, config: EndpointConfig | None = None, chunk: int = 480
) -> tuple[list[Utterance], Endpointer]:
    """Feed a signal in chunks with a sample clock starting at 0."""
    endpointer = Endpointer(config, source="test")
    samples = pcm16(signal)
    utterances: list[Utterance] = []
    for start in range(0, len(samples), chunk):
        block = samples[start : start + chunk]
        utterances += endpointer.feed(block, end_time=(start + len(block)) / SAMPLE_RATE)
    utterances += endpointer.flush()
    return utterances, endpointer


@pytest.fixture(params=["energy", "webrtc"])
def vad(request: pytest.FixtureRequest) -> VadName:
    """Each endpointing behaviour is checked with both voice activity detectors."""
    return cast(VadName, request.param)


def test_two_phrases_make_two_utterances(vad: VadName) -> None:
    # 1 s quiet, 1.2 s speech, 1 s quiet, 0.9 s speech, 1 s quiet; room noise throughout.
    signal = np.concatenate([silence(1.0), voice(1.2), silence(1.0), voice(0.9), silence(1.0)])
    signal += hiss(len(signal) / SAMPLE_RATE)
    utterances, endpointer = run(signal, EndpointConfig(vad=vad))
    assert endpointer.vad_name == vad
    assert len(utterances) == 2
    first, second = utterances
    # Speech stops at 2.2 s and 4.1 s; each utterance ends about 0.5 s later.
    assert first.ended_at == pytest.approx(2.2 + 0.5, abs=0.07)
    assert second.ended_at == pytest.approx(4.1 + 0.5, abs=0.07)
    # Onsets at 1.0 s and 3.2 s, with ~300 ms of pre-roll before them.
    assert first.started_at == pytest.approx(1.0 - 0.3, abs=0.07)
    assert second.started_at == pytest.approx(3.2 - 0.3, abs=0.07)
    for u in utterances:
        assert u.sample_rate == SAMPLE_RATE
        assert u.source == "test"
        assert u.audio.dtype == np.int16
        assert len(u.audio) == round((u.ended_at - u.started_at) * SAMPLE_RATE)
    # The pre-roll is the quiet before the onset, then the speech.
    pre = first.audio[: int(0.25 * SAMPLE_RATE)]
    assert level_dbfs(pre) < -50
    assert level_dbfs(first.audio[int(0.35 * SAMPLE_RATE) :][:4800]) > -25


def test_endpoint_times_come_from_the_chunks_or_a_sample_clock() -> None:
    signal = pcm16(np.concatenate([silence(0.5), voice(0.6), silence(0.8)]) + hiss(1.9))
    endpointer = Endpointer(EndpointConfig(vad="energy"))
    chunks = [signal[i : i + 480] for i in range(0, len(signal), 480)]
    utterances = [u for c in chunks for u in endpointer.feed(c)]  # no times: sample clock
    assert len(utterances) == 1
    (u,) = utterances
    assert u.ended_at - u.started_at == pytest.approx(len(u.audio) / SAMPLE_RATE)
    assert u.ended_at == pytest.approx(u.started_at + 0.3 + 0.06 + 0.6 + 0.5, abs=0.07)


@pytest.mark.parametrize("chunk", [100, 480, 1000, 4096])
def test_chunk_size_does_not_matter(chunk: int) -> None:
    signal = np.concatenate([silence(0.6), voice(0.5), silence(0.7)]) + hiss(1.8)
    utterances, _ = run(signal, EndpointConfig(vad="energy"), chunk=chunk)
    reference, _ = run(signal, EndpointConfig(vad="energy"), chunk=480)
    assert len(utterances) == len(reference) == 1
    assert utterances[0].started_at == pytest.approx(reference[0].started_at)
    assert utterances[0].ended_at == pytest.approx(reference[0].ended_at)
    np.testing.assert_array_equal(utterances[0].audio, reference[0].audio)


def test_max_length_forces_an_end(vad: VadName) -> None:
    signal = np.concatenate([silence(0.5), voice(12.0), silence(1.0)]) + hiss(13.5)
    config = EndpointConfig(vad=vad, max_utterance_s=5.0)
    utterances, _ = run(signal, config)
    assert len(utterances) >= 3
    assert utterances[0].ended_at - utterances[0].started_at == pytest.approx(5.0, abs=0.031)
    assert all(u.ended_at - u.started_at <= 5.0 + 1e-6 for u in utterances)
    # The last ends within 0.5 s of the last syllable: after 12 s of sound the floor has
    # risen to the syllable troughs, so only the syllable peaks still count as speech.
    assert 12.5 + 0.25 <= utterances[-1].ended_at <= 12.5 + 0.55


def test_clicks_and_knocks_are_rejected(vad: VadName) -> None:
    click = 0.8 * np.hanning(160)  # 10 ms
    knock = voice(0.09, -15)  # 90 ms: opens an utterance, too short to keep
    signal = np.concatenate([silence(0.5), click, silence(1.0), knock, silence(1.0)])
    utterances, endpointer = run(signal + hiss(len(signal) / SAMPLE_RATE), EndpointConfig(vad=vad))
    assert utterances == []
    assert endpointer.rejected >= 1


def test_steady_background_noise_is_not_speech(vad: VadName) -> None:
    fan = hiss(4.0, -35)  # a fan from the start: the floor sits at its level
    utterances, endpointer = run(fan, EndpointConfig(vad=vad))
    assert utterances == []
    floor = endpointer.noise_floor_dbfs
    assert floor is not None
    assert floor == pytest.approx(-35, abs=3)
    # Speech over the fan is still found.
    signal = np.concatenate([fan, voice(1.0, -15), silence(1.0)]) + hiss(6.0, -35)
    utterances, _ = run(signal, EndpointConfig(vad=vad))
    assert len(utterances) == 1
    assert utterances[0].ended_at == pytest.approx(5.5, abs=0.1)


def test_partial_state_while_speech_is_in_progress() -> None:
    endpointer = Endpointer(EndpointConfig(vad="energy"))
    head = pcm16(np.concatenate([silence(0.5), voice(0.6)]) + hiss(1.1))
    assert endpointer.feed(head, end_time=1.1) == []
    assert endpointer.in_speech
    assert endpointer.speech_started_at == pytest.approx(0.5 - 0.3, abs=0.07)
    partial = endpointer.partial_audio()
    assert len(partial) == pytest.approx((1.1 - 0.2) * SAMPLE_RATE, abs=480)
    tail = pcm16(silence(1.0) + hiss(1.0))
    (done,) = endpointer.feed(tail, end_time=2.1)
    assert not endpointer.in_speech
    assert endpointer.speech_started_at is None
    assert len(endpointer.partial_audio()) == 0
    assert done.ended_at == pytest.approx(1.6, abs=0.07)


def test_flush_returns_speech_that_runs_to_the_end() -> None:
    signal = np.concatenate([silence(0.5), voice(0.6)]) + hiss(1.1)
    utterances, _ = run(signal, EndpointConfig(vad="energy"))
    assert len(utterances) == 1
    assert utterances[0].ended_at == pytest.approx(1.1, abs=0.031)


def test_segment_a_44k_stereo_wav_end_to_end(tmp_path: Path) -> None:
    rate = 44_100
    mono = np.concatenate(
        [silence(0.8, rate), voice(0.7, -18, rate), silence(1.0, rate), voice(0.5, -18, rate),
         silence(0.8, rate)]
    )  # fmt: skip
    mono += hiss(len(mono) / rate, -62, rate)
    path = write(tmp_path / "cmd.wav", wav_bytes(np.stack([mono, mono], axis=1), rate, 24))
    source = WavFileSource(path)
    chunks = list(source)
    start = chunks[0].end_time - 0.03  # the file's sample clock
    utterances = list(Endpointer(source=source.name).segment(chunks))
    assert len(utterances) == 2
    ends = [u.ended_at - start for u in utterances]
    assert ends == pytest.approx([0.8 + 0.7 + 0.5, 2.5 + 0.5 + 0.5], abs=0.08)
    assert all(u.source == str(path) for u in utterances)


def test_feed_chunk_accepts_audio_chunks() -> None:
    endpointer = Endpointer(EndpointConfig(vad="energy"))
    samples = pcm16(np.concatenate([silence(0.4), voice(0.5), silence(0.7)]) + hiss(1.6))
    out = []
    for i in range(0, len(samples), 480):
        out += endpointer.feed_chunk(AudioChunk(samples[i : i + 480], 100.0 + (i + 480) / 16000))
    assert len(out) == 1
    assert out[0].ended_at == pytest.approx(100.0 + 0.9 + 0.5, abs=0.07)


@pytest.mark.parametrize(
    "bad", [{"frame_ms": 25}, {"vad": "neural"}, {"webrtc_mode": 5}, {"end_silence_s": 0}]
)
def test_bad_endpoint_settings_are_errors(bad: dict[str, Any]) -> None:
    with pytest.raises(AudioError):
        EndpointConfig(**bad)
