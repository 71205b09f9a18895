"""Intent: the classifier that tells a "what do I do" question from a factual one."""

import json

import numpy as np
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


def phrasing_only():
    """The prompts' intent with a stand-in encoder: the phrasing patterns need no model."""
    return load_intent(DEFAULT_INTENT_FILE, lambda texts: np.eye(len(texts), 4))


@pytest.mark.parametrize("question", [
    "If staff find an AI fake nude on a pupil's device, are we allowed to delete it ourselves?",
    "am i allowed to search a kids phone if i think theres nudes on it",
    "How do I actually report a website with AI abuse imagery - is there a form?",
    "What's the process if a student makes a deepfake of a member of staff?",
    "Do we need the parents' permission before the DSL refers a child to children's social care?",
    "What sanction should the boy who made the fake nudes get?",
])
def test_asking_permission_or_the_process_is_asking_what_to_do(question):
    assert phrasing_only().phrased_as_what_to_do(question)


@pytest.mark.parametrize("question", [
    "What is nudifying?",
    "Is it illegal to make a deepfake of a classmate?",
    "how many teachers got the new guidance?",
    "What is meant by consent in the guidance?",
    "what sanctions does the new law bring in?",
])
def test_a_question_of_fact_is_not_taken_for_one_by_its_phrasing(question):
    assert not phrasing_only().phrased_as_what_to_do(question)


def test_a_malformed_phrasing_table_stops_loading(tmp_path):
    (tmp_path / "e.toml").write_text('what_to_do = ["a"]\nasks_a_fact = ["b"]\n', encoding="utf-8")
    model = '[model]\nexamples = "e.toml"\nthreshold = 0.5\nregularisation = 1\n'
    assert_refused(lambda path: load_intent(path, lambda texts: None), tmp_path / "intent.toml",
                   model + '[phrasing]\nwhat_to_do = ["("]\n', "not valid")
    assert_refused(lambda path: load_intent(path, lambda texts: None), tmp_path / "intent.toml",
                   'phrasing = 3\n' + model, "must be a table")
