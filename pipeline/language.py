"""Language identification per passage (py3langid, a model shipped inside the package).

Passages that are not Dutch are flagged, never dropped: an English answer is still an
answer. Very short or symbol-only texts get ``und`` (undetermined) rather than a guess.
"""

from __future__ import annotations

UNDETERMINED = "und"


class LanguageDetector:
    """Flag the language of short texts.

    Args:
        languages: ISO 639-1 codes to choose among (a closed set is far more reliable
            on short answers than all 97 of the model's languages).
        min_confidence: below this normalised probability the result is ``und``.
        min_letters: texts with fewer letters than this are ``und``.
    """

    def __init__(self, languages: list[str], min_confidence: float, min_letters: int):
        self.languages = languages
        self.min_confidence = min_confidence
        self.min_letters = min_letters

    def fit(self) -> "LanguageDetector":
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        self.identifier_ = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        self.identifier_.set_languages(self.languages)
        return self

    def detect(self, text: str) -> str:
        if sum(ch.isalpha() for ch in text) < self.min_letters:
            return UNDETERMINED
        lang, prob = self.identifier_.classify(text)
        return lang if prob >= self.min_confidence else UNDETERMINED
