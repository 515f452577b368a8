"""From per-token slot tags to text spans, and from span text to values (numbers, colours)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.labels import COLOR_ALIASES, COLORS

_UNITS = {
    "zero": 0, "oh": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
         "seventy": 70, "eighty": 80, "ninety": 90}
# Words that stand for a whole percentage on their own.
_PERCENT_WORDS = {
    "half": 50, "halfway": 50, "quarter": 25, "quarters": 25, "third": 33, "thirds": 33,
    "full": 100,
    "fully": 100, "max": 100, "maximum": 100, "all": 100, "min": 1, "minimum": 1, "off": 0,
}
_HOMOPHONES = {"to": 2, "too": 2, "for": 4, "won": 1, "ate": 8, "tree": 3}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
# A sign said before a number: "minus five", "negative 3", "-5" (not "twenty-five").
_SIGN = re.compile(r"(?:(?<![\w-])(?:minus|negative)\s+|(?<![\w-])-\s*)$", re.I)
_FRACTION_WORDS = frozenset({"quarter", "quarters", "third", "thirds", "half"})


@dataclass(frozen=True)
class TaggedSpan:
    """A contiguous run of word pieces with one span kind, mapped back to the text."""

    kind: str  # DEV, ROOM, NUM, COLOR
    start: int
    end: int
    text: str


def spans_from_tags(text: str, tags: Sequence[str],
                    offsets: Sequence[tuple[int, int]]) -> list[TaggedSpan]:
    """BIO tags per piece -> spans.

    A word takes the tag of its first piece (the usual reading of word-piece taggers), a
    stray I- starts a span, and two spans of one kind with only a space between them are
    one mention ("window" + "blinds").
    """
    tags, offsets = _word_tags(text, tags, offsets)
    spans: list[TaggedSpan] = []
    kind: str | None = None
    start = end = 0
    for tag, (s, e) in zip(tags, offsets, strict=True):
        prefix, _, tag_kind = tag.partition("-")
        continues = kind is not None and tag_kind == kind and (prefix == "I" or s == end)
        if continues:
            end = e
            continue
        if kind is not None:
            spans.append(TaggedSpan(kind, start, end, text[start:end]))
        kind, start, end = (tag_kind, s, e) if prefix in ("B", "I") else (None, 0, 0)
    if kind is not None:
        spans.append(TaggedSpan(kind, start, end, text[start:end]))
    merged: list[TaggedSpan] = []
    for span in spans:
        last = merged[-1] if merged else None
        if last and last.kind == span.kind and not text[last.end : span.start].strip():
            merged[-1] = TaggedSpan(span.kind, last.start, span.end, text[last.start : span.end])
        else:
            merged.append(span)
    return merged


def _word_tags(text: str, tags: Sequence[str], offsets: Sequence[tuple[int, int]]
               ) -> tuple[list[str], list[tuple[int, int]]]:
    """One (tag, offsets) per word: pieces that touch the previous one join its word."""
    word_tags: list[str] = []
    word_offsets: list[tuple[int, int]] = []
    for tag, (s, e) in zip(tags, offsets, strict=True):
        joined = (word_offsets and s == word_offsets[-1][1] and text[s - 1 : s].isalnum()
                  and text[s : s + 1].isalnum())
        if joined:
            word_offsets[-1] = (word_offsets[-1][0], e)
        else:
            word_tags.append(tag)
            word_offsets.append((s, e))
    return word_tags, word_offsets


def parse_number(words: str) -> float | None:
    """"twenty five" -> 25, "19.5" -> 19.5, "nineteen point five" -> 19.5, "half" -> 50."""
    if re.match(r"\s*(minus|negative)\b", words, re.I):  # "minus five" = -5
        rest = parse_number(re.sub(r"^\s*(minus|negative)\b", "", words, flags=re.I))
        return None if rest is None else -rest
    text = words.lower().replace("%", " ").replace("-", " ")
    digits = _NUMBER.search(text)
    if digits:
        return float(digits.group().replace(",", "."))
    if re.search(r"\band a half$", text.strip()):  # "nineteen and a half"
        whole = parse_number(text.strip()[: -len("and a half")])
        return None if whole is None else whole + 0.5
    tokens = [t for t in re.findall(r"[a-z]+", text) if t not in ("and", "a", "per", "cent",
                                                                  "percent", "degrees", "of",
                                                                  "the", "way")]
    for token in tokens:
        if token in _PERCENT_WORDS and len(tokens) <= 2:
            if token.startswith("quarter") and "three" in tokens:
                return 75.0
            if token.startswith("third") and "two" in tokens:
                return 67.0
            return float(_PERCENT_WORDS[token])
    total, current, decimals, seen = 0.0, 0.0, "", False
    after_point = False
    for token in tokens:
        if token == "point":
            after_point = True
            continue
        if after_point and token in _UNITS:
            decimals += str(_UNITS[token])
            continue
        if token in _UNITS:
            current += _UNITS[token]
            seen = True
        elif token in _TENS:
            current += _TENS[token]
            seen = True
        elif token == "hundred":
            current = max(current, 1) * 100
            seen = True
        elif token in _HOMOPHONES and not seen and len(tokens) == 1:
            return float(_HOMOPHONES[token])
    if not seen:
        return None
    total += current
    return total + float(f"0.{decimals}") if decimals else total


_NUMBER_WORDS = frozenset(_UNITS) | frozenset(_TENS) | {"hundred", "point"}


def _follows(last: str, word: str, taken: Sequence[str]) -> bool:
    """Can number word `word` go on the number that ends in `last`: "twenty five", "two
    hundred", "hundred and ten", "nineteen point five five"; not "ten fifty" or "five six"."""
    if "point" in taken:
        return word in _UNITS and _UNITS[word] < 10
    if word == "point" or last in ("hundred", "and"):
        return True
    if word == "hundred":
        return last in _UNITS or last == "a"
    return last in _TENS and word in _UNITS and 0 < _UNITS[word] < 10


