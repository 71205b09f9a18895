import tomllib

import numpy as np
import pytest

from bot.evaluation.danger_mining import DEFAULT_SET, _rows, as_toml, mine

# A toy embedding: the first axis says "danger now", so a model learnt from the start examples
# puts 999 first exactly for the questions with a high first axis.
DANGER, INCIDENT = np.array([1.0, 0.0]), np.array([-1.0, 0.0])


def toy_encoder(meanings: dict[str, np.ndarray]):
    return lambda texts: np.array([meanings[t] for t in texts]).reshape(len(texts), 2)


def row(qid, question, situation, split="dev"):
    return {"id": qid, "question": question, "situation": situation, "split": split}


def test_mining_keeps_the_situations_decided_wrongly_and_not_those_the_rules_decide():
    start = (("d1", "d2"), ("i1", "i2"))
    meanings = {"d1": DANGER, "d2": DANGER, "i1": INCIDENT, "i2": INCIDENT,
                "he says he'll end it tonight": INCIDENT,  # danger missed: taught
                "a phone was handed in this morning": DANGER,  # incident put first for 999: taught
                "a nude is going round the canteen now": INCIDENT,  # labelled danger, an incident by the rules: left
                "she is meeting him at 4": DANGER,  # decided rightly: left
                "a test question": DANGER,  # test split: never read
                "a left-out round's question": DANGER}
    rows = [row("a1", "he says he'll end it tonight", "danger"),
            row("a2", "a phone was handed in this morning", "incident"),
            row("a3", "a nude is going round the canteen now", "danger"),
            row("a4", "she is meeting him at 4", "danger"),
            row("a5", "a test question", "incident", split="test"),
            row("zz1", "a left-out round's question", "incident")]
    mined = mine(rows, start, toy_encoder(meanings), regularisation=10.0, threshold=0.5, leave_out="zz",
                 lead_first=lambda question: "canteen" in question)
    assert mined == (("he says he'll end it tonight",), ("a phone was handed in this morning",))
    assert tomllib.loads(f"danger = [\n{as_toml(mined)}]")["danger"] == [*mined[0], *mined[1]]


@pytest.mark.slow
def test_the_shipped_danger_examples_are_what_the_mining_lists(tmp_path):
    """The examples file holds the news seeds' examples, then exactly what the mining lists."""
    from bot.answer.prompts import read_question_lists
    from bot.config import Settings
    from bot.evaluation.danger_mining import _lead_first, default_engine, engine_encoder, shipped_start

    settings = Settings.from_env()
    danger, incident, regularisation, threshold = shipped_start(settings)
    engine = default_engine(settings, tmp_path)
    # rounds dc-df, dk-dn, do-dr, ds-dv, dw-dz, ea-ed, ee-eh and ei-el joined the dev split after the mining (they measured it: README, "The
    # thirty-second to thirty-fourth rounds" and "The thirty-fifth round")
    mined = mine(_rows(DEFAULT_SET), (danger, incident), engine_encoder(engine), regularisation, threshold,
                 leave_out=r"d[c-fk-z]\d|e[a-l]\d", lead_first=_lead_first(engine))
    shipped = read_question_lists(settings.prompts_dir / "danger_examples.toml", "danger", "incident")
    assert shipped == ((*danger, *mined[0]), (*incident, *mined[1]))
