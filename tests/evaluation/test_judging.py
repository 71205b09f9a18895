"""The blind judge's figures: what the judge sees, and how verdicts and labels are counted."""

import json

import pytest

from bot.evaluation.judging import blind_item, main, score
from bot.evaluation.labelled import GoldSpan, LabelledQuestion

QUESTION = LabelledQuestion(id="x1", question="How quickly must social care acknowledge a referral?",
                            category="in_scope", in_scope=True, urgent=False,
                            gold=(GoldSpan("kcsie", 100, 140),), split="dev")


def _passage(doc: str, start: int, quote: str, highlight: tuple[int, int]) -> dict:
    return {"source": {"id": doc}, "location": {"start": start, "end": start + len(quote)},
            "quote": quote, "highlight": [list(highlight)], "citation": f"{doc}, paragraph 1"}


def test_the_judge_sees_the_quotes_and_never_which_the_labels_matched():
    answer = {"passages": [
        _passage("wt", 0, "Within one working day of a referral being received, social care should acknowledge it.", (0, 89)),
        _passage("kcsie", 90, "Context. Within one working day a social worker should acknowledge its receipt.", (9, 80)),
    ]}
    item, matched = blind_item(QUESTION, ["Within one working day ..."], answer)
    assert [s["highlighted_sentence"] for s in item["shown"]] == [
        "Within one working day of a referral being received, social care should acknowledge it.",
        "Within one working day a social worker should acknowledge its receipt."]
    assert set(item) == {"id", "question", "reference_answer", "shown"}  # nothing of the labels' matches
    assert set(item["shown"][0]) == {"n", "citation", "passage", "highlighted_sentence"}
    assert matched == [{"passage": False, "sentence": False}, {"passage": True, "sentence": True}]


def test_score_counts_labels_judge_and_either():
    key = {"a": [{"passage": False, "sentence": False}, {"passage": True, "sentence": True}],
           "b": [{"passage": False, "sentence": False}],
           "c": [{"passage": True, "sentence": False}]}
    verdicts = {"a": [{"passage_answers": True, "sentence_answers": True}, {"passage_answers": True, "sentence_answers": False}],
                "b": [{"passage_answers": False, "sentence_answers": False}],
                "c": [{"passage_answers": True, "sentence_answers": True}]}
    figures = score(key, verdicts)
    assert figures["answered"] == 3
    assert figures["labels"] == {"hit@3": 0.667, "highlight@3": 0.333, "highlight@1": 0.0}
    assert figures["judge"] == {"hit@3": 0.667, "highlight@3": 0.667, "highlight@1": 0.667}
    assert figures["either"]["highlight@3"] == 0.667
    assert figures["agreement"]["labelled_sentences_judged_answering"] == 0.0  # a's second quote
    assert figures["agreement"]["other_sentences_judged_answering"] == 0.5  # a's first, b's


def test_score_refuses_missing_or_short_verdicts():
    key = {"a": [{"passage": True, "sentence": True}]}
    with pytest.raises(ValueError, match="no verdict"):
        score(key, {})
    with pytest.raises(ValueError, match="1 quotes shown, 0 verdicts"):
        score(key, {"a": []})


def test_the_committed_verdicts_score(capsys):
    """Each judged round in seeds/eval/judged scores without error, as the README reports it."""
    from bot.config import DEFAULT_SEEDS_DIR

    rounds = sorted((DEFAULT_SEEDS_DIR / "eval" / "judged").iterdir())
    assert rounds
    for folder in rounds:
        assert main(["score", str(folder)]) == 0
        figures = json.loads(capsys.readouterr().out)
        assert figures["answered"] == len(json.loads((folder / "shown.json").read_text(encoding="utf-8")))
