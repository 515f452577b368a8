"""Audio sources: microphone, WAV file or typed text, all yielding 16 kHz mono int16.

Every audio source is an iterable of `AudioChunk` (30 ms by default) stamped with the
monotonic time of its last sample, so the endpointer and the latency accounting work
the same on a live microphone and on a file. `open_audio_source` is the one factory
that turns a spec ("mic", "mic:2", "mic:USB", or a WAV path) into a source, so tests
and the demo swap files in without patching.

WAV files are parsed here rather than with the stdlib `wave` module: on Python 3.11
`wave` refuses WAVE_FORMAT_EXTENSIBLE, which sox, ffmpeg and most recorders write for
24-bit or multichannel files, and float WAVs. Supported: 8/16/24/32-bit PCM and
32/64-bit float, 8-192 kHz (resampled with libsoxr) and up to 32 channels (averaged to
mono). Files are read with limits (`input_files.open_regular`, MAX_WAV_BYTES, a duration
checked from the header before the samples are read): docs/input-limits.md.
"""

from __future__ import annotations

import abc
import contextlib
import io
import logging
import math
import os
import queue
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import numpy as np
import numpy.typing as npt

from assistant.errors import AssistantError, InputError
from assistant.input_files import open_regular, shown
from assistant.types import Utterance

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000  # every source delivers this rate, mono, int16
CHUNK_MS = 30  # 480 samples: also a frame size webrtcvad accepts

Samples = npt.NDArray[np.int16]


class AudioError(AssistantError):
    """An audio input cannot be read. The message is one line naming the input and the problem.

    The lead rebases this onto the package's error base class."""


@dataclass(frozen=True)
class AudioChunk:
    """A block of 16 kHz mono int16 samples."""

    samples: Samples  # (n,)
    end_time: float  # time.monotonic() of the last sample (capture time, or a file's sample clock)


# --------------------------------------------------------------------------- WAV decoding

_PCM, _FLOAT, _EXTENSIBLE = 0x0001, 0x0003, 0xFFFE
_KNOWN_TAGS = {
    0x0002: "MS ADPCM",
    0x0006: "A-law",
    0x0007: "mu-law",
    0x0011: "IMA ADPCM",
    0x0055: "MP3",
}
_UNKNOWN_SIZE = 0xFFFFFFFF  # data size written by streaming encoders that could not seek back
_MAX_FMT_BYTES = 4096  # a fmt chunk is 16, 18 or 40 bytes

# Limits on audio files (docs/input-limits.md). A spoken command lasts seconds; a minute
# covers any utterance, and a recorded session fed to `assistant run --audio` gets ten.
MAX_WAV_BYTES = 16 * 2**20  # checked on the open file before reading: 16 MiB
MAX_UTTERANCE_S = 60.0  # `parse --audio`: one utterance
MAX_SESSION_S = 600.0  # `run --audio FILE`: a recording of several commands
MIN_RATE, MAX_RATE = 8_000, 192_000  # Hz: telephone to studio rates
MAX_CHANNELS = 32  # a microphone array
MAX_CHUNKS = 1024  # RIFF chunks before the data (a real file has a handful)


@dataclass(frozen=True)
class WavFormat:
    """What the fmt chunk says (container size, after WAVE_FORMAT_EXTENSIBLE is unwrapped)."""

    encoding: str  # "pcm" or "float"
    channels: int
    sample_rate: int
    sample_bytes: int  # container bytes per sample: 1, 2, 3, 4 or 8


def _parse_fmt(body: bytes, name: str) -> WavFormat:
    if len(body) < 16:
        raise AudioError(f"{name}: fmt chunk too short ({len(body)} bytes)")
    tag, channels, rate, _byte_rate, block_align, bits = struct.unpack_from("<HHIIHH", body)
    if tag == _EXTENSIBLE:
        if len(body) < 40:
            raise AudioError(f"{name}: WAVE_FORMAT_EXTENSIBLE fmt chunk too short")
        (tag,) = struct.unpack_from("<H", body, 24)  # first two bytes of the sub-format GUID
    if tag not in (_PCM, _FLOAT):
        kind = _KNOWN_TAGS.get(tag, f"format tag 0x{tag:04x}")
        raise AudioError(f"{name}: unsupported WAV encoding {kind} (need PCM or float)")
    if channels == 0 or rate == 0:
        raise AudioError(f"{name}: invalid WAV header ({channels} channels, {rate} Hz)")
    sample_bytes = block_align // channels if block_align else math.ceil(bits / 8)
    encoding = "pcm" if tag == _PCM else "float"
    if block_align != channels * sample_bytes or (
        (encoding == "pcm" and sample_bytes not in (1, 2, 3, 4))
        or (encoding == "float" and sample_bytes not in (4, 8))
    ):
        raise AudioError(
            f"{name}: unsupported {bits}-bit {encoding} WAV (block align {block_align}, "
            f"{channels} channels)"
        )
    return WavFormat(encoding, channels, rate, sample_bytes)