def number_phrase(text: str, start: int) -> str:
    """The whole number phrase that starts at `start`: "19.5", "twenty five", "nineteen and
    a half" (a tagger may stop one piece early)."""
    digits = _NUMBER.match(text, start)
    if digits:
        return digits.group()
    words = re.findall(r"[a-z]+", text[start:].lower())
    taken: list[str] = []
    for i, word in enumerate(words):
        after = words[i + 1] if i + 1 < len(words) else ""
        hundred = (word == "a" and not taken and after == "hundred") or (  # "a hundred and"
            word == "and" and bool(taken) and taken[-1] == "hundred" and after in _NUMBER_WORDS)
        if word in _NUMBER_WORDS and taken and not _follows(taken[-1], word, taken):
            break  # "ten fifty": two numbers, not sixty
        if hundred or word in _NUMBER_WORDS or (word in _PERCENT_WORDS and not taken) or (
                word in _FRACTION_WORDS and taken and taken[-1] in _UNITS):  # "three quarters"
            taken.append(word)
        elif taken and words[i : i + 3] == ["and", "a", "half"]:
            taken += ["and", "a", "half"]
            break
        else:
            break
    return " ".join(taken)


def find_number(text: str) -> float | None:
    """A number anywhere in the text, sign kept: the fallback when no NUM span was tagged."""
    digits = _NUMBER.search(text)
    if digits:
        return retaken(text, digits.start(),
                       signed(text, digits.start(), float(digits.group().replace(",", "."))))
    for m in re.finditer(r"[a-z]+", text.lower()):
        if m.group() in _UNITS or m.group() in _TENS or m.group() == "hundred" or (
                m.group() == "a" and text[m.end():].lower().lstrip().startswith("hundred")):
            number = parse_number(number_phrase(text, m.start()))
            return None if number is None else retaken(text, m.start(),
                                                       signed(text, m.start(), number))
    return None


