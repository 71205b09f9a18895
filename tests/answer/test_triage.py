import json
import shutil

import numpy as np
import pytest

from bot.answer.triage import (
    DEFAULT_TRIAGE_FILE,
    load_examples,
    load_model_settings,
    load_triage,
    load_triage_rules,
    triage,
)
from bot.evaluation.labelled import DEFAULT_QUESTIONS
from tests.conftest import assert_refused


@pytest.fixture(scope="module")
def rules():
    return load_triage_rules()


@pytest.fixture(scope="module")
def assessor(embedder):
    return load_triage(DEFAULT_TRIAGE_FILE, embedder.encode)


@pytest.mark.parametrize("question", [
    "A pupil has just told me someone is threatening to post a fake nude of her unless she pays tonight",
    "Year 9 boy says he wants to kill himself because of the deepfake",
    "edited nudes of a girl in my class are being shared on Snapchat right now",
    # a child missing, in other words than "missing"
    "Year 7 didn't get back on the coach after the museum trip and her phone's off. How long do we wait?",
    "Reception child wasn't in the line after lunch. We've checked the toilets, hall and playground and the side gate was found open.",
    "we can't find one of our year 2 pupils after PE",
    # hurt now, though phrased as a question of permission or about the past
    "there's a gang of lads kicking a year 8 kid on the field behind the fence and I'm on duty on my own. "
    "am I allowed to physically pull them off him?",
    "A Year 8 girl has just told me she was 'cut' when the family went abroad in the summer and she's still in pain.",
])
def test_a_child_at_risk_now_is_urgent_by_the_patterns_alone(rules, question):
    assert triage(question, rules).urgent


@pytest.mark.parametrize("question", [
    "Is it illegal to make AI nude images of classmates?",
    "What should our policy say about nudify apps?",
    "Last year a pupil was blackmailed with an edited photo; how should we have recorded it?",
    "When are the new laws on AI abuse images expected?",
    "I can't find the safeguarding policy on the school website",
    "is it a safeguarding issue if a pupil keeps getting kicked in PE?",
])
def test_general_policy_and_past_questions_are_not_urgent(rules, assessor, embedder, question):
    assert not triage(question, rules).urgent
    assert not assessor.assess(question, embedder.encode_query(question)).urgent


@pytest.mark.slow
@pytest.mark.parametrize("question", [
    # Worded unlike every pattern: no time word, no threat word, no self-harm word.
    "Year 6 girl is sitting in the medical room shaking; a man she met gaming has a photo of her with her top off "
    "and wants her to video call him after school",
    "A lad in my tutor group is hiding in the toilets, someone has put a doctored picture of him in the year group chat",
])
def test_the_examples_model_catches_what_no_pattern_describes(rules, assessor, embedder, question):
    result = assessor.assess(question, embedder.encode_query(question))
    assert result.urgent and "examples" in result.reasons


def test_crisis_words_are_urgent_whatever_the_model_says(rules):
    assert triage("she says she wants to die", rules, probability=0.01).urgent


def test_the_patterns_move_the_bar_but_do_not_decide_alone(rules):
    bars = {"threshold": 0.5, "threshold_with_patterns": 0.3, "threshold_with_not_now": 0.7}
    happening = "A pupil has just told me someone is threatening to post a fake nude of her"  # situation, harm
    assert triage(happening, rules, 0.35, **bars).urgent
    assert not triage(happening, rules, 0.25, **bars).urgent
    plain = "How do fake nude apps work?"  # no pattern group decides
    assert not triage(plain, rules, 0.45, **bars).urgent
    assert triage(plain, rules, 0.55, **bars).urgent
    past = "A pupil was threatened with a fake nude last year; the case is closed"  # not_now
    assert not triage(past, rules, 0.65, **bars).urgent
    assert triage(past, rules, 0.75, **bars).urgent


def test_crisis_words_mean_danger_now_and_999_first(rules):
    assert triage("she says she wants to die", rules, probability=0.01).danger
    assert not triage("How do fake nude apps work?", rules, probability=0.9).danger


@pytest.mark.parametrize("question, danger", [
    ("A Year 9 girl has just told me someone will send a fake nude of her to everyone tonight unless she pays", True),
    ("a man she met online is waiting outside school for her after he made fake pics of her", True),
    ("pics of a year 8 girl edited to look naked are going round the group chat in my lesson right now", False),
])
def test_an_image_being_shared_is_urgent_for_the_lead_but_danger_comes_with_threats(assessor, embedder, question,
                                                                                      danger):
    result = assessor.assess(question, embedder.encode_query(question))
    assert result.urgent and result.danger is danger


