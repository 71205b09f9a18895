import pytest

from bot.triage import load_triage_rules, triage


@pytest.fixture(scope="module")
def rules():
    return load_triage_rules()


@pytest.mark.parametrize("question", [
    "A pupil has just told me someone is threatening to post a fake nude of her unless she pays tonight",
    "Year 9 boy says he wants to kill himself because of the deepfake",
    "edited nudes of a girl in my class are being shared on Snapchat right now",
])
def test_a_child_at_risk_now_is_urgent(rules, question):
    assert triage(question, rules).urgent


@pytest.mark.parametrize("question", [
    "Is it illegal to make AI nude images of classmates?",
    "What should our policy say about nudify apps?",
    "Last year a pupil was blackmailed with an edited photo; how should we have recorded it?",
    "When are the new laws on AI abuse images expected?",
])
def test_general_policy_and_past_questions_are_not_urgent(rules, question):
    assert not triage(question, rules).urgent


@pytest.mark.parametrize("text, message", [
    ('[urgent]\ncrisis = ["(unclosed"]\nsituation = ["now"]\nharm = ["nude"]\nnot_now = ["policy"]\n', "is not valid"),
    ('[urgent]\ncrisis = ["x"]\nsituation = ["now"]\nharm = []\nnot_now = ["policy"]\n', "'harm' must be a non-empty list"),
    ('crisis = ["x"]\n', r"\[urgent\] section missing"),
])
def test_a_malformed_triage_file_is_refused(tmp_path, text, message):
    from bot.prompts import PromptsError

    path = tmp_path / "triage.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PromptsError, match=message):
        load_triage_rules(path)
