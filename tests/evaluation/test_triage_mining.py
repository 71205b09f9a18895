import tomllib

import numpy as np
import pytest

from bot.answer.triage import TriageExamples, load_examples, load_model_settings
from bot.evaluation.labelled import DEFAULT_QUESTIONS
from bot.evaluation.triage_mining import DEFAULT_SET, _rows, as_toml, mine, news_examples

# A toy embedding: the first axis says "a child in danger", the second is noise-free padding, so
# the model learnt from the start examples flags exactly the questions with a high first axis.
DANGER, CALM = np.array([1.0, 0.0]), np.array([-1.0, 0.0])


def toy_encoder(meanings: dict[str, np.ndarray]):
    return lambda texts: np.array([meanings[t] for t in texts]).reshape(len(texts), 2)


def row(qid, question, written_as, split="dev", urgent=False, situation=None):
    return {"id": qid, "question": question, "written_as": written_as, "split": split, "urgent": urgent,
            **({"situation": situation} if situation else {})}


def test_mining_keeps_missed_danger_and_calm_false_alarms_that_name_no_harm():
    start = TriageExamples(("u1", "u2"), ("n1", "n2"))
    meanings = {"u1": DANGER, "u2": DANGER, "n1": CALM, "n2": CALM,
                "she says she will take the tablets tonight": CALM,  # a missed account: taught
                "a boy was hurt on the field earlier": CALM,  # an incident: never taught either way
                "where is the staff room kept": DANGER,  # a calm question flagged: taught
                "is a deepfake nude of a pupil illegal": DANGER,  # flagged, but names a harm: left
                "a held-out calm question": DANGER,  # test split: never read
                "a left-out round's question": DANGER}
    rows = [row("a1", "she says she will take the tablets tonight", "urgent", urgent=True, situation="danger"),
            row("a2", "a boy was hurt on the field earlier", "incident", situation="incident"),
            row("a3", "where is the staff room kept", "in_scope"),
            row("a4", "is a deepfake nude of a pupil illegal", "in_scope"),
            row("a5", "a held-out calm question", "out_of_scope", split="test"),
            row("zz1", "a left-out round's question", "what_to_do")]
    mined = mine(rows, start, toy_encoder(meanings), leave_out="zz")
    assert mined.urgent == ("she says she will take the tablets tonight",)
    assert mined.not_urgent == ("where is the staff room kept",)
    assert tomllib.loads(f"urgent = [\n{as_toml(mined)}]")["urgent"] == [*mined.urgent, *mined.not_urgent]


@pytest.mark.slow
def test_the_shipped_examples_are_what_the_mining_lists(tmp_path):
    """The examples file holds the news seeds' examples, then exactly what the mining lists."""
    from bot.config import Settings
    from bot.evaluation.triage_mining import default_encoder

    examples = load_examples(load_model_settings().examples)
    start = news_examples(examples, {r["question"] for r in _rows(DEFAULT_QUESTIONS)})
    # rounds ca-cd to dc-df, dk-dn, do-dr, ds-dv, dw-dz, ea-ed, ee-eh and ei-el joined the dev split after the mining (prompts/triage_examples.toml says
    # why they are not learnt from)
    mined = mine(_rows(DEFAULT_SET), start, default_encoder(Settings.from_env(), tmp_path), leave_out=r"c[a-z]\d|d[a-fk-z]\d|e[a-l]\d")
    assert examples.urgent == (*start.urgent, *mined.urgent)
    assert examples.not_urgent == (*start.not_urgent, *mined.not_urgent)
