"""The Haystack comparison times our search stage exactly as `bot eval` ranks (Haystack itself is not needed here)."""

from bot.bench.haystack import TOP_K, describe, our_search
from bot.config import FeedbackSettings, FusionSettings
from bot.evaluation.evaluate import EvalConfig, build_space, run_queries

TEXTS = {
    "d1": "Deepfake nude images of pupils are illegal to make or share.",
    "d2": "Sextortion: offenders threaten to share images unless paid.",
    "d3": "The school canteen serves lunch from noon.",
    "d4": "Report concerns about a child to the designated safeguarding lead.",
}


def test_the_default_system_ranks_as_bot_eval_does_and_the_tuned_one_is_described(embedder, tmp_path):
    config = EvalConfig(retrievers=("hybrid-weighted",), dense_weight=FusionSettings().dense_weight, depth=100)
    space = build_space(TEXTS, config, embedder, split_documents=False, progress=False, cache_dir=tmp_path)
    query = "is a fake nude of a pupil illegal?"
    expected = run_queries(space, {"q": query}, config, k=TOP_K, progress=False).runs["hybrid-weighted"]["q"]
    assert our_search(space, FusionSettings(depth=100), FeedbackSettings())(query) == expected
    tuned = FeedbackSettings(dense_docs=2, dense_weight=1.0, rm3=True)
    assert our_search(space, FusionSettings(depth=100), tuned)(query)[0].id == "d1"
    assert describe(FusionSettings(normalisation="zscore"), tuned) == (
        "dense weight 0.6, zscore normalisation, Rocchio feedback from the best 2 fused documents at weight 1.0, RM3 on")
