"""The home's language model: text normalisation, pronunciations (CMU dictionary, then
gruut G2P), the ArpaBoLM build from the phrase generator, and its cache. Real PocketSphinx
decodes real fixture WAVs with it. Nothing is mocked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import speech_lm
from assistant.audio import wav_utterance
from assistant.config import HomeConfig
from assistant.g2p import ARPABET, ipa_to_arpabet, load_cmudict, pronounce, spell_letters
from assistant.speech import PocketSphinxRecognizer, reading_confidence
from assistant.speech_lm import (
    HomeLanguageModel,
    LmSettings,
    cache_key,
    cache_root,
    home_language_model,
    spoken_text,
)

ROOT = Path(__file__).resolve().parent.parent
SPEECH = ROOT / "tests" / "data" / "speech"
SMALL = LmSettings(sentences=1500, everyday_sentences=300, everyday_vocabulary=300)


def small_home(**device_names: str) -> HomeConfig:
    devices = {dev_id: {"name": name, "type": "light", "room": "den",
                        "mqtt": {"preset": "zigbee2mqtt"}}
               for dev_id, name in (device_names or {"den_lamp": "arc lamp"}).items()}
    return HomeConfig.model_validate({"rooms": {"den": {"name": "den"}}, "devices": devices})


def arpa_unigrams(model: HomeLanguageModel) -> set[str]:
    words: set[str] = set()
    section = False
    for line in model.lm_path.read_text(encoding="utf-8").splitlines():
        if line.startswith("\\"):
            section = line == "\\1-grams:"
            continue
        if section and line.strip():
            words.add(line.split()[1])
    return words


def dictionary(model: HomeLanguageModel) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in model.dict_path.read_text(encoding="utf-8").splitlines():
        head, _, phones = line.partition(" ")
        out.setdefault(head.split("(", 1)[0], []).append(phones)
    return out


# ------------------------------------------------------------------------ text


def test_spoken_text() -> None:
    assert spoken_text("Set the heating to 19.5°!") == \
        "set the heating to nineteen point five degrees"
    assert spoken_text("Dim the LAMP to 50%, please.") == "dim the lamp to fifty percent please"
    assert spoken_text("Kids-room light & fan") == "kids room light and fan"
    assert spoken_text("I'm home") == "i'm home"


# ------------------------------------------------------------- pronunciations


def test_a_number_heard_unsurely_caps_the_reading_confidence() -> None:
    """The mean word posterior, capped by any number word's: "nineteen" at 0.55 in a reading
    otherwise heard well must not set the heating on the strength of the other words."""
    sure = [("<s>", 1.0), ("set", 0.84), ("the", 1.0), ("heating", 1.0), ("to", 0.46),
            ("degrees", 1.0), ("</s>", 1.0)]
    assert reading_confidence(sure) == pytest.approx((0.84 + 1 + 1 + 0.46 + 1) / 5)
    with_number = [*sure[:5], ("nineteen", 0.55), *sure[5:]]
    assert reading_confidence(with_number) == pytest.approx(0.55)
    assert reading_confidence([("half", 0.9), ("<sil>", 0.0), ("open", 0.7)]) == \
        pytest.approx(0.8)
    assert reading_confidence([("<sil>", 0.2)]) == 0.0
    # Three words under 0.3: garbled, whatever the rest.
    garbled = [("make", 0.3), ("the", 0.76), ("hallway", 0.99), ("light", 0.98), ("to", 0.37),
               ("be", 0.13), ("you", 0.17)]
    assert reading_confidence(garbled) == pytest.approx((0.3 + 0.76 + 0.99 + 0.98 + 0.37
                                                         + 0.13 + 0.17) / 7)
    assert reading_confidence([*garbled, ("now", 0.05)]) == 0.0


def test_names_missing_from_the_dictionary_get_a_pronunciation() -> None:
    cmu = load_cmudict()
    names = ["roomba", "wemo", "ecobee", "unmute", "blinkomatic", "zorbly", "lifx"]
    assert not [w for w in names if w in cmu]  # the point: the dictionary lacks them all
    prons, made = pronounce([*names, "kitchen"])
    assert set(prons) == {*names, "kitchen"} and set(made) == set(names)
    assert prons["kitchen"] == cmu["kitchen"]
    for word in names:
        for phones in prons[word]:
            assert phones and set(phones.split()) <= ARPABET, (word, phones)
    assert prons["unmute"][0] == "AH N M Y UW T"  # "mute" keeps its Y
    assert prons["roomba"][0] == "R UW M B AH"
    assert prons["ecobee"][0] == "EH K OW B IY"


def test_without_espeak_names_are_spelled_not_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")  # no espeak-ng to be found
    prons, _ = pronounce(["unmute", "lifx"])
    assert prons["unmute"] == ("AH N M Y UW T",)  # a compound of dictionary words
    assert prons["lifx"] == ("EH L AY EH F EH K S",)  # letter by letter


def test_ipa_mapping_and_letter_spelling() -> None:
    assert ipa_to_arpabet(["dʒˈɑːɹvɪs"]) == "JH AA R V IH S"
    assert ipa_to_arpabet(["ˈoʊ", "k", "eɪ"]) == "OW K EY"
    assert spell_letters("tv2") == "T IY V IY"
    assert spell_letters("42") == ""


# ----------------------------------------------------------------- the model


def test_build_writes_a_model_with_every_name_and_caches_it(tmp_path: Path) -> None:
    config = small_home(den_lamp="blinkomatic lamp", den_plug="zorbly")
    first = home_language_model(config, SMALL, cache=tmp_path)
    assert not first.cached and first.build_seconds > 0
    words = arpa_unigrams(first)
    prons = dictionary(first)
    assert {"blinkomatic", "zorbly", "den", "lamp", "turn", "yes", "no"} <= words
    assert words - {"<s>", "</s>"} == set(prons)  # every word has a pronunciation
    assert set(first.made_up) >= {"blinkomatic", "zorbly"}
    meta = json.loads((first.directory / "meta.json").read_text())
    assert meta["sentences"]["everyday"] == SMALL.everyday_sentences
    # Found in the cache the second time; nothing half-written is left behind.
    again = home_language_model(config, SMALL, cache=tmp_path)
    assert again.cached and again.directory == first.directory and again.build_seconds == 0
    assert [p.name for p in (tmp_path / "speech-lm").iterdir()] == [first.directory.name]


def test_the_daemon_builds_in_a_child_process(tmp_path: Path) -> None:
    config = small_home(den_lamp="zorbly lamp")
    built = home_language_model(config, SMALL, cache=tmp_path, isolated=True)
    assert not built.cached and "zorbly" in arpa_unigrams(built)
    assert home_language_model(config, SMALL, cache=tmp_path).directory == built.directory


def test_cache_key_follows_the_home_not_the_mqtt_settings() -> None:
    config = small_home()
    key = cache_key(config, SMALL)
    moved = config.model_copy(update={"mqtt": config.mqtt.model_copy(update={"port": 1884})})
    assert cache_key(moved, SMALL) == key
    renamed = small_home(den_lamp="arc light")
    assert cache_key(renamed, SMALL) != key
    woken = config.model_copy(update={"speech": config.speech.model_copy(
        update={"wake_phrase": "hey banana"})})
    assert cache_key(woken, SMALL) != key
    assert cache_key(config, LmSettings(sentences=2000)) != key


def test_cache_key_follows_the_runtime_wake_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """The generator takes its wake words from assistant/data/phrasing.yaml: another list
    there is another language model (a stale one once gave 9 wrong actions)."""
    config = small_home()
    key = cache_key(config, SMALL)
    phrasing = (Path(speech_lm.__file__).parent / "data" / "phrasing.yaml").resolve()
    real_read = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        data = real_read(path)
        return data + b"\n# another wake word list\n" if path.resolve() == phrasing else data

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert cache_key(config, SMALL) != key


def test_cache_directory_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CACHE_DIRECTORY", f"{tmp_path / 'systemd'}:{tmp_path / 'other'}")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "systemd"
    monkeypatch.delenv("CACHE_DIRECTORY")
    assert cache_root() == tmp_path / "xdg" / "milm-assistant"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_root() == Path.home() / ".cache" / "milm-assistant"


def test_unwritable_cache_is_one_clear_error(tmp_path: Path) -> None:
    from assistant.speech_lm import LanguageModelError

    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(LanguageModelError, match="cannot write the speech model cache"):
        home_language_model(small_home(), SMALL, cache=blocker)


# -------------------------------------------------------------- decoding


def test_reference_model_decodes_free_phrasing(reference_lm: HomeLanguageModel) -> None:
    rec = PocketSphinxRecognizer(None, language_model=reference_lm)
    assert rec.mode == "lm"
    heard = rec.recognize(wav_utterance(SPEECH / "cmd05_turn_on_the_kettle_please.wav"))
    assert heard.text == "turn on the kettle please"
    assert heard.confidence is not None and 0.5 < heard.confidence <= 1
    assert heard.alternatives and heard.alternatives[0].text == heard.text
    assert all(0 <= a.confidence <= heard.confidence for a in heard.alternatives)
    assert len({a.text for a in heard.alternatives}) == len(heard.alternatives)
    # Everyday talk has somewhere to go: no home command comes out of it.
    chat = rec.recognize(wav_utterance(SPEECH / "non60_i_had_a_long_day_at_work.wav"))
    assert chat.text and "kettle" not in chat.text


def test_an_empty_nbest_entry_is_skipped(reference_lm: HomeLanguageModel) -> None:
    """PocketSphinx's n-best list can hold an empty entry (None) for some audio: it is
    skipped, not a crash of `parse --audio` or the daemon's utterance."""
    rec = PocketSphinxRecognizer(None, language_model=reference_lm)
    heard = rec.recognize(wav_utterance(ROOT / "tests" / "data" / "speech_edge" /
                                        "nbest_gap.wav"))
    assert heard.alternatives and heard.alternatives[0].text == heard.text