def _scan(file: BinaryIO, size: int, name: str) -> tuple[WavFormat, int]:
    """Walk the RIFF chunks to the data chunk, reading only headers (other chunks are
    skipped with seek). Returns the format and the data size the header declares; `file`
    is left at the data."""
    head = file.read(12)
    if len(head) < 12 or head[:4] not in (b"RIFF", b"RIFX", b"RF64") or head[8:12] != b"WAVE":
        raise AudioError(f"{name}: not a WAV file (no RIFF/WAVE header)")
    if head[:4] != b"RIFF":
        raise AudioError(f"{name}: unsupported WAV variant {head[:4].decode('ascii')}")
    fmt: WavFormat | None = None
    for _ in range(MAX_CHUNKS):
        header = file.read(8)
        if len(header) < 8:
            break
        chunk_id, (chunk_size,) = header[:4], struct.unpack("<I", header[4:])
        body = file.tell()
        if chunk_id == b"data":
            if fmt is None:
                raise AudioError(f"{name}: data chunk before fmt chunk")
            if chunk_size == _UNKNOWN_SIZE:
                chunk_size = size - body  # streamed: the data runs to the end of the file
            return fmt, chunk_size
        if chunk_id == b"fmt ":
            if chunk_size > size - body:
                raise AudioError(f"{name}: truncated (fmt chunk cut off)")
            if chunk_size > _MAX_FMT_BYTES:
                raise AudioError(f"{name}: fmt chunk of {chunk_size} bytes (at most "
                                 f"{_MAX_FMT_BYTES})")
            fmt = _parse_fmt(file.read(chunk_size), name)
        file.seek(body + chunk_size + (chunk_size & 1))  # chunks are padded to an even size
    else:
        raise AudioError(f"{name}: more than {MAX_CHUNKS} chunks before the audio data")
    if fmt is None:
        raise AudioError(f"{name}: truncated or invalid WAV (no fmt chunk)")
    raise AudioError(f"{name}: truncated or invalid WAV (no data chunk)")


def _check_limits(fmt: WavFormat, data_bytes: int, name: str, max_seconds: float) -> None:
    """Refuse, from the header alone, audio that would be costly to convert or hear."""
    if not MIN_RATE <= fmt.sample_rate <= MAX_RATE:
        raise AudioError(f"{name}: sample rate {fmt.sample_rate} Hz outside "
                         f"{MIN_RATE}-{MAX_RATE} Hz")
    if fmt.channels > MAX_CHANNELS:
        raise AudioError(f"{name}: {fmt.channels} channels (at most {MAX_CHANNELS})")
    seconds = data_bytes // (fmt.channels * fmt.sample_bytes) / fmt.sample_rate
    if seconds > max_seconds:
        raise AudioError(f"{name}: {seconds:.1f} s of audio (at most {max_seconds:g} s)")


