"""A question not in English is told so, and never answered by a quote matched on a stray word."""

import pytest

from bot.answer.language import looks_english

KNOWN = {"nudifi", "app", "legal", "sextort", "deepfak"}
MODEL_WORDS = {"inspection", "framework", "changes", "grade", "boundaries", "last", "summer", "beth"}


def analyzer(text: str) -> list[str]:
    return [text.lower()[:7]]


@pytest.mark.parametrize("question, english", [
    ("Beth ddylwn i ei wneud os oes llun noeth ffug o ddisgybl yn cael ei rannu?", False),  # Welsh
    ("Czy mogę zabrać uczniowi telefon i go przejrzeć?", False),  # Polish
    ("¿Qué debo hacer si un alumno comparte una foto falsa?", False),  # Spanish
    ("is it illegal for a pupil to make a fake nude?", True),  # common English words
    ("nudify app legal", True),  # no common words, but the library's own
    ("gcse maths grade boundaries last summer", True),  # whole words of the model's vocabulary
    ("sextortion?", True),  # too short to tell
])
def test_questions_in_other_languages_are_told_apart(question, english):
    assert looks_english(question, analyzer, KNOWN, MODEL_WORDS) is english
