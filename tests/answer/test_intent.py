"""Intent: the classifier that tells a "what do I do" question from a factual one."""

import json

import pytest

from bot.answer.intent import DEFAULT_INTENT_FILE, load_examples, load_intent
from bot.evaluation.labelled import DEFAULT_QUESTIONS
from tests.conftest import PROJECT_ROOT, assert_refused

EXAMPLES = PROJECT_ROOT / "prompts" / "intent_examples.toml"


def test_no_test_or_holdout_question_is_an_example():
    examples = load_examples(EXAMPLES)
    taught = set(examples.what_to_do) | set(examples.asks_a_fact)
    measured = {json.loads(line)["question"] for line in DEFAULT_QUESTIONS.read_text(encoding="utf-8").splitlines()
                if json.loads(line)["split"] in ("test", "holdout")}
    assert not taught & measured


def test_malformed_files_stop_loading_with_the_file_named(tmp_path):
    def load(path):
        return load_intent(path, lambda texts: None)

    assert_refused(load, tmp_path / "intent.toml", "[other]\n", "missing")
    assert_refused(load, tmp_path / "intent.toml", '[model]\nexamples = "e.toml"\nthreshold = 1.5\nregularisation = 1\n',
                   "threshold")
    (tmp_path / "e.toml").write_text('what_to_do = ["a"]\nasks_a_fact = ["a"]\n', encoding="utf-8")
    assert_refused(load, tmp_path / "intent.toml", '[model]\nexamples = "e.toml"\nthreshold = 0.5\nregularisation = 1\n',
                   "listed as both")


@pytest.mark.slow
@pytest.mark.parametrize("question, expected", [
    ("should I confiscate the phone?", True),
    ("who do I ring if a pupil shows me a fake nude of a classmate?", True),
    ("What is nudifying?", False),
    ("how many teachers got the new guidance?", False),
])
def test_the_classifier_tells_what_to_do_from_a_fact(embedder, question, expected):
    intent = load_intent(DEFAULT_INTENT_FILE, embedder.encode)
    assert intent.asks_what_to_do(embedder.encode_query(question)) is expected