def _decode(file: BinaryIO, size: int, name: str, max_seconds: float) -> Samples:
    fmt, data_bytes = _scan(file, size, name)
    _check_limits(fmt, data_bytes, name, max_seconds)  # what the header claims, first
    available = size - file.tell()
    if data_bytes > available:
        raise AudioError(f"{name}: truncated (data chunk declares {data_bytes} bytes, file "
                         f"has {available})")
    raw = file.read(data_bytes)
    if len(raw) < data_bytes:
        raise AudioError(f"{name}: truncated (the file shrank while read)")
    if len(raw) < fmt.channels * fmt.sample_bytes:
        raise AudioError(f"{name}: WAV file holds no audio samples")
    if (fmt.encoding, fmt.sample_bytes, fmt.channels, fmt.sample_rate) == (
            "pcm", 2, 1, SAMPLE_RATE):  # already what every source delivers: exact, no copy
        return np.frombuffer(raw, "<i2", len(raw) // 2).astype(np.int16)
    return to_mono_16k(_samples(raw, fmt), fmt.sample_rate)


def decode_wav(data: bytes, name: str = "<wav>", *,
               max_seconds: float = MAX_UTTERANCE_S) -> Samples:
    """A WAV file's bytes as 16 kHz mono int16.

    Raises AudioError naming `name` for a non-WAV, truncated, unsupported or too long
    file (over MAX_WAV_BYTES, or `max_seconds` of audio by its header)."""
    if len(data) > MAX_WAV_BYTES:
        raise AudioError(f"{name}: WAV too large ({len(data) / 2**20:.1f} MiB, at most "
                         f"{MAX_WAV_BYTES / 2**20:g} MiB)")
    return _decode(io.BytesIO(data), len(data), name, max_seconds)


def _samples(raw: bytes, fmt: WavFormat) -> npt.NDArray[np.float32]:
    """Raw sample bytes -> float32 in [-1, 1], shape (frames, channels). float32 holds
    24 bits exactly, more than int16 output needs, at half the memory of float64."""
    frame_bytes = fmt.channels * fmt.sample_bytes
    raw = raw[: len(raw) - len(raw) % frame_bytes]  # a partial last frame is dropped
    width = fmt.sample_bytes
    values: npt.NDArray[np.float32]
    if fmt.encoding == "float":
        wide = np.frombuffer(raw, "<f4" if width == 4 else "<f8")
        values = np.nan_to_num(np.clip(wide, -1.0, 1.0)).astype(np.float32)
    elif width == 1:  # 8-bit WAV is unsigned
        values = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width == 3:  # each triple into the top of an int32; the shift sign-extends
        padded = np.zeros((len(raw) // 3, 4), np.uint8)
        padded[:, 1:] = np.frombuffer(raw, np.uint8).reshape(-1, 3)
        values = (padded.view("<i4").ravel() >> 8).astype(np.float32) / float(1 << 23)
    else:
        values = np.frombuffer(raw, f"<i{width}").astype(np.float32) / float(1 << (8 * width - 1))
    return values.reshape(-1, fmt.channels)  # (frames, channels)


def to_mono_16k(samples: npt.NDArray[np.floating[Any]], rate: int) -> Samples:
    """(frames, channels) floats in [-1, 1] at `rate` -> (n,) int16 at 16 kHz, channels averaged.

    Resampled with libsoxr (the `soxr` package): its cost grows with the length only, for
    any ratio; scipy's polyphase filter grew with the ratio's terms (a prime rate such as
    7919 Hz took 30 s and 1.3 GB)."""
    mono = samples.mean(axis=1, dtype=np.float32) if samples.ndim == 2 else samples
    mono = np.asarray(mono, np.float32)
    if rate != SAMPLE_RATE and mono.size:
        import soxr

        mono = np.asarray(soxr.resample(mono, rate, SAMPLE_RATE), np.float32)
    return np.clip(np.round(mono * 32768.0), -32768, 32767).astype(np.int16)


def read_wav(path: str | Path, *, max_seconds: float = MAX_UTTERANCE_S) -> Samples:
    """A WAV file as 16 kHz mono int16. Raises AudioError with a one-line message.

    Only a regular file of at most MAX_WAV_BYTES is opened (never a FIFO or a device);
    its header is checked against the limits before any sample is read."""
    try:
        file = open_regular(os.fspath(path), "WAV file", MAX_WAV_BYTES)
    except InputError as exc:
        raise AudioError(str(exc)) from None
    name = shown(str(path))
    with file:
        try:
            return _decode(file, os.fstat(file.fileno()).st_size, name, max_seconds)
        except OSError as exc:  # EIO and the like: /proc/self/mem is a "regular file"
            raise AudioError(f"{name}: cannot read WAV file ({exc.strerror or exc})") from None


# --------------------------------------------------------------------------- sources


class AudioSource(abc.ABC):
    """An iterable of `AudioChunk`s; `close()` ends the iteration (from any thread)."""

    name: str = "audio"

    @abc.abstractmethod
    def __iter__(self) -> Iterator[AudioChunk]: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> AudioSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _chunk_samples(chunk_ms: int) -> int:
    if not 1 <= chunk_ms <= 1000:
        raise AudioError(f"chunk length must be 1-1000 ms, not {chunk_ms}")
    return SAMPLE_RATE * chunk_ms // 1000


class WavFileSource(AudioSource):
    """A WAV file, read and converted at construction (so a bad file fails at once).

    `realtime=True` paces chunks at the wall clock, as a microphone would deliver them;
    otherwise they come as fast as they are taken, stamped with a sample clock that
    starts at the first chunk.
    """

    def __init__(self, path: str | Path, *, realtime: bool = False, chunk_ms: int = CHUNK_MS):
        self.name = str(path)
        self.realtime = realtime
        self.chunk = _chunk_samples(chunk_ms)
        self.samples = read_wav(path, max_seconds=MAX_SESSION_S)  # (n,) int16 at 16 kHz
        self._closed = threading.Event()

    @property
    def duration_s(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    def __iter__(self) -> Iterator[AudioChunk]:
        start = time.monotonic()
        for offset in range(0, len(self.samples), self.chunk):
            if self._closed.is_set():
                return
            block = self.samples[offset : offset + self.chunk]
            end_time = start + (offset + len(block)) / SAMPLE_RATE
            if self.realtime and self._closed.wait(max(0.0, end_time - time.monotonic())):
                return
            yield AudioChunk(block, end_time)

    def close(self) -> None:
        self._closed.set()


class InputStream(Protocol):
    """What MicrophoneSource needs of sounddevice.RawInputStream (tests inject a fake)."""

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def close(self) -> None: ...


StreamFactory = Callable[..., InputStream]


def sounddevice_stream(**kwargs: Any) -> InputStream:
    """sounddevice.RawInputStream(**kwargs); AudioError if PortAudio or the device fails."""
    try:
        import sounddevice
    except (ImportError, OSError) as exc:  # OSError: libportaudio2 missing
        raise AudioError(f"microphone: sounddevice unavailable ({exc})") from exc
    try:
        stream: InputStream = sounddevice.RawInputStream(**kwargs)
    except (sounddevice.PortAudioError, ValueError) as exc:
        raise AudioError(f"microphone {kwargs.get('device')!r}: {exc}") from exc
    return stream


def _device_rate(device: int | str | None) -> int | None:
    """The default input rate PortAudio reports for a device, None if unknown."""
    try:
        import sounddevice

        info = sounddevice.query_devices(device, "input")
        return int(info["default_samplerate"])
    except Exception:  # any failure here only means "no fallback rate"
        return None


class _Decimator:
    """Streaming low-pass + integer down-sampling (48 kHz -> 16 kHz) with filter state
    carried across chunks, so chunk edges leave no clicks."""

    def __init__(self, factor: int) -> None:
        from scipy.signal import firwin, lfilter_zi

        self.factor = factor
        self.taps = firwin(16 * factor + 1, 0.9 / factor)  # cut-off 0.9 x the new Nyquist
        self.state = lfilter_zi(self.taps, 1.0) * 0.0
        self.position = 0  # input samples seen, to keep the phase across chunks

    def __call__(self, block: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        from scipy.signal import lfilter

        filtered, self.state = lfilter(self.taps, 1.0, block, zi=self.state)
        first = (-self.position) % self.factor
        self.position += len(block)
        return np.asarray(filtered[first :: self.factor], dtype=np.float64)


class MicrophoneSource(AudioSource):
    """A sound card input through PortAudio (sounddevice.RawInputStream).

    The stream callback only copies the block into a bounded queue: it never blocks or
    logs; when the queue is full the oldest block is dropped and counted. If the device
    refuses 16 kHz, it is opened at its own rate when that is a multiple of 16 kHz
    (32/48/96 kHz) and down-sampled outside the callback. Several channels (a mic array)
    are averaged. `samplerate` forces the device rate (a multiple of 16 kHz). The
    iterator raises AudioError if no audio arrives for `stall_s` (device unplugged);
    the caller decides whether to reopen.
    """

    name = "mic"

    def __init__(
        self,
        device: int | str | None = None,
        *,
        channels: int = 1,
        samplerate: int | None = None,
        chunk_ms: int = CHUNK_MS,
        queue_chunks: int = 64,
        stall_s: float | None = 3.0,
        stream_factory: StreamFactory = sounddevice_stream,
    ) -> None:
        if channels < 1 or queue_chunks < 1:
            raise AudioError(f"microphone {device!r}: need channels >= 1 and queue_chunks >= 1")
        if samplerate is not None and (samplerate <= 0 or samplerate % SAMPLE_RATE):
            raise AudioError(
                f"microphone {device!r}: rate {samplerate} is not a multiple of 16 kHz"
            )
        self.samplerate = samplerate
        self.device = device
        self.channels = channels
        self.chunk_ms = chunk_ms
        _chunk_samples(chunk_ms)
        self.stall_s = stall_s
        self.stream_factory = stream_factory
        self.dropped = 0  # blocks discarded because the consumer fell behind
        self.status_flags = 0  # callbacks that reported an overflow or other PortAudio status
        self.input_rate = SAMPLE_RATE
        self._queue: queue.Queue[tuple[bytes, float]] = queue.Queue(maxsize=queue_chunks)
        self._stream: InputStream | None = None
        self._decimator: _Decimator | None = None
        self._closed = threading.Event()

    # The PortAudio thread runs this: copy, enqueue, nothing else.
    def _callback(self, indata: Any, frames: int, time_info: Any, status: Any) -> None:
        item = (bytes(indata), time.monotonic())
        if status:
            self.status_flags += 1
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            with contextlib.suppress(queue.Empty):
                self._queue.get_nowait()  # drop the oldest block
            self.dropped += 1
            try:
                self._queue.put_nowait(item)
            except queue.Full:
                self.dropped += 1

    def _open(self, rate: int) -> InputStream:
        return self.stream_factory(
            device=self.device,
            samplerate=rate,
            channels=self.channels,
            dtype="int16",
            blocksize=rate * self.chunk_ms // 1000,
            callback=self._callback,
        )

    def open(self) -> None:
        """Open and start the stream (done by the first iteration if not called)."""
        if self._stream is not None:
            return
        rate = self.samplerate or SAMPLE_RATE
        try:
            stream = self._open(rate)
        except AudioError as first:
            fallback = _device_rate(self.device) if self.samplerate is None else None
            if fallback is None or fallback % SAMPLE_RATE or fallback == SAMPLE_RATE:
                raise
            log.info(
                "microphone %r refused 16 kHz (%s); opening at %d Hz", self.device, first, fallback
            )
            rate = fallback
            stream = self._open(rate)
        self.input_rate = rate
        self._decimator = _Decimator(rate // SAMPLE_RATE) if rate != SAMPLE_RATE else None
        self._stream = stream
        stream.start()

    def _convert(self, raw: bytes) -> Samples:
        block = np.frombuffer(raw, np.int16)
        if self.channels > 1:
            block = block[: len(block) - len(block) % self.channels]
            block = np.round(block.reshape(-1, self.channels).mean(axis=1)).astype(np.int16)
        if self._decimator is not None:
            down = self._decimator(block.astype(np.float64))
            block = np.clip(np.round(down), -32768, 32767).astype(np.int16)
        return block

    def __iter__(self) -> Iterator[AudioChunk]:
        self.open()
        last = time.monotonic()
        while not self._closed.is_set():
            try:
                raw, at = self._queue.get(timeout=0.1)
            except queue.Empty:
                if self.stall_s is not None and time.monotonic() - last > self.stall_s:
                    raise AudioError(
                        f"microphone {self.device!r}: no audio for {self.stall_s:g} s"
                    ) from None
                continue
            last = time.monotonic()
            yield AudioChunk(self._convert(raw), at)

    def close(self) -> None:
        self._closed.set()
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
            finally:
                stream.close()


class TextSource:
    """Typed commands (stdin, an MQTT topic, a test list): yields stripped, non-empty lines.

    Not audio: the pipeline hands these straight to the parser as transcripts."""

    name = "text"

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = lines
        self._closed = False

    def __iter__(self) -> Iterator[str]:
        for line in self._lines:
            if self._closed:
                return
            text = line.strip()
            if text:
                yield text

    def close(self) -> None:
        self._closed = True


def open_audio_source(
    spec: str,
    *,
    realtime: bool = False,
    chunk_ms: int = CHUNK_MS,
    stream_factory: StreamFactory = sounddevice_stream,
) -> AudioSource:
    """ "mic" (default device), "mic:3" (device index) or "mic:USB" (name substring) -> the
    microphone; anything else is a WAV path (AudioError at once if unreadable)."""
    if spec == "mic" or spec.startswith("mic:"):
        device: int | str | None = spec[4:] or None
        if isinstance(device, str) and device.isdigit():
            device = int(device)
        return MicrophoneSource(device, chunk_ms=chunk_ms, stream_factory=stream_factory)
    return WavFileSource(spec, realtime=realtime, chunk_ms=chunk_ms)


def wav_utterance(path: str | Path) -> Utterance:
    """A whole WAV file as one utterance (16 kHz mono): for `parse --audio` and tests."""
    samples = read_wav(path)
    ended = time.monotonic()
    return Utterance(audio=samples, sample_rate=SAMPLE_RATE, source=str(path),
                     started_at=ended - len(samples) / SAMPLE_RATE, ended_at=ended)
