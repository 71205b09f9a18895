"""Question kinds from prompts/: "what is our school's policy?" is answered only by a school policy."""

import pytest

from bot.answer.kinds import load_kinds


@pytest.fixture(scope="module")
def kinds():
    return load_kinds()


@pytest.mark.parametrize("question", [
    "What is our school's policy on mobile phones in lessons?",
    "what does our policy say about phones",
    "what are the school rules on phones",
    "Does our school have a policy on deepfakes?",
    "What does the academy’s procedure say about searching bags?",
])
def test_a_question_about_the_schools_own_policy_is_recognised(kinds, question):
    assert kinds.asks_own_policy(question)


@pytest.mark.parametrize("question", [
    "What should our policy say if a pupil creates a fake nude of another pupil?",
    "Rewriting our online safety policy: is 'only banter' a known reason pupils give?",
    "For our policy: if a teacher gets sent an AI explicit image of a pupil by mistake, what should they do?",
    "A colleague took photos of pupils on his own phone, against our policy. Is that a low-level concern?",
    "What is the procedure if a pupil goes missing?",
    "Is it illegal to make a deepfake of a classmate?",
])
def test_questions_about_what_a_policy_should_say_or_general_procedure_are_not(kinds, question):
    assert not kinds.asks_own_policy(question)
