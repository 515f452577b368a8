"""A language model of this home for PocketSphinx, built from the phrase generator, cached.

A JSGF grammar of command shapes hears only the shapes it lists; free phrasing ("could you
kill the big light") and real voices fall outside it. Here the recognizer gets an n-gram
model of everything people may say in this home instead:

- commands in every phrasing the generator writes for this home (the same generator that
  trains the brain: `assistant.corpus`), with wake words, fillers and politeness, and its
  non-commands (negations, past tense, questions, chit-chat that reuses the home's words);
- every device and room name and alias on its own, the configured wake phrase, and the
  replies to a confirmation ("yes", "no", "cancel");
- everyday English sampled from PocketSphinx's own general language model (a bigram chain
  over its most frequent words), so that other talk has somewhere to go instead of being
  forced onto the home's words ("remind me to call my mother" must not come out as a
  command).

The model is built with `pocketsphinx.lm.ArpaBoLM` (fixed-discount back-off, ships in the
pocketsphinx wheel). Every word gets a pronunciation (`assistant.g2p`); the model and its
dictionary are written to the cache, keyed by a digest of what they depend on: the home
(rooms, devices, wake phrase as validated by `HomeConfig`, not the file's bytes, so an MQTT
change does not rebuild it), the generator's and this builder's source, the builder
settings and the versions of pocketsphinx and gruut. Cache directory: `$CACHE_DIRECTORY`
(systemd's CacheDirectory=), else `$XDG_CACHE_HOME/milm-assistant`, else
`~/.cache/milm-assistant`. Writes are atomic
(a temporary directory renamed into place), so a crash never leaves half a model.

`python -m assistant.speech_lm [--config devices.yaml]` builds (or finds) the model and
prints where it is and what it took.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from assistant.cache import cache_root
from assistant.config import HomeConfig, load_config
from assistant.errors import AssistantError
from assistant.vocabulary import normalize_phrase

log = logging.getLogger(__name__)

BUILDER_VERSION = 1
"""Bump when the way the model is built changes (the cache key carries it)."""
_SKIP_TAGS = frozenset({"noise", "slip", "split"})
"""Generator examples with typing or recognizer slips ("front dor", "turn of"): the brain
learns from them, but nobody says them, so the recognizer's model leaves them out."""

# Replies to a confirmation request ("unlock the front door?"), as the daemon reads them.
REPLIES: tuple[str, ...] = (
    "yes", "yes please", "yeah", "yep", "sure", "okay", "ok", "confirm", "do it", "go ahead",
    "yes do it", "correct", "that's right", "no", "nope", "cancel", "stop", "don't",
    "do not", "never mind", "abort", "no thanks", "no thank you",
)


class LanguageModelError(AssistantError):
    """The home's language model could not be built or read; one line for the user."""


@dataclass(frozen=True)
class LmSettings:
    """How the home's language model is built (all of it goes into the cache key)."""

    sentences: int = 24000
    """Generated utterances of this home (commands and non-commands)."""
    seed: int = 0
    """Seed of the generator and of the everyday sampler."""
    everyday_sentences: int = 6000
    """Everyday English sentences sampled from PocketSphinx's general model."""
    everyday_vocabulary: int = 1000
    """Most frequent words of the general model the everyday sentences are made of."""
    min_count: int = 3
    """A word the dictionary lacks (and no name holds) must occur this often in the
    generated text to get a made-up pronunciation; rarer ones drop their sentence
    (made-up names of devices that are not in this home)."""
    name_repeats: int = 3
    """How many times each name and alias stands alone as a sentence."""
    discount_mass: float = 0.2
    """ArpaBoLM's fixed discount: the probability mass left for unseen word sequences.
    0.2 rather than ArpaBoLM's 0.5: 135 vs 125 of 184 spoken dev clips right (half of the
    spoken text dev set); 0.5 let chance words through ("turn on the kitchen white")."""


@dataclass(frozen=True)
class HomeLanguageModel:
    """A built model on disk."""

    directory: Path
    lm_path: Path
    """The ARPA n-gram model."""
    dict_path: Path
    """Its pronunciation dictionary (every word of the model, CMU/ARPAbet phones)."""
    key: str
    """Cache key (hex digest)."""
    words: int
    made_up: dict[str, str]
    """Words pronounced by G2P (or letter by letter), not from the dictionary."""
    build_seconds: float
    """How long building took when it was built (0 for a model found in the cache)."""
    cached: bool