def test_danger_examples_are_dev_situations_with_their_labels():
    """The danger/incident examples come from the dev split's `situation` labels, never test or
    holdout: the news seeds' and the default library's (seeds/eval/default), where an account the
    default set labels danger may be learnt as an incident (bot/evaluation/danger_mining.py)."""
    import tomllib

    from bot.config import PROJECT_ROOT
    from bot.evaluation.danger_mining import DEFAULT_SET

    labelled = {}
    for path in (DEFAULT_QUESTIONS, DEFAULT_SET):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            labelled.setdefault(row["question"], row)
    examples = tomllib.loads((PROJECT_ROOT / "prompts" / "danger_examples.toml").read_text(encoding="utf-8"))
    for wanted in ("danger", "incident"):
        assert examples[wanted]
        for text in examples[wanted]:
            row = labelled[text]
            assert row["split"] == "dev", row["id"]
            assert row["situation"] == wanted or (wanted == "incident" and row["situation"] == "danger"
                                                  and row["id"] in _default_ids()), row["id"]


def _default_ids() -> set[str]:
    from bot.evaluation.danger_mining import DEFAULT_SET

    return {json.loads(line)["id"] for line in DEFAULT_SET.read_text(encoding="utf-8").splitlines() if line.strip()}


def test_examples_are_dev_questions_with_their_labels():
    """Test and holdout questions measure triage: none may teach the model. The examples are the
    news seeds' dev questions and the default library's (seeds/eval/default) that triage got wrong."""
    labelled = {}
    for path in (DEFAULT_QUESTIONS, DEFAULT_QUESTIONS.parent / "default" / "questions.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            labelled.setdefault(row["question"], row)
    settings = load_model_settings()
    examples = load_examples(settings.examples)
    for wanted, texts in ((True, examples.urgent), (False, examples.not_urgent)):
        for text in texts:
            row = labelled.get(text)
            assert row is not None, f"example not in the labelled set: {text[:60]!r}"
            assert row["split"] == "dev", f"{row['id']} is a {row['split']} question"
            assert row["urgent"] is wanted, f"{row['id']} has the other label"


@pytest.mark.parametrize("text, message", [
    ('[urgent]\ncrisis = ["(unclosed"]\nsituation = ["now"]\nharm = ["nude"]\nnot_now = ["policy"]\n', "is not valid"),
    ('[urgent]\ncrisis = ["x"]\nsituation = ["now"]\nharm = []\nnot_now = ["policy"]\n', "'harm' must be a non-empty list"),
    ('crisis = ["x"]\n', r"\[urgent\] section missing"),
])
def test_a_malformed_triage_file_is_refused(tmp_path, text, message):
    assert_refused(load_triage_rules, tmp_path / "triage.toml", text, message)


MODEL = ('[model]\nexamples = "e.toml"\nthreshold = 0.5\nthreshold_with_patterns = 0.3\n'
         'threshold_with_not_now = 0.7\nregularisation = 1\n')
RULES = '[urgent]\ncrisis = ["x"]\nsituation = ["now"]\nharm = ["nude"]\nnot_now = ["policy"]\n'


@pytest.mark.parametrize("model, message", [
    ("", r"\[model\] section missing"),
    (MODEL.replace("threshold = 0.5", "threshold = 1.5"), "'threshold' must be a number above 0 and below 1"),
    (MODEL.replace("threshold_with_patterns = 0.3", "threshold_with_patterns = 0.6"), "must keep"),
    (MODEL.replace("regularisation = 1", 'regularisation = "high"'), "'regularisation' must be a number above 0"),
    (MODEL.replace('examples = "e.toml"\n', ""), "'examples' must name"),
])
def test_malformed_model_settings_are_refused(tmp_path, model, message):
    assert_refused(load_model_settings, tmp_path / "triage.toml", RULES + model, message)


@pytest.mark.parametrize("examples, message", [
    ('urgent = ["a"]\n', "'not_urgent' must be a non-empty list"),
    ('urgent = ["a", ""]\nnot_urgent = ["b"]\n', "'urgent' must be a non-empty list"),
    ('urgent = ["a"]\nnot_urgent = ["a"]\n', "listed as both urgent and not urgent"),
    ('urgent = ["a"\n', "not valid TOML"),
])
def test_malformed_examples_are_refused_with_the_file_named(tmp_path, examples, message):
    prompts = tmp_path / "prompts"
    shutil.copytree(DEFAULT_TRIAGE_FILE.parent, prompts)

    def load(_examples_file):  # the examples are read through triage.toml, before anything is embedded
        return load_triage(prompts / "triage.toml", lambda texts: np.zeros((len(texts), 4), dtype=np.float32))

    error = assert_refused(load, prompts / "triage_examples.toml", examples, message)
    assert "triage_examples.toml" in str(error)


def test_the_danger_section_is_optional_and_checked_when_given(tmp_path):
    from bot.answer.prompts import PromptsError
    from bot.answer.triage import load_danger

    path = tmp_path / "triage.toml"
    path.write_text("[urgent]\n", encoding="utf-8")
    assert load_danger(path, lambda texts: np.zeros((len(texts), 3))) is None
    path.write_text('[danger]\nexamples = "d.toml"\nthreshold = 1.5\nregularisation = 1\n', encoding="utf-8")
    with pytest.raises(PromptsError, match=r"\[danger\]: 'threshold' must be a number above 0 and below 1"):
        load_danger(path, lambda texts: np.zeros((len(texts), 3)))


@pytest.mark.parametrize("question, crisis", [
    # danger denied is not a crisis
    ("A girl in my class is in danger, her stepdad is outside", True),
    ("he's not in danger as far as i know but does a parent drinking count for early help?", False),
    ("she isn't in danger now, the incident was last term", False),
    ("A colleague made a remark about a girl's body. Nobody is in danger and it was a one-off.", False),
    # a child who needs an ambulance, however the cause is put
    ("a pupil has collapsed in the toilets after taking some tablets, barely responding", True),
    ("one of my year 11s says she swallowed a whole packet of paracetamol before registration", True),
    ("boy in my form isn't breathing properly after the fight", True),
    ("how do I put an unconscious child in the recovery position?", False),
    # goodbye and not being around: warning signs of suicide
    ("just had a message from a yr 10 at half 10 at night saying 'this is goodbye, sorry for everything'", True),
    ("Girl in Y9 keeps saying she won't be around next week anyway and has given her things away", True),
    ("he wrote that there's no point carrying on and he's worked out how he'd do it", True),
    ("what should a goodbye card for a leaving TA say?", False),
    ("how should I handle saying goodbye to my class at the end of term?", False),
    # a child meeting an adult today
    ("14yo told me her 'boyfriend' is 23 and she's meeting him after school today", True),
    ("the DSL is meeting with her parents on Friday - should I be there?", False),
    # afraid to go home, ending it tonight, a child who has not come in and cannot be reached
    ("Year 5 girl says her dad hit her with a belt last night and she's scared to go home", True),
    ("Found a note in a pupil's book saying she's going to end it tonight", True),
    ("he hasn't come in today and isn't answering his phone", True),
    ("is it normal for a new reception child to be scared of the dark?", False),
    ("he's been saving up tablets and says everyone would be better off without him", True),
    ("would the class be better off with a seating plan?", False),
])
def test_crisis_signs_however_worded(rules, question, crisis):
    assert ("crisis" in triage(question, rules, probability=0.0).reasons) is crisis


@pytest.mark.parametrize("question, harm", [
    ("15yr old just told me she was raped at a party at the weekend. what now??", True),
    ("Year 4 boy just told me his stepdad hits him with a belt", True),
    ("one of my pupils' dad has just been sent to prison - does that count for early help?", False),
    ("he sent it to the whole year group", True),
    ("kid has turned up with a black eye and says his dad did it", True),
    ("Reception child has finger shaped bruises on both upper arms", True),
    ("she told me her mum's boyfriend comes into her room at night", True),
])
def test_violence_is_harm_and_prison_is_not(rules, question, harm):
    assert rules.fires("harm", question) is harm


def test_bruises_and_going_home_to_the_one_who_did_it_today_is_urgent(rules):
    """Injuries (harm) and a collection at the end of today (now) lower the bar the model must reach."""
    question = "Reception child has finger shaped bruises and says mummy's boyfriend did it. He collects her at quarter past three."
    assert rules.fires("situation", question) and rules.fires("harm", question)
    assert triage(question, rules, probability=0.45).urgent
