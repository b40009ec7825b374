"""A sentence splitter for news text that keeps character offsets.

A boundary is an end mark (``.``, ``!``, ``?``, ``…``), optionally followed by closing quotes or brackets,
then whitespace, then something that can open a sentence (a capital, a digit, an opening quote or
bracket). Known abbreviations, initials and dotted acronyms veto the boundary; a few abbreviations that
often end sentences too (``Inc.``, ``U.S.``) only split before a word that usually starts one.
Line breaks split before list items and after short lines without an end mark (headings, labels).
"""

from __future__ import annotations

import re

from newsdigest.summarizer.model import Span


def _word_set(words: str) -> frozenset[str]:
    """A set of words written as one string (long word lists read better that way)."""
    return frozenset(words.split())


# Titles and abbreviations that are (almost) never the last word of a sentence.
_NEVER_FINAL = _word_set(
    """mr mrs ms messrs mme mlle dr prof sen sens rep reps gov lt col gen maj capt cmdr adm sgt cpl pvt
    rev fr hon pres supt det insp st mt ft ave blvd rd no nos vol vols fig figs pp approx dept est cf
    e.g i.e vs v jan feb mar apr jun jul aug sep sept oct nov dec ala ariz ark calif colo conn del fla ga
    ill ind kan kans ky la md mass mich minn miss mo mont neb nev okla ore pa tenn tex va vt wash wis wyo
    op"""
)
# Abbreviations that end a sentence as often as not: split only before a typical sentence opener.
_MAYBE_FINAL = _word_set("inc corp ltd co jr sr etc bros plc llc al")
_OPENERS = _word_set(
    """the a an he she it they we i you his her its their our this that these those there here but and
    so yet or if when while after before as in on at by for from with without during since until
    however meanwhile still also then now some many most one two three police officials authorities
    what who why how where"""
)

# What may open a sentence: a digit, a capital (Latin, Latin Extended-A, Greek, Cyrillic) or a letter of a
# script without case (Arabic, Hebrew).
_CAPITAL = (
    "A-Z0-9À-ÖØ-Þ"
    "ĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ"
    "Α-ΩА-ЯЁ\u05d0-\u05ea\u0621-\u064a"
)
# One character class up front lets the regex engine skip quickly to the next candidate end mark.
_BOUNDARY = re.compile(
    r"""[.!?…。！？؟](?:
        (?<=[。！？])[。！？]*[」』）”’]*(?=\s*\S)                          # CJK: no space or capital needed
    |   (?<=[.!?…؟])[.!?…؟]*["'”’»)\]]*(?=\s+(?:["'“‘«(\[]\s?)*[CAPITAL])  # marks, closers, space, opener
    )""".replace("CAPITAL", _CAPITAL),
    re.VERBOSE,
)
_NEXT_WORD = re.compile(r"\s+[\"'“‘«(\[]*([\w’'-]+)")
_DOTTED_ACRONYM = re.compile(r"^(?:[A-Za-z]\.){2,}$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•·▪]\s|\d{1,3}[.)]\s|#{1,6}\s|>\s?)")
_OPENS_SENTENCE = re.compile(r"\s*[\"'“‘«(\[]*[" + _CAPITAL + "]")
_LINE_END_MARKS = frozenset(".!?…:;,\"'”’)]")


def _is_boundary(text: str, start: int, mark_start: int, mark_end: int) -> bool:
    if text[mark_start] != "." or text.startswith("..", mark_start):
        return True  # '!', '?' and ellipses always end a sentence when a capital follows
    space = text.rfind(" ", start, mark_start)
    token = text[space + 1 : mark_start]
    if len(token) > 5 and "." not in token and "\n" not in token:
        return True  # an ordinary word: no abbreviation we know is that long
    token = token.rsplit("\n", 1)[-1].lstrip("\"'“‘«([")
    if not token:
        return True
    low = token.lower()
    if low in ("no", "nos"):
        return not _next_word(text, mark_end)[:1].isdigit()  # "No. 5" but "the answer was no. The"
    if low in _NEVER_FINAL:
        return False
    if len(token) == 1 and token.isalpha() and token.isupper():
        return False  # an initial: "John F. Kennedy"
    if "." in token and _DOTTED_ACRONYM.match(token + "."):
        return _next_word(text, mark_end) in _OPENERS  # "U.S. officials" vs "... in the U.S. The"
    if low in _MAYBE_FINAL:
        return _next_word(text, mark_end) in _OPENERS
    return True


def _next_word(text: str, at: int) -> str:
    """The word after ``at`` (past spaces and opening quotes), lower-cased; "" if none."""
    match = _NEXT_WORD.match(text, at)
    return match.group(1).lower() if match else ""


def _inside_quote(text: str, start: int, at: int, end: int) -> bool:
    """An end mark inside a quotation that closes with a comma does not end the sentence:
    'it reads: “New lower prices. Same high standards,” said one sign.'"""
    if text.count("“", start, at) <= text.count("”", start, at):
        return False
    close = text.find("”", at, min(end, at + 200))
    return close > 0 and text[close - 1] == ","


def _line_pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a paragraph at line breaks that cannot be inside a sentence."""
    pieces: list[tuple[int, int]] = []
    piece_start = start
    pos = start
    while True:
        nl = text.find("\n", pos, end)
        if nl < 0:
            break
        line = text[pos:nl]
        following = text[nl + 1 : text.find("\n", nl + 1, end) if text.find("\n", nl + 1, end) >= 0 else end]
        if (
            _LIST_ITEM.match(following)
            or (
                line.strip()
                and line.rstrip()[-1] not in _LINE_END_MARKS
                and len(line.strip()) < 60
                and _OPENS_SENTENCE.match(following)
            )
            or not following.strip()
        ):
            pieces.append((piece_start, nl))
            piece_start = nl + 1
        pos = nl + 1
    pieces.append((piece_start, end))
    return pieces


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentences of ``text[start:end]`` as spans of ``text`` (trimmed, never empty)."""
    return [Span(text[a:b], a, b) for a, b in sentence_offsets(text, start, end)]


def sentence_offsets(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """``split_sentences`` as bare (start, end) pairs: the summarizer builds spans only for what it keeps."""
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    for piece_start, piece_end in _line_pieces(text, start, end):
        cut = piece_start
        quotes = text.find("“", piece_start, piece_end) >= 0
        for match in _BOUNDARY.finditer(text, piece_start, piece_end):
            mark_start, mark_end = match.span()
            if text[mark_start] == "." and text[mark_start - 1 : mark_start].isalpha():
                # the common case first, inline: an ordinary word ends the sentence
                space = text.rfind(" ", piece_start, mark_start)
                token = text[space + 1 : mark_start]
                ordinary = len(token) > 5 and "." not in token and "\n" not in token
                if not ordinary and not _is_boundary(text, piece_start, mark_start, mark_end):
                    continue
            elif not _is_boundary(text, piece_start, mark_start, mark_end):
                continue
            if quotes and _inside_quote(text, cut, mark_end, piece_end):
                continue
            # text[cut:mark_end], stripped: it ends with the end mark (or a closer), never with a space,
            # so only leading whitespace (usually one space) needs skipping
            a = cut
            while text[a].isspace():
                a += 1
            out.append((a, mark_end))
            cut = mark_end
        _append(text, cut, piece_end, out)
    return out


def _append(text: str, a: int, b: int, out: list[tuple[int, int]]) -> None:
    chunk = text[a:b]
    stripped = chunk.strip()
    if stripped:
        s = a + (len(chunk) - len(chunk.lstrip()))
        out.append((s, s + len(stripped)))
