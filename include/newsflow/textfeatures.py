"""Shared text features for dedup and story clustering: normalization, tokens, stems, entities.
Pure functions over strings; deterministic and model-free (no downloads, no global state)."""

from __future__ import annotations

import re
import unicodedata

# Words that carry no topic; a compact English list (news text), kept small on purpose so that
# verbs such as "killed" or "retaken" still count.
STOPWORDS = frozenset(
    """a about above after again against ago all also am an and any are as at be been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves said says say told tells according
    one new also would could may might must shall us via per amid among upon within without since
    s t don re ve ll d m o y mr mrs ms dr st""".split()
)

# Capitalized words that start sentences or headlines without naming anything.
_NOT_ENTITY = STOPWORDS | frozenset(
    """monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
    updated update breaking exclusive watch video photos live report reports news
    january february march april may june july august september october november december""".split()
)

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"^\d")
_CAP_RUN = re.compile(r"(?:[A-Z][\w'’.&-]*\s+){0,3}[A-Z][\w'’.&-]*")


def normalize_text(text: str) -> str:
    """NFKC, lower case, punctuation dropped, whitespace collapsed: what 'same text' means."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return " ".join(_WORD.findall(text))


def words(text: str) -> list[str]:
    """Lower-cased word tokens of `text` (apostrophes kept inside words)."""
    return _WORD.findall(unicodedata.normalize("NFKC", text or "").lower().replace("’", "'"))


def stem(word: str) -> str:
    """A light English suffix stripper (plural/verb endings) so 'attacks'/'attacked' meet.

    Deliberately weaker than Porter: over-stemming merges unrelated events' vocabularies.
    """
    w = word
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) <= 3 or _NUMBER.match(w):
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("ing") and len(w) > 5:
        w = w[:-3]
        return w[:-1] if len(w) > 3 and w[-1] == w[-2] else w
    if w.endswith("ed") and len(w) > 4:
        w = w[:-2]
        return w[:-1] if len(w) > 3 and w[-1] == w[-2] else w
    if w.endswith("es") and w[-3] in "sxz" and len(w) > 4:
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def content_terms(text: str) -> list[str]:
    """Stemmed content words of `text`, stopwords removed, in order."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1 or _NUMBER.match(w)]


_NUM_TOKEN = re.compile(r"\d+(?:[.,]\d+)*")
_SENTENCE_END = re.compile(r"[.!?:;\"“”‘’'(\[—–-]\s*$")


def _split_run(run: str) -> list[str]:
    """A capitalized run cut after a word that ends a sentence ("Holt. Langbridge" -> two runs);
    short dotted words ("Mr.", "U.S.", "Jos.") are abbreviations and do not cut."""
    parts, cur = [], []
    for tok in run.split():
        cur.append(tok)
        if tok.endswith(".") and len(tok.strip(".")) > 3 and "." not in tok.strip("."):
            parts.append(" ".join(cur))
            cur = []
    if cur:
        parts.append(" ".join(cur))
    return parts


def _sentence_start(line: str, pos: int) -> bool:
    """True when a match at `pos` opens a sentence (line start, or after . ! ? : quotes or dashes)."""
    before = line[:pos].rstrip()
    return not before or bool(_SENTENCE_END.search(before))


def entities(text: str) -> list[str]:
    """Names, places and numbers: capitalized runs and numeric tokens, lower-cased.

    A capitalized run of 1-4 words counts unless it is a single function word (sentence starts
    like "The" or "After"); multi-word runs also yield their last word ("Tara Reid" -> "reid")
    because later mentions use the surname alone. A single capitalized word that opens a sentence
    ("Residents said...", "Local radio...") counts only when the same text also capitalizes it
    mid-sentence: otherwise it is just a word at a sentence start. Possessive 's is dropped and
    numbers are kept whole ("10.3", "10,700"); single digits are too common to name anything.
    """
    lines = (text or "").splitlines()
    runs: list[tuple[list[str], bool]] = []
    mid_caps: set[str] = set()
    for line in lines:
        for m in _CAP_RUN.finditer(line):
            pos = m.start()
            for raw in _split_run(m.group(0)):
                toks = [t.strip(".'’&-").lower() for t in raw.split()]
                toks = [t[:-2] if t.endswith(("'s", "’s")) else t for t in toks]
                toks = [t for t in toks if t]
                at_start = _sentence_start(line, pos)
                pos += len(raw) + 1
                if not at_start and toks:
                    mid_caps.add(toks[0])
                while toks and toks[0] in _NOT_ENTITY:
                    toks = toks[1:]
                    at_start = False
                if toks:
                    runs.append((toks, at_start))
    out: list[str] = []
    for toks, at_start in runs:
        if at_start and toks[0] not in mid_caps:
            toks = toks[1:]
            while toks and toks[0] in _NOT_ENTITY:
                toks = toks[1:]
        if not toks or (len(toks) == 1 and len(toks[0]) < 3):
            continue
        out.append(" ".join(toks))
        if len(toks) > 1:
            out.append(toks[-1])
    for line in lines:
        for num in _NUM_TOKEN.findall(line):
            if len(num) > 1:
                out.append(num)
    return out


def collapse_space(text: str) -> str:
    return _SPACE.sub(" ", text or "").strip()