# ----------------------------------------------------------------------- text


def spoken_text(text: str) -> str:
    """Written text the way it is said: "Set it to 19.5°!" -> "set it to nineteen point five
    degrees"; "50%" -> "fifty percent". Lowercase words, apostrophes kept."""
    text = text.replace("%", " percent ").replace("°", " degrees ").replace("&", " and ")

    def decimal(match: re.Match[str]) -> str:
        whole, frac = match.group(1), match.group(2)
        return f" {whole} point {' '.join(frac)} "

    text = re.sub(r"(\d+)\.(\d+)", decimal, text)
    return normalize_phrase(text)


# --------------------------------------------------------------------- sources


def home_of(config: HomeConfig) -> Any:
    """The validated devices.yaml as the generator's `Home` type."""
    from assistant.corpus.homes import home_from_dict

    return home_from_dict(config.model_dump(mode="json"), "reference")


def home_sentences(config: HomeConfig, settings: LmSettings) -> list[str]:
    """What people say in this home, as the generator writes it, in spoken form."""
    from assistant.corpus.generate import HomeView, example

    view = HomeView(home_of(config))
    rng = random.Random(f"speech-lm:{settings.seed}")
    out: list[str] = []
    for _ in range(settings.sentences * 2):  # bounded: some draws are skipped
        made = example(rng, view)
        if made.tags & _SKIP_TAGS:
            continue
        text = spoken_text(made.text)
        if text:
            out.append(text)
        if len(out) >= settings.sentences:
            break
    wake = spoken_text(config.speech.wake_phrase or "")
    if wake:  # the configured wake phrase leads a share of the commands, as said
        out += [f"{wake} {s}" for s in out[: max(1, len(out) // 10)]]
        out += [wake] * settings.name_repeats
    return out


def name_sentences(config: HomeConfig, settings: LmSettings) -> list[str]:
    """Each device and room name and alias alone, so every one of them is in the model."""
    names = [n for dev in config.devices.values() for n in (dev.name, *dev.aliases)]
    names += [n for room in config.rooms.values() for n in (room.name, *room.aliases)]
    spoken = [spoken_text(n) for n in names]
    return [s for s in spoken if s] * settings.name_repeats


def name_words(config: HomeConfig) -> set[str]:
    """Every word of the home's names, aliases and wake phrase."""
    texts = [n for dev in config.devices.values() for n in (dev.name, *dev.aliases)]
    texts += [n for room in config.rooms.values() for n in (room.name, *room.aliases)]
    texts.append(config.speech.wake_phrase or "")
    return {w for t in texts for w in spoken_text(t).split()}


def everyday_sentences(settings: LmSettings) -> list[str]:
    """Everyday English: sentences sampled from a bigram chain of PocketSphinx's general
    US English model, restricted to its `everyday_vocabulary` most frequent words.

    The general model (en-us.lm.bin, in the wheel) is too big to decode with here (134 k
    words: slow, and it dilutes the home's words), but its statistics say what ordinary
    talk sounds like. Deterministic for the seed.
    """
    import numpy as np
    import pocketsphinx

    from assistant.g2p import load_cmudict

    base = Path(pocketsphinx.get_model_path()) / "en-us"
    try:
        general = pocketsphinx.NGramModel(pocketsphinx.Config(), pocketsphinx.LogMath(),
                                          str(base / "en-us.lm.bin"))
    except (RuntimeError, ValueError, OSError) as exc:
        raise LanguageModelError(f"cannot read pocketsphinx's general model: {exc}") from exc
    logmath = pocketsphinx.LogMath()
    words = [w for w in load_cmudict() if re.fullmatch(r"[a-z][a-z']*", w)]
    ranked = sorted(words, key=lambda w: (-general.prob([w]), w))
    vocab = ranked[: settings.everyday_vocabulary]
    n = len(vocab)
    # prob([w, h]) is log P(w | h) in LogMath units (history after the word).
    bigram = np.array([[general.prob([w, h]) for w in vocab] + [general.prob(["</s>", h])]
                       for h in vocab], dtype=np.float64)
    start = np.array([general.prob([w, "<s>"]) for w in vocab], dtype=np.float64)
    scale = math.log(logmath.exp(1))  # natural log of one LogMath unit
    trans = np.exp((bigram - bigram.max(axis=1, keepdims=True)) * scale)
    trans /= trans.sum(axis=1, keepdims=True)
    first = np.exp((start - start.max()) * scale)
    first /= first.sum()
    rng = np.random.default_rng(settings.seed)
    out: list[str] = []
    for _ in range(settings.everyday_sentences):
        sentence = [int(rng.choice(n, p=first))]
        while len(sentence) < 16:
            nxt = int(rng.choice(n + 1, p=trans[sentence[-1]]))
            if nxt == n:
                break
            sentence.append(nxt)
        out.append(" ".join(vocab[i] for i in sentence))
    return out


# ----------------------------------------------------------------------- build


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "absent"


def source_digest() -> str:
    """Digest of the source and data files the model is made from: the phrase generator
    (assistant/corpus/ and the wake words it reads), this builder, the pronunciations and the
    text normalisation. A new
    generator (or builder) rebuilds the model without anyone bumping a version."""
    package = Path(__file__).resolve().parent
    files = [p for p in sorted((package / "corpus").rglob("*"))
             if p.is_file() and p.suffix in {".py", ".yaml", ".yml", ".txt", ".json"}]
    # data/phrasing.yaml: the generator takes its wake words from the runtime's list.
    files += [package / name for name in ("speech_lm.py", "g2p.py", "vocabulary.py",
                                          "data/phrasing.yaml")]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(config: HomeConfig, settings: LmSettings) -> str:
    """Digest of everything the model depends on."""
    home = {
        "rooms": {k: v.model_dump(mode="json") for k, v in sorted(config.rooms.items())},
        "devices": {k: v.model_dump(mode="json", exclude={"mqtt"})
                    for k, v in sorted(config.devices.items())},
        "wake_phrase": config.speech.wake_phrase,
    }
    parts = {
        "home": home, "settings": asdict(settings), "builder": BUILDER_VERSION,
        "sources": source_digest(), "pocketsphinx": _version("pocketsphinx"),
        "gruut": _version("gruut"), "gruut-lang-en": _version("gruut-lang-en"),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _counts(sentences: Iterable[str]) -> Counter[str]:
    return Counter(w for s in sentences for w in s.split())


def build_files(config: HomeConfig, settings: LmSettings, out_dir: Path) -> dict[str, Any]:
    """Write home.arpa, home.dict and meta.json into `out_dir`; return the metadata."""
    from pocketsphinx.lm import ArpaBoLM

    from assistant.g2p import load_cmudict, pronounce

    t0 = time.perf_counter()
    home = home_sentences(config, settings)
    names = name_sentences(config, settings)
    t_gen = time.perf_counter()
    everyday = everyday_sentences(settings)
    t_everyday = time.perf_counter()
    cmu = load_cmudict()
    counts = _counts(home)
    own = name_words(config)
    pronounceable = {w for w, c in counts.items() if c >= settings.min_count} | own
    replies = list(REPLIES) * settings.name_repeats
    kept = [s for s in (*home, *names, *replies)
            if all(w in cmu or w in pronounceable for w in s.split())]
    dropped = len(home) + len(names) + len(replies) - len(kept)
    sentences = [*kept, *everyday]
    vocabulary = set(_counts(sentences))
    prons, made = pronounce(vocabulary, cmu)
    unspeakable = vocabulary - set(prons)
    if unspeakable:  # only words with no letters at all: leave their sentences out
        sentences = [s for s in sentences if not unspeakable & set(s.split())]
        vocabulary -= unspeakable
    t_words = time.perf_counter()
    lm = ArpaBoLM(text="\n".join(sentences), add_start=True,
                  discount_mass=settings.discount_mass)
    lm.compute()
    lm_path, dict_path = out_dir / "home.arpa", out_dir / "home.dict"
    with lm_path.open("w", encoding="utf-8") as fh:
        lm.write(fh)
    with dict_path.open("w", encoding="utf-8") as fh:
        for word in sorted(vocabulary):
            for i, phones in enumerate(prons[word]):
                fh.write(f"{word if i == 0 else f'{word}({i + 1})'} {phones}\n")
    t_end = time.perf_counter()
    meta = {
        "builder": BUILDER_VERSION, "settings": asdict(settings), "words": len(vocabulary),
        "sentences": {"home": len(home), "names": len(names), "replies": len(replies),
                      "everyday": len(everyday), "dropped_unpronounceable": dropped},
        "made_up": made,
        "seconds": {"generate": round(t_gen - t0, 3), "everyday": round(t_everyday - t_gen, 3),
                    "pronounce": round(t_words - t_everyday, 3),
                    "arpa": round(t_end - t_words, 3), "total": round(t_end - t0, 3)},
    }
    (out_dir / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return meta


def _loaded(directory: Path, key: str, cached: bool) -> HomeLanguageModel:
    meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    return HomeLanguageModel(
        directory=directory, lm_path=directory / "home.arpa",
        dict_path=directory / "home.dict", key=key, words=int(meta["words"]),
        made_up=dict(meta.get("made_up", {})),
        build_seconds=0.0 if cached else float(meta["seconds"]["total"]), cached=cached)


def _complete(directory: Path) -> bool:
    return all((directory / name).is_file() for name in ("home.arpa", "home.dict",
                                                         "meta.json"))


def home_language_model(config: HomeConfig, settings: LmSettings | None = None,
                        cache: Path | None = None, *, isolated: bool = False
                        ) -> HomeLanguageModel:
    """The home's model from the cache, built first if it is not there (atomically).

    `isolated`: build in a child process (the daemon does: the build's peak memory, about
    170 MB of n-gram counts, then never adds to the long-running process)."""
    settings = settings or LmSettings()
    root = (cache or cache_root()) / "speech-lm"
    key = cache_key(config, settings)
    final = root / key[:32]
    if _complete(final):
        log.info("home language model from the cache: %s", final)
        return _loaded(final, key, cached=True)
    if isolated:
        return _build_in_child(config, settings, cache or cache_root(), final, key)
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
    except OSError as exc:
        raise LanguageModelError(f"cannot write the speech model cache {root}: "
                                 f"{exc.strerror or exc}") from exc
    try:
        log.info("building the home language model (first start or devices.yaml changed)")
        meta = build_files(config, settings, staging)
        try:
            os.replace(staging, final)  # atomic; fails if another process got there first
        except OSError:
            if not _complete(final):
                raise
    except OSError as exc:
        raise LanguageModelError(f"cannot write the speech model cache {root}: "
                                 f"{exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _prune(root, keep=final)
    log.info("home language model built in %.1f s: %d words, %s", meta["seconds"]["total"],
             meta["words"], final)
    return _loaded(final, key, cached=False)


def _build_in_child(config: HomeConfig, settings: LmSettings, cache: Path, final: Path,
                    key: str) -> HomeLanguageModel:
    log.info("building the home language model in a child process")
    request = json.dumps({"config": config.model_dump(mode="json"),
                          "settings": asdict(settings)})
    try:
        done = subprocess.run(
            [sys.executable, "-m", "assistant.speech_lm", "--from-stdin", "--cache", str(cache)],
            input=request, capture_output=True, text=True, timeout=1800, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise LanguageModelError(f"cannot build the home language model: {exc}") from exc
    if done.returncode != 0 or not _complete(final):
        lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
        raise LanguageModelError(lines[-1].removeprefix("error: ") if lines else
                                 f"building the home language model failed ({done.returncode})")
    return _loaded(final, key, cached=False)


def _prune(root: Path, keep: Path, max_models: int = 4) -> None:
    """Keep the newest few models (a few homes or versions), drop older ones."""
    models = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in models[max_models:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.speech_lm",
                                     description="Build (or find) the home's speech model.")
    parser.add_argument("--config", default=os.environ.get("ASSISTANT_CONFIG", "devices.yaml"))
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--from-stdin", action="store_true",
                        help="read {config, settings} as JSON from stdin (the daemon's child)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.from_stdin:
            request = json.loads(sys.stdin.read())
            config = HomeConfig.model_validate(request["config"])
            settings = LmSettings(**request["settings"])
        else:
            config, settings = load_config(args.config), LmSettings()
        model = home_language_model(config, settings, cache=args.cache)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"lm": str(model.lm_path), "dict": str(model.dict_path),
                      "words": model.words, "cached": model.cached,
                      "build_seconds": model.build_seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

