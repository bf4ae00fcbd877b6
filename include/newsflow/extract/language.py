"""Language of an article's text, detected with py3langid (its model ships with the package).

Short texts fall back to the language the page or the feed declared.
"""

from __future__ import annotations

#: Below this many characters of text, a detection is a guess; the declared language wins.
MIN_CHARS_FOR_DETECTION = 20
#: Enough text for a stable answer; longer texts only cost time.
MAX_CHARS_FOR_DETECTION = 1500
#: Below this normalised probability, the declared language (if any) is preferred.
MIN_CONFIDENCE = 0.5

_identifier = None


def _get_identifier():
    """The py3langid identifier, built once (loading the bundled model takes ~0.3 s)."""
    global _identifier
    if _identifier is None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier  # bundled model, no download

        _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def detect_language(text: str, declared: str | None = None) -> str | None:
    """ISO 639-1 code of the text, or the declared language when the text is too short or unclear."""
    declared = (declared or "").strip().lower()[:2] or None
    sample = (text or "").strip()[:MAX_CHARS_FOR_DETECTION]
    if len(sample) < MIN_CHARS_FOR_DETECTION:
        return declared
    try:
        code, confidence = _get_identifier().classify(sample)
    except Exception:  # detection is advisory; a failure must not fail the article
        return declared
    if confidence < MIN_CONFIDENCE and declared:
        return declared
    return code