def said_numbers(text: str) -> set[float]:
    """Every number said in the text, a number taken back counted as the one said for it
    ("20 no 21": {21}); "one" alone is left out (it is "the one by the window" as often)."""
    values: set[float] = set()
    taken_to = 0
    for m in re.finditer(r"\d+(?:[.,]\d+)?|[a-z]+", text.lower()):
        word = m.group()
        if m.start() < taken_to or not (word[0].isdigit() or word in _TENS or word == "hundred"
                                        or (word in _UNITS and _UNITS[word] > 1)):
            continue
        phrase = word if word[0].isdigit() else number_phrase(text, m.start())
        number = parse_number(phrase)
        if number is None:
            continue
        taken_to = m.start() + len(phrase)
        values.add(retaken(text, m.start(), signed(text, m.start(), number)))
    return values


# "20 no 21", "thirty percent, sorry, forty": a number taken back for the one said after it.
_RETAKEN = re.compile(
    r"\s*(?:%|percent|per cent|degrees?)?(?:[\s,.;:!-]+(?:uh|um|er|erm|oh|hmm|hm|mm))*"
    r"[\s,.;:!-]+(?:no|nope|sorry|i mean|i meant|actually|or rather|rather|make (?:it|that)|"
    r"wait|oops)(?:[\s,.;:!-]+(?:no|sorry|wait|i mean|make it|make that|set it to|actually|"
    r"let'?s say|say|let'?s (?:go with|do|make it)|go with))*[\s,.;:!-]+(?:(?:to|at)\s+)?"
    r"(?=[-\w])", re.I)


def retaken(text: str, start: int, number: float) -> float:
    """The number said last, when the one said at `start` is taken back ("set the heating
    to 20 no 21": 21)."""
    while True:
        phrase = number_phrase(text, start)
        after = _RETAKEN.match(text, start + len(phrase)) if phrase else None
        again = number_phrase(text, after.end()) if after else ""
        value = parse_number(again) if again else None
        if after is None or value is None:
            return number
        start, number = after.end(), signed(text, after.end(), value)


def signed(text: str, start: int, number: float) -> float:
    """`number`, negative when "minus", "negative" or "-" comes just before `start`."""
    return -number if _SIGN.search(text[:start]) else number


def temperature_unit(text: str) -> str | None:
    """ "fahrenheit" or "celsius" when the text says which (°F, "degrees c"), else None."""
    low = text.lower()
    if re.search(r"fahrenheit|°\s*f\b|\bdegrees? f\b|\b\d+\s*f\b", low):
        return "fahrenheit"
    if re.search(r"celsius|centigrade|°\s*c\b|\bdegrees? c\b|\b\d+\s*c\b", low):
        return "celsius"
    return None


def parse_color(words: str) -> str | None:
    """A colour span -> its name in labels.COLORS ("warm-white" -> "warm white")."""
    text = " ".join(re.findall(r"[a-z]+", words.lower()))
    if text in COLORS:
        return text
    # Every name and alias said; one inside a longer one said ("white" of "soft white") does
    # not count; then a name before an alias ("red" before "warm"), the longest first.
    found = [(m.start(), m.end(), rank, name) for rank, (phrase, name) in enumerate(COLOR_PHRASES)
             for m in re.finditer(rf"\b{phrase}\b", text)]
    whole = [f for f in found if not any(
        o[0] <= f[0] and f[1] <= o[1] and o[1] - o[0] > f[1] - f[0] for o in found)]
    return min(whole, key=lambda f: f[2])[3] if whole else None


# (phrase, colour name) for every name, the longest first, then every alias
COLOR_PHRASES = [*((c, c) for c in sorted(COLORS, key=len, reverse=True)),
                  *((a, name) for name, alts in COLOR_ALIASES.items() for a in alts)]
