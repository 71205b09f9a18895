"""The answer engine: question in, answer object (see the shared answer schema) out.

question -> validate -> embed -> triage and intent -> hybrid retrieval -> answerability (the best
sentence of each candidate passage) -> compose quotes -> escalation. Every piece of wording
comes from `prompts/` or is a verbatim quote.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.answer.answerability import (
    SentenceJudgement,
    answers,
    judge_passage,
    normalise,
    overlap,
    term_weights,
)
from bot.answer.compose import (
    as_quoted,
    citation,
    distinct,
    highlight_span,
    notes_after_their_sections,
    pick_passages,
)
from bot.answer.escalation import (
    DEFAULT_ESCALATION_FILE,
    DEFAULT_MESSAGES_FILE,
    DEFAULT_SCHOOL_FILE,
    EscalationBook,
    SchoolContacts,
    load_escalation,
    load_messages,
    load_school,
)
from bot.answer.intent import DEFAULT_INTENT_FILE, Intent, load_intent
from bot.answer.kinds import DEFAULT_KINDS_FILE, QuestionKind, QuestionKinds, load_kinds
from bot.answer.language import COMMON_ENGLISH, looks_english
from bot.answer.prompts import load_library_gaps
from bot.answer.triage import DEFAULT_TRIAGE_FILE, Triage, load_triage
from bot.answer.vocabulary import (
    DEFAULT_VOCABULARY_FILE,
    Vocabulary,
    load_vocabulary,
    name_terms,
    unknown_names,
)
from bot.config import AnswerabilitySettings, Settings
from bot.library.passages import Passage
from bot.search.abbreviations import AbbreviationExpander
from bot.search.embedcache import cached_encode
from bot.search.embedder import Embedder
from bot.search.hits import Hit
from bot.search.hybrid import HybridRetriever, timed
from bot.search.index import SearchIndex, load_index

RUN_ON_PASSAGES = 4  # the most following passages a quote runs on into (`AnswerSettings.run_on_words`)
FAMILY_LETTERS = 7  # the shortest stem that has a family (see `AnswerEngine.related_for`)
NUMBER = frozenset({"<number>"})  # stands for any number a sentence gives, for a value asked for
_WORD = re.compile(r"[^\W\d_]{2,}")  # a word of two letters or more
# A "sentence" of one or two words ("September 2025" from a title page, "knife crime)" cut from a
# bracket) states nothing, though a "when?" or "what?" question may find it nearest: never an
# answer. On the dev splits: the 585-page library refused two more out-of-scope questions ("when is
# October half term?"), the seeds + Part one found the answering passage for 26 more, none fewer.
_FEWEST_WORDS = 3
# "what does paragraph 140 of KCSIE say?": a document's own paragraph number, asked for by number
_PARAGRAPH = re.compile(r"\b(?:paragraph|para)s?\.? ?(\d+(?:\.\d+)*)\b", re.IGNORECASE)


# a law as the documents name it: "the Domestic Abuse Act 2021", "Crime and Policing Bill"; its
# key is the name without "Act"/"Bill" and year, so the Bill and the Act it becomes are one law
_LAW = re.compile(r"\b((?:[A-Z][\w’'-]*\s+)(?:(?:and|of|for|on)\s+|[A-Z][\w’'-]*\s+){0,5})(?:Act|Bill)\b")
_LAW_OPENING = re.compile(r"^(?:The|This|That|A|An|Under|In|By|See)\s+")
# a law as a question names it, in any case: "does the online safety act ...?" (after "the", so
# that "the way they act" is read as no law unless its words are words a law's name is made of)
_ASKED_LAW = re.compile(r"\bthe ((?:[a-z][\w'-]*\s+){1,4})(?:act|bill)\b")


# "not sure", "isn't really clear": a word the question negates, which the library may write as
# one negated word ("unsure", "unclear", "inappropriate", "illegal")
_NEGATED = re.compile(r"(?:\bnot|n't|n’t)\s+(?:(?:really|entirely|quite|totally|too|that|very|so)\s+)?([a-z]+)\b")
_NEGATING_PREFIXES = ("un", "in", "im", "il", "ir")


# words that never name a law: "the way they act", "the one who will act"
_NOT_A_LAW_NAME = frozenset("""i you we they he she it who which that this these those one way will would
should could can must may might to not also just then how what when why where do does did is are was
were be been has have had""".split())


# words that ask what someone found or said, or who they are: "what did the IWF find?" and "what is
# Alex Murray's job?" ask about the name alone
_REPORTING = frozenset("""find finds found finding findings discover discovered show shows showed think thinks
thought believe believes warn warns warned recommend recommends recommended suggest suggests suggested
want wants wanted mean means meant claim claims claimed argue argues argued job jobs role roles title
position""".split())

_PLAIN_WORD = re.compile(r"[^\W\d_]+")

# "did ...?": asks whether what it names did what the word after the name says. Only "did": "has the
# IWF seen more reports?" and "does GDPR stop me sharing?" are answered in other words ("reports
# ... rose", "does not prevent"); on the dev split of the seeds + Part one "has", "was" and "were"
# cost three answers for one more out-of-scope question refused, "does" many more
_DID = re.compile(r"^\W*did\b", re.IGNORECASE)
# "did the commissioner ask the minister when ...?", "did the NCA write guidance ...?": what someone
# said or wrote is reported in other verbs ("I'd request that ...", "issued"); what was said is
# what is asked
_SAYING = frozenset("""say says said ask asks asked write writes wrote written mention mentions mentioned
tell tells told state states stated publish published issue issued announce announced describe
described explain explained speak spoke call called""".split())

# a phrase of two words or more in quotation marks (not the apostrophe of "what's" or "kids'")
_QUOTED = re.compile(r"(?:^|(?<=[\s(:,-]))['\"](\w[^'\"]*?\w\s+\w[^'\"]*?)['\"](?=[\s.,?!:;)-]|$)")


def _straight(text: str) -> str:
    """Curly quotation marks made straight."""
    return text.translate(str.maketrans("‘’“”", "''\"\""))


def _folded(text: str) -> str:
    """Text compared as a line of words: whitespace collapsed, case and closing stops ignored."""
    return " ".join(text.split()).rstrip(".").casefold()


def _names_asked(asked: list[frozenset[str]], terms: list[str]) -> bool:
    """Does a sentence (its analysed `terms`) use each word the question asks for (each given
    with its related words)?"""
    present = set(terms)
    if any(t.isdigit() for t in terms):
        present |= NUMBER
    return all(not word.isdisjoint(present) for word in asked)


class QuestionError(ValueError):
    """The question cannot be answered as given; the message says why, in plain words.

    `code` is stable for API clients: "not_text", "empty_question" or "question_too_long".
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def clean_question(text: object, max_chars: int) -> str:
    """Whitespace collapsed, control characters removed; refuses empty and over-long questions."""
    if not isinstance(text, str):
        raise QuestionError("not_text", "the question must be text")
    if len(text) > max_chars:  # the documented limit is on what was sent, before tidying
        raise QuestionError("question_too_long", f"the question is too long: at most {max_chars} characters, please")
    kept = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs") else ch for ch in text)
    question = " ".join(kept.split())
    if not question:
        raise QuestionError("empty_question", "please type a question")
    return question


@dataclass
class AnswerEngine:
    index: SearchIndex
    settings: Settings
    triage: Triage
    escalation_book: EscalationBook
    school: SchoolContacts
    messages: dict
    intent: Intent
    vocabulary: Vocabulary
    library_gaps: list[dict[str, str]] = field(default_factory=list)
    kinds: QuestionKinds = field(default_factory=QuestionKinds)
    _sentence_terms: dict[str, list[list[str]]] = field(default_factory=dict, init=False, repr=False)
    _kind_sentences: dict[str, tuple[np.ndarray, list[tuple[str, int, int]]]] = field(default_factory=dict, init=False, repr=False)
    _passage_words: dict[str, frozenset[str]] = field(default_factory=dict, init=False, repr=False)
    # each sentence of a passage: (states what its document is for, points elsewhere, says nothing:
    # a paragraph's own number, "9.", or the document's own title)
    _sentence_roles: dict[str, list[tuple[bool, bool, bool]]] = field(default_factory=dict, init=False, repr=False)

    @classmethod
    def load(cls, settings: Settings | None = None, school_file: Path | None = None,
             embedder: Embedder | None = None, check_sources: bool = True) -> AnswerEngine:
        """Load and check everything up front: a bad index or prompts file fails here, not mid-answer.

        `check_sources=False` serves a published index version as it was built (its files still
        verified by their hashes) while the library folder may already hold the next change."""
        settings = settings or Settings.from_env()
        prompts = Path(settings.prompts_dir)
        index = load_index(settings, embedder, check_sources=check_sources)

        def encode_examples(texts: Sequence[str]) -> np.ndarray:
            """The example questions are the same at every load: embedded once per model and text."""
            return cached_encode(texts, index.dense.embedder, progress=False)[0]

        return cls(
            index=index,
            settings=settings,
            triage=load_triage(prompts / DEFAULT_TRIAGE_FILE.name, encode_examples),
            escalation_book=load_escalation(prompts / DEFAULT_ESCALATION_FILE.name),
            school=load_school(Path(school_file) if school_file else prompts / DEFAULT_SCHOOL_FILE.name),
            messages=load_messages(prompts / DEFAULT_MESSAGES_FILE.name),
            intent=load_intent(prompts / DEFAULT_INTENT_FILE.name, encode_examples),
            vocabulary=load_vocabulary(prompts / DEFAULT_VOCABULARY_FILE.name, index.bm25.analyzer),
            library_gaps=load_library_gaps(prompts / "library_gaps.toml"),
            kinds=load_kinds(prompts / DEFAULT_KINDS_FILE.name),
        )

    def with_school(self, school: SchoolContacts) -> AnswerEngine:
        """The same loaded library, model and prompts with another school's contacts: a school in a
        many-school deployment costs its contacts, not a second copy of the index."""
        other = copy.copy(self)  # no __post_init__: the headings are not embedded again
        other.school = school
        return other

    def __post_init__(self) -> None:
        self.retriever = HybridRetriever(self.index.bm25, self.index.dense, self.settings.fusion,
                                         self.settings.feedback)
        # Repeated questions (example questions, a refreshed page) skip the model. Memory only:
        # nothing of a question is ever written anywhere.
        self.query_vector = lru_cache(maxsize=self.settings.answer.query_cache_size)(self._encode)
        self.compound = lru_cache(maxsize=16384)(self._compound)  # word pairs recur across questions
        # a question's kinds are asked for at several stages of one answer: found once
        self.kinds_of = lru_cache(maxsize=self.settings.answer.query_cache_size)(self.kinds.of)
        # and the words it negates, at the search and at the judging of one answer
        self.negations = lru_cache(maxsize=self.settings.answer.query_cache_size)(self._negations)
        # older edition id -> the ids of the documents that replace it (manifest `replaces`)
        self.replaced_by: dict[str, set[str]] = {}
        for doc in self.index.documents.values():
            if doc.replaces in self.index.documents:
                self.replaced_by.setdefault(doc.replaces, set()).add(doc.id)
        # the library's words by their first letters, for finding a question word's family
        self.by_prefix: dict[str, list[str]] = {}
        for term in self.index.bm25.idf:
            if len(term) >= FAMILY_LETTERS:
                self.by_prefix.setdefault(term[:FAMILY_LETTERS], []).append(term)
        # the documents' own paragraph numbers ("50", "5.2"; a passage of 50-52 holds 51 too)
        self.paragraph_labels: frozenset[str] = frozenset(_labels(self.index.passages))
        # the laws the library names, by key ("domestic abuse"), longest first
        self.law_keys: tuple[str, ...] = tuple(sorted(
            {key for doc in self.index.documents.values() for key in _law_keys(doc.text)}, key=len, reverse=True))
        self._document_words: dict[str, frozenset[str]] = {}
        self._spelled_out: dict[tuple[str, str], bool] = {}
        self._document_counts: dict[str, Counter] = {}
        self.proper_words = _proper_words(doc.text for doc in self.index.documents.values())
        self.proper_terms = frozenset(t for word in self.proper_words for t in self.index.bm25.analyzer(word))
        # common English, the verbs that ask what someone found or said ("what did the IWF find?"
        # asks about the IWF alone: whatever it reports is the answer), and the words that ask
        # who someone is ("what's Alex Murray's job at the NCA?": the sentence naming him says)
        self._saying = frozenset(t for w in _SAYING for t in self.index.bm25.analyzer(w))
        self._common_terms = frozenset(t for w in COMMON_ENGLISH | _REPORTING for t in self.index.bm25.analyzer(w))
        self.model_words = self.index.dense.embedder.words()  # for telling English apart (language.py)
        # "dsl" is searched for as "designated safeguarding lead" too, where the library defines it
        # so and mostly writes it out (search/abbreviations.py)
        self.spell_out = AbbreviationExpander.from_texts(doc.text for doc in self.index.documents.values())
        # The names the library uses: its words, and its documents' titles and publishers, so that
        # "at Green Lane" is known once Green Lane School's own policy is in the library, even
        # where its passages never repeat the school's name
        analyzer = self.index.bm25.analyzer
        self.known_terms = frozenset(self.index.bm25.idf) | frozenset(
            t for doc in self.index.documents.values() for t in analyzer(f"{doc.title} {doc.publisher}"))
        # Each heading embedded once, when the library is loaded: a passage under a heading far
        # from the question is judged with that in mind (answerability.py).
        headings = sorted({p.heading[-1] for p in self.index.passages if p.heading})
        self.heading_names = headings
        self.heading_matrix = self.index.dense.embedder.encode(headings, batch_size=64)
        # the library's subjects as its authors name them: its headings and its documents' titles
        titles = sorted({doc.title for doc in self.index.documents.values()})
        self.subject_matrix = np.vstack([self.heading_matrix, self.index.dense.embedder.encode(titles)]) \
            if headings else None
        self.heading_vectors: dict[str, np.ndarray] = dict(zip(headings, self.heading_matrix))
        # heading -> the passages under it, in document order (the first ones open the section,
        # where guidance says what the section is for)
        self.order = {p.id: i for i, p in enumerate(self.index.passages)}  # passages in document order
        self.passages_under: dict[str, list[str]] = {}
        for passage in self.index.passages:
            if passage.heading:
                self.passages_under.setdefault(passage.heading[-1], []).append(passage.id)

    def _encode(self, question: str) -> np.ndarray:
        vector = self.index.dense.embedder.encode_query(question)
        vector.setflags(write=False)  # shared between requests
        return vector

    def ask(self, text: object, timings: dict[str, float] | None = None) -> dict:
        """The answer object for one question. Raises QuestionError for unusable input."""
        answer = self.settings.answer
        question = clean_question(text, answer.max_question_chars)
        # "what if the DSL is out?": the model knows few abbreviations, so where the library
        # spells one out, the question is embedded with the long form added (once: triage and
        # intent read it so too), and passages and sentences are found and judged by that meaning
        with timed(timings, "embed"):
            vector = self.query_vector(self.spell_out(question))
        seen = self.escalation_book.situations_in(question)
        with timed(timings, "triage"):
            assessed = self.triage.assess(question, vector)
            urgent = assessed.urgent
            # a phone to take, an image to take down: the lead first, not 999, unless a crisis sign,
            # blackmail, an adult or self-harm says a child is in danger now (escalation.toml)
            danger = self.escalation_book.danger_now(assessed.danger, "crisis" in assessed.reasons, seen)
            what_to_do = self.intent.asks_what_to_do(vector, question)
        hits = self.candidates(question, vector, timings)
        with timed(timings, "answerability"):
            steps = self.asks_for_steps(question, vector, what_to_do)
            judgements = self.judge(question, vector, hits, steps=steps)
            unknown = self.unknown_names(question)
            english = looks_english(question, self.index.bm25.analyzer, self.index.bm25.idf, self.model_words)
            # a question not in English is never answered by a quote matched on a stray word
            own_policy = self.kinds.asks_own_policy(question)
            best = max(judgements, key=lambda j: j.score, default=None)
            far = self.far_from_subjects(question, vector, best)
            chosen = self.choose(judgements, steps, unknown, own_policy=own_policy) if english and not far else []
        with timed(timings, "compose"):
            passages = [self._quote(self.index.by_id[j.passage_id], j) for j in chosen]
        answered = bool(passages)
        # a question about a child, an image or staff always gets the steps: never "off topic"
        about_a_child = self.escalation_book.about_a_child(question)
        on_topic = (self.on_topic(judgements) and not far) or about_a_child or not english
        # "what is our school's policy on phones?" with no school policy that says: not a question
        # the steps answer, unless it is about a child
        if own_policy and not (answered or about_a_child or urgent):
            on_topic = False
        # A "what do I do?" question is answered by a document that sets out what staff should do
        # (the school's own procedure, statutory guidance): its quote comes first. When none does,
        # the steps are the answer and come first.
        from_procedures = any(self._procedures(j) for j in chosen)
        steps_first = urgent or not english or (what_to_do and on_topic and not from_procedures)
        message = None
        if not answered:
            kind = "not_english" if not english else "no_school_policy" if own_policy else \
                "no_procedure" if what_to_do and on_topic else "not_covered" if on_topic or urgent else "off_topic"
            message = self.messages[kind].format(lead=self.escalation_book.lead_title(self.school),
                                                 library=self.library_summary())
        return {
            "question": question,
            "answered": answered,
            "urgent": urgent,
            "asks_what_to_do": what_to_do,
            # Steps are the answer when the question asks what to do and no passage sets it out.
            "steps_first": steps_first,
            "passages": passages,
            "off_topic": not (answered or on_topic or urgent),
            "danger": urgent and danger,
            "english": english,
            "escalation": self.escalation_book.escalation(urgent, self.school, seen, danger=danger),
            "not_covered": message,
            "signals": {"best_sentence": best.as_dict() if best else None, "unknown_names": unknown},
        }

    def candidates(self, question: str, vector: np.ndarray, timings: dict[str, float] | None = None,
                   limit: int | None = None) -> list:
        """The fused passages to judge: the best that say different things (one copy of a paragraph
        that stands in two editions, the newer one), and the first passages of the sections whose
        headings say what was asked (first for "what do I do" questions; for every question since
        2026-11-30: on the 585-page library's dev split hit@3 0.669 -> 0.678 and highlight@3 0.537
        -> 0.545, the news seeds and the seeds + Part one unchanged)."""
        limit = limit or self.settings.answerability.candidates
        negated = " ".join(joined for _, joined in self.negations(question))
        hits = self.retriever.rank(f"{self.spell_out(question)} {negated}".rstrip(),
                                   limit * self.settings.answer.candidate_pool, timings, vector=vector)
        by_id = self.index.by_id
        kept = distinct([by_id[h.id] for h in hits], self.replaced_by, self.settings.answer.near_duplicate, limit,
                        self._passage_words)
        keep = {p.id for p in kept}
        chosen = [h for h in hits if h.id in keep]
        return chosen + self.heading_hits(vector, keep) + self.kind_hits(question, vector, keep)

    def kind_hits(self, question: str, vector: np.ndarray, seen: set[str]) -> list[Hit]:
        """The passages of the sentences nearest the question among those that state what its
        kind asks for, beyond the candidates so far: the sentence that answers "is a 17-year-old
        a child?" sets an age limit ("under the age of 18") and may share no other word with it."""
        most = self.settings.answerability.kind_candidates
        found: list[Hit] = []
        if most <= 0:
            return found
        kinds = self.kinds_of(question)
        ages = self.kinds.ages_asked(kinds, question)
        index = self.index
        for kind in kinds:
            if not kind.candidates:
                continue
            rows, places = self.kind_sentences(kind)
            if not len(rows):
                continue
            cosines = index.sentence_vectors[rows] @ vector
            added = 0
            for position in np.argsort(-cosines):
                passage_id, start, end = places[position]
                if passage_id in seen or not self.kinds.states(
                        (kind,), index.documents[index.by_id[passage_id].doc_id].text[start:end], ages):
                    continue
                seen.add(passage_id)
                found.append(Hit(passage_id, 0.0, 0))
                added += 1
                if added >= most:
                    break
        return found

    def kind_sentences(self, kind: QuestionKind) -> tuple[np.ndarray, list[tuple[str, int, int]]]:
        """The rows of the library's sentences that match what `kind` asks for, and each one's
        passage and span: found once per kind, the first time a question of that kind is asked."""
        cached = self._kind_sentences.get(kind.name)
        if cached is None:
            rows, places = [], []
            index = self.index
            for passage in index.passages:
                text = index.documents[passage.doc_id].text
                first = index.sentence_rows[passage.id]
                for offset, (start, end) in enumerate(index.sentence_spans[passage.id]):
                    if kind.stated.search(text[start:end]):
                        rows.append(first + offset)
                        places.append((passage.id, start, end))
            cached = self._kind_sentences[kind.name] = (np.asarray(rows, dtype=np.int64), places)
        return cached

    def heading_hits(self, vector: np.ndarray, seen: set[str]) -> list[Hit]:
        """The first passages of the sections whose headings say what was asked, beyond the fused
        candidates: the guidance's author has already summed up the section in its heading, where
        the words of the question may be nowhere in the passage ("worried" against "concerns")."""
        settings = self.settings.answerability
        if not len(self.heading_names) or settings.heading_candidates <= 0:
            return []
        cosines = self.heading_matrix @ vector
        found: list[Hit] = []
        for row in np.argsort(-cosines):
            if cosines[row] < settings.heading_match or len(found) >= settings.heading_candidates:
                break
            for passage_id in self.passages_under.get(self.heading_names[row], ()):
                if passage_id not in seen and len(found) < settings.heading_candidates:
                    seen.add(passage_id)
                    found.append(Hit(passage_id, 0.0, 0))
        return found

    def on_topic(self, judgements: list[SentenceJudgement]) -> bool:
        """Is the question about what this library holds? A sentence clears the bar, or one comes
        near the question's meaning: "what if the DSL ignores my concern?" is on the subject of a
        library holding KCSIE even where no sentence answers it; "when is half term?" is not."""
        settings = self.settings
        return any(j.score >= settings.answerability.min_score or j.cosine >= settings.answer.topic_cosine
                   for j in judgements)

    def far_from_subjects(self, question: str, vector: np.ndarray, best: SentenceJudgement | None) -> bool:
        """Is the question far from everything the library is about: from each of its headings and
        document titles, and from its best sentence (`best`, the highest-scoring judgement) too?
        Only a library with headings says what its subjects are; one without (two news stories) is
        never judged so."""
        settings = self.settings.answer
        if self.subject_matrix is None:
            return False
        if best is not None and best.cosine >= settings.subject_sentence_cosine:
            return False
        if float((self.subject_matrix @ vector).max()) >= settings.subject_cosine:
            return False
        # "'it could happen here' - what's that about?" quotes the library's own words, and "who is
        # Derek Ray-Hill?" names someone its sentence names
        return not (best is not None and self._quotes_or_names(question, best))

    def _quotes_or_names(self, question: str, judgement: SentenceJudgement) -> bool:
        """Does the question quote words of the judged sentence, in quotation marks, or name
        something (a person, an organisation) that the sentence names?"""
        doc = self.index.documents[self.index.by_id[judgement.passage_id].doc_id]
        text = doc.text[judgement.start:judgement.end]
        sentence = _folded(_straight(text))
        if any(_folded(phrase) in sentence for phrase in _QUOTED.findall(_straight(question))):
            return True
        analyzer = self.index.bm25.analyzer
        named = {t for _, terms in name_terms(question, analyzer, self.vocabulary) for t in terms}
        return not named.isdisjoint(analyzer(text))

    def library_summary(self, most: int = 6) -> str:
        """What the library holds, in its own terms: its documents' titles, newest editions only."""
        titles = sorted(d.title for d in self.index.documents.values() if d.id not in self.replaced_by)
        shown = "; ".join(titles[:most])
        return shown + (f"; and {len(titles) - most} more" if len(titles) > most else "")

    def unknown_names(self, question: str) -> list[str]:
        """Names in the question (a regulator, a platform, a year) that the library never mentions,
        and paragraphs it asks for by number that no document of the library numbers so ("what
        does paragraph 140 of KCSIE say?" of a library holding Part one, paragraphs 1-74: its
        paragraphs on the same subject do not say what paragraph 140 says). A library whose
        documents number no paragraphs is never judged so."""
        names = unknown_names(question, self.index.bm25.analyzer, self.known_terms, self.vocabulary)
        names += self.unknown_laws(question)
        if self.paragraph_labels:
            names += [f"paragraph {n}" for n in _PARAGRAPH.findall(question) if n not in self.paragraph_labels]
        return names

    def choose(self, judgements: list[SentenceJudgement], what_to_do: bool, unknown: list[str],
               settings: AnswerabilitySettings | None = None, own_policy: bool = False) -> list[SentenceJudgement]:
        """The passages to quote: those whose best sentence answers, best first, no near-duplicates.

        None when the question names something the library never mentions (`unknown`): a passage
        on the same topic does not answer it. A question about the school's own policy
        (`own_policy`) is answered only from a document that is one.
        """
        if unknown:
            return []
        settings = settings or self.settings.answerability
        quotable = [j for j in judgements if answers(j, what_to_do, self._procedures(j), settings)
                    and (self._school_policy(j) or not own_policy)]
        by_passage = {j.passage_id: j for j in quotable}
        # "What do I do?": the school's own policy first where it answers, as it is what staff there
        # must follow (for other questions it ranks as any document does). Then the sentences that
        # state what the question's kind asks for (the law, for "is it a crime?"); then the best,
        # leaning on the whole passage's match as well as its best sentence's.
        lean = settings.order_retrieval_weight
        ranked = [self.index.by_id[j.passage_id] for j in sorted(
            quotable, key=lambda j: (not (what_to_do and self._school_policy(j)), not j.states_kind,
                                     -(j.score + lean * j.retrieval)))]
        ranked = notes_after_their_sections(ranked)
        answer = self.settings.answer
        return [by_passage[p.id] for p in pick_passages(ranked, answer.max_passages, answer.near_duplicate)]

    def judge(self, question: str, vector: np.ndarray, hits, settings: AnswerabilitySettings | None = None,
              steps: bool | None = None) -> list[SentenceJudgement]:
        """The best sentence of each candidate passage, in candidate order. `steps`: whether the
        question asks what to do (`asks_for_steps`), where the caller already knows."""
        settings = settings or self.settings.answerability
        index = self.index
        weights = term_weights(index.bm25.analyzer(question), index.bm25.idf)
        # passages found by their heading alone have no fused score: they count as the lowest
        retrieval = normalise({h.id: h.score for h in hits if h.rank})
        floor = min(retrieval.values(), default=0.0)
        kinds = self.kinds_of(question)
        leading = tuple(k for k in kinds if k.first)  # the kinds whose sentences are shown first
        ages = self.kinds.ages_asked(kinds, question)
        kind_terms = frozenset(t for w in self.kinds.words(kinds, question) for t in index.bm25.analyzer(w))
        # "how long ...?": only a sentence that states what the question asks for (a time) may
        # answer, and on its own merits: every such sentence states it, so the kind's bonus would
        # lift them all alike over the bar
        required = self.kinds.required(kinds)
        if required:
            settings = replace(settings, kind_weight=0.0)
        scope, where = self.kinds.asks_scope(question), self.kinds.asks_where(question)
        related = self.with_negations(question, self.with_compounds(question, self.related_for(weights)))
        asked = self.asked_terms(question, related)
        named = self.names_known(question)
        own_names = self.single_document_names(named)
        beyond_names = self.beyond_names(named, weights)
        laws = self.laws_named(question)
        predicate = self.named_predicate(question, named, related) if settings.named_predicate else frozenset()
        judgements = []
        # each passage's meaning as a whole, as searched (heading included), beside its sentences':
        # only for a passage under a heading, a section its author wrote about one thing (a window
        # of a news story mixes several, and there its sentences are better judged alone), and not
        # for "what do I do?": a procedure sets out several steps, and the whole of it is further
        # from a question about one of them than that step is ("What should I do if I'm worried
        # about a child?" and KCSIE paragraph 50)
        if steps is None:
            steps = self.asks_for_steps(question, vector)
        whole: dict[str, float] = {}
        sections = [hit.id for hit in hits if index.by_id[hit.id].heading] if settings.passage_weight > 0 and not steps else []
        if sections:
            whole = dict(zip(sections, (index.dense.vectors(sections) @ vector).tolist()))
        for hit in hits:
            passage = index.by_id[hit.id]
            spans = index.sentence_spans[hit.id]
            row = index.sentence_rows[hit.id]
            cosines = index.sentence_vectors[row:row + len(spans)] @ vector
            text = index.documents[passage.doc_id].text
            matches = [self.kinds.states(kinds, text[s:e], ages) for s, e in spans] if kinds else None
            may_answer = self._may_answer(hit.id, scope, where)
            if required:
                may_answer = [may and all(self.kinds.states((kind,), text[s:e]) for kind in required)
                              for may, (s, e) in zip(may_answer, spans)]
            terms = self._terms(hit.id)
            if passage.footnote and overlap(weights, [t for words in terms for t in words],
                                            related) < settings.note_overlap:
                # a footnote is one short note read whole, apart from the paragraph it qualifies:
                # its meaning alone can sit near a question it has nothing to do with, so it
                # answers only where the note, all of it, holds enough of the question's words
                may_answer = [False] * len(spans)
            if asked:
                may_answer = [may and _names_asked(asked, words) for may, words in zip(may_answer, terms)]
            if named and (named.isdisjoint(self._document_terms(passage.doc_id))
                          or not all(self._document_names(passage.doc_id, t) for t in own_names)):
                may_answer = [False] * len(spans)
            if laws:
                may_answer = [may and self._same_law(laws, text[s:e]) for may, (s, e) in zip(may_answer, spans)]
            if predicate:
                may_answer = [may and not predicate.isdisjoint(words) for may, words in zip(may_answer, terms)]
            if beyond_names:
                may_answer = [may and (cosine >= settings.name_only_cosine
                                       or overlap(beyond_names, words, related, kind_terms if states else frozenset()) > 0)
                              for may, words, cosine, states in zip(may_answer, terms, cosines,
                                                                    matches or [False] * len(terms))]
            heading = self.heading_vectors.get(passage.heading[-1]) if passage.heading else None
            judgement = judge_passage(hit.id, spans, terms, cosines, weights, retrieval.get(hit.id, floor),
                                      settings, related, matches,
                                      None if heading is None else float(heading @ vector), kind_terms, may_answer,
                                      whole.get(hit.id))
            if judgement is not None and judgement.states_kind and len(leading) < len(kinds):
                judgement = replace(judgement, states_kind=self.kinds.states(
                    leading, text[judgement.start:judgement.end], ages))
            if judgement is not None:
                judgements.append(judgement)
        return judgements

    def asks_for_steps(self, question: str, vector: np.ndarray, what_to_do: bool | None = None) -> bool:
        """Does the question ask what to do, rather than for a fact phrased as a step ("how often
        are we meant to have refreshers?")? It decides which bar a passage must clear. `what_to_do`:
        the intent classifier's reading, where the caller already has it."""
        if what_to_do is None:
            what_to_do = self.intent.asks_what_to_do(vector, question)
        return what_to_do and not any(k.factual for k in self.kinds_of(question))

    def names_known(self, question: str) -> frozenset[str]:
        """The analysed terms of the names in a question that the library knows ("hugh", "nelson",
        "iwf"), common English left out."""
        analyzer = self.index.bm25.analyzer
        typed = {t for _, terms in name_terms(question, analyzer, self.vocabulary) for t in terms}
        # "whats the iwf hotline number", "does kcsie cover ...": typed in small letters, names all
        # the same where the library only ever writes them as names
        lower = {t for word in _PLAIN_WORD.findall(question) if word.casefold() in self.proper_words
                 for t in analyzer(word) if t not in self.vocabulary.school_words}
        return frozenset(typed | lower) & self.known_terms - self._common_terms

    def single_document_names(self, named: frozenset[str]) -> frozenset[str]:
        """The names among `named` that only one document of the library uses ("derbyshir" where
        only the Derbyshire press release names the county). Such a name places the question in
        that document: "what sentence did the man in the South Derbyshire case get?" is not
        answered by another document's sentence about another offender's sentence, however close
        its words. A name several documents use ("ai") places it in none of them."""
        own = set()
        for term in named & self.proper_terms:
            naming = [doc_id for doc_id in self.index.documents if self._document_names(doc_id, term)]
            # named more than once there: a name met once in passing ("Violence Against Women and
            # Girls") is not what the document is about
            if len(naming) == 1 and self._term_counts(naming[0])[term] >= 2:
                own.add(term)
        return frozenset(own)

    def _term_counts(self, doc_id: str) -> Counter:
        """How often each analysed term occurs in a document's text, worked out once and kept."""
        if doc_id not in self._document_counts:
            self._document_counts[doc_id] = Counter(self.index.bm25.analyzer(self.index.documents[doc_id].text))
        return self._document_counts[doc_id]

    def _document_names(self, doc_id: str, term: str) -> bool:
        """Does a document name `term`, as it is or spelled out ("pcc" in a press release that
        writes "Police and Crime Commissioner" throughout)?"""
        if term in self._document_terms(doc_id):
            return True
        if not (2 <= len(term) <= 6 and term.isalpha() and term.isascii()):
            return False
        key = (doc_id, term)
        if key not in self._spelled_out:
            # the capitalised words whose initials spell it, "and", "of", "for" or "the" between them
            joiner = r"\s+(?:(?:and|of|for|the)\s+)?"
            pattern = joiner.join(rf"{letter.upper()}[a-z]+" for letter in term)
            self._spelled_out[key] = re.search(rf"\b{pattern}\b", self.index.documents[doc_id].text) is not None
        return self._spelled_out[key]

    def _document_terms(self, doc_id: str) -> frozenset[str]:
        """Every analysed word of a document, its title and publisher, worked out once and kept. A
        document that never names anything the question names ("which app did Hugh Nelson use?",
        of a press release that never mentions him) does not answer it, however close a sentence's
        words: its "even via an app on a phone" is about something else."""
        if doc_id not in self._document_words:
            doc = self.index.documents[doc_id]
            self._document_words[doc_id] = frozenset(self._term_counts(doc_id)) | frozenset(
                self.index.bm25.analyzer(f"{doc.title} {doc.publisher}"))
        return self._document_words[doc_id]

    def unknown_laws(self, question: str) -> list[str]:
        """The laws a question names that the library never names ("what does the Online Safety Act
        say about deepfakes?" of a library that names only the Crime and Policing Bill and the
        Children Act): a sentence on the same subject does not say what that law says. A library
        that names no law is never judged so."""
        if not self.law_keys:
            return []
        found = []
        for match in _ASKED_LAW.finditer(_folded(_straight(question))):
            words = match.group(1).split()
            if set(words) & _NOT_A_LAW_NAME:
                continue
            name = " ".join(words)
            if not any(name == key or name.endswith(f" {key}") for key in self.law_keys):
                found.append(f"{name} {match.group(0).split()[-1]}")
        return found

    def laws_named(self, question: str) -> set[str]:
        """The keys of the library's laws the question names as laws ("has the crime and policing
        bill been passed?"), however it is typed; "does data protection stop me?" names none."""
        folded = f" {_folded(_straight(question))} "
        return {key for key in self.law_keys if f" {key} act" in folded or f" {key} bill" in folded}

    def _same_law(self, laws: set[str], sentence: str) -> bool:
        """May a sentence answer a question about `laws`? Not where it names only other laws: "The
        Domestic Abuse Act 2021 received Royal Assent" says nothing of when the Crime and Policing
        Bill will."""
        named = self.laws_named(sentence)
        return not named or not named.isdisjoint(laws)

    def named_predicate(self, question: str, named: frozenset[str],
                        related: dict[str, frozenset[str]]) -> frozenset[str]:
        """In a "did ...?" question whose subject is something the library names, the word right after
        the name, with its related words: "appeal" in "Did Hugh Nelson appeal against his sentence?",
        "agree" in "Did Jess Phillips agree to meet the PCC?". Empty for other questions, and where
        that word is common English ("did Alex Murray say ...?")."""
        if not named or not _DID.match(question):
            return frozenset()
        analyzer = self.index.bm25.analyzer
        after_name = False
        for word in _PLAIN_WORD.findall(question)[1:]:
            terms = analyzer(word) if len(word) > 1 else []  # the "s" of "the NCA's"
            if not terms:
                continue
            if terms[0] in named:
                after_name = True
            elif not after_name:  # "did most teachers know ...?" is not about what a name did
                return frozenset()
            else:
                # the word right after the name: "did the IWF's report say ...?" asks about the report
                return frozenset() if terms[0] in self._common_terms or terms[0] in self._saying else \
                    frozenset({terms[0]}) | related.get(terms[0], frozenset())
        return frozenset()

    def beyond_names(self, named: frozenset[str], weights: dict[str, float]) -> dict[str, float]:
        """The weights of the question's words other than its names (`named`) and common English
        ("take", "work", "experience" in "does the National Crime Agency take work experience
        students?"), where it names something the library knows; empty where it names nothing.
        Empty too where it asks about the name alone ("who is Derek Ray-Hill?")."""
        if not named:
            return {}
        return {t: w for t, w in weights.items() if t not in named and t not in self._common_terms}

    def asked_terms(self, question: str, related: dict[str, frozenset[str]]) -> list[frozenset[str]]:
        """Each word the question asks for by name ("constituency" in "which constituency ...?"),
        analysed, with its related words, and NUMBER where a value names it ("the opening hours")."""
        analyzer = self.index.bm25.analyzer
        return [frozenset({t}) | related.get(t, frozenset()) | (NUMBER if w in self.kinds.asked_values else frozenset())
                for w in self.kinds.asked_words(question) for t in analyzer(w)]

    def with_compounds(self, question: str, related: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
        """`related`, with each pair of neighbouring question words that the library writes as one
        word ("head teacher": "headteacher", "on line": "online") related to that word, so that a
        sentence about the headteacher holds both words of "the head teacher"."""
        words = [w.casefold() for w in _PLAIN_WORD.findall(question)]
        out = dict(related)
        for first, second in zip(words, words[1:]):
            found = self.compound(first, second)
            if found is not None:
                joined, parts = found
                for term in parts:
                    out[term] = out.get(term, frozenset()) | {joined}
        return out

    def _negations(self, question: str) -> tuple[tuple[str, str], ...]:
        """Each word the question negates that the library writes as one negated word, as (the
        word's term, the library's word): "not sure" and "unsure", "isn't clear" and "unclear".
        The library's "if staff are unsure, they should always speak to the designated
        safeguarding lead" answers "not sure if it's a safeguarding thing, who do I ask?", though
        the two share no word a search or the overlap would match."""
        analyzer, idf, found = self.index.bm25.analyzer, self.index.bm25.idf, []
        for word in _NEGATED.findall(_straight(question).casefold()):
            terms = analyzer(word)
            if len(terms) != 1:
                continue
            for prefix in _NEGATING_PREFIXES:
                joined = analyzer(prefix + word)
                if len(joined) == 1 and joined[0] in idf and joined[0] != terms[0]:
                    found.append((terms[0], prefix + word))
                    break
        return tuple(found)

    def with_negations(self, question: str, related: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
        """`related`, with each word the question negates related to the library's negated word
        (`negations`)."""
        out = dict(related)
        analyzer = self.index.bm25.analyzer
        for term, joined in self.negations(question):
            out[term] = out.get(term, frozenset()) | frozenset(analyzer(joined))
        return out

    def _compound(self, first: str, second: str) -> tuple[str, tuple[str, ...]] | None:
        """The library's one-word term for two words, with the terms of the two, or None."""
        analyzer = self.index.bm25.analyzer
        joined, parts = analyzer(first + second), tuple(analyzer(first) + analyzer(second))
        if len(joined) != 1 or joined[0] not in self.index.bm25.idf or joined[0] in parts:
            return None
        return joined[0], parts

    def related_for(self, terms) -> dict[str, frozenset[str]]:
        """The related words (prompts/vocabulary.toml) of each of a question's terms, and the
        library's words of the same family: "diagnose" and "diagnosis" are stemmed apart
        ("diagnos", "diagnosi"), and one is the other's stem with a letter more. Terms of at least
        `FAMILY_LETTERS` letters only, so "govern" (governing) and "governor" stay apart."""
        related = self.vocabulary.related
        out = {}
        for term in terms:
            family = frozenset(t for t in self.by_prefix.get(term[:FAMILY_LETTERS], ())
                               if t != term and (t.startswith(term) or term.startswith(t))) \
                if len(term) >= FAMILY_LETTERS else frozenset()
            if family or term in related:
                out[term] = related.get(term, frozenset()) | family
        return out

    def _terms(self, passage_id: str) -> list[list[str]]:
        """The analysed words of each sentence of a passage, worked out once per passage and kept."""
        if passage_id not in self._sentence_terms:
            text = self.index.documents[self.index.by_id[passage_id].doc_id].text
            analyzer = self.index.bm25.analyzer
            self._sentence_terms[passage_id] = [analyzer(text[s:e]) for s, e in self.index.sentence_spans[passage_id]]
        return self._sentence_terms[passage_id]

    def _may_answer(self, passage_id: str, scope: bool, where: bool) -> list[bool]:
        """For each sentence of a passage: False where it states what its own document is for
        (unless the question asks about scope, `scope`) or points to another source (unless it
        asks where to find something, `where`). What each sentence is, is worked out once per
        passage and kept."""
        if passage_id not in self._sentence_roles:
            doc = self.index.documents[self.index.by_id[passage_id].doc_id]
            text, title = doc.text, _folded(doc.title)
            # the document's own title ("Teachers given new guidance in dealing with ..."), which
            # the citation already names, says nothing about who did what: no answer either
            self._sentence_roles[passage_id] = [(self.kinds.about_the_document(text[s:e]),
                                                 self.kinds.points_elsewhere(text[s:e]),
                                                 len(_WORD.findall(text[s:e])) < _FEWEST_WORDS or _folded(text[s:e]) == title)
                                                for s, e in self.index.sentence_spans[passage_id]]
        return [(scope or not about) and (where or not signpost) and not bare
                for about, signpost, bare in self._sentence_roles[passage_id]]

    def _procedures(self, judgement: SentenceJudgement) -> bool:
        doc_id = self.index.by_id[judgement.passage_id].doc_id
        return self.index.documents[doc_id].procedures

    def _school_policy(self, judgement: SentenceJudgement) -> bool:
        doc_id = self.index.by_id[judgement.passage_id].doc_id
        return self.index.documents[doc_id].kind == "school policy"

    def _quote(self, passage, judgement: SentenceJudgement) -> dict:
        doc = self.index.documents[passage.doc_id]
        at = self.order[passage.id]
        passage, sentences = as_quoted(passage, self.index.passages[at + 1:at + 1 + RUN_ON_PASSAGES],
                                       self.index.sentence_spans, doc.text, self.settings.answer.run_on_words)
        quote = doc.text[passage.start:passage.end]
        start, end = highlight_span(list(sentences), judgement.start, judgement.end, doc.text)
        return {
            "quote": quote,
            "highlight": [[start - passage.start, end - passage.start]],
            "source": doc.source_info(),
            "date": doc.date,
            "date_note": doc.date_note,
            "caution": doc.caution,
            "location": {"start": passage.start, "end": passage.end, "paragraph": passage.paragraph,
                         "page": passage.page, "page_end": passage.page_end, "label": passage.label,
                         "label_end": passage.label_end, "footnote": passage.footnote,
                         "heading": list(passage.heading)},
            "citation": citation(doc.publisher, doc.title, doc.date or doc.date_note, passage),
            "replaced_by": [self.index.documents[i].source_info()
                            for i in sorted(self.replaced_by.get(doc.id, ()))],
            "score": round(float(judgement.score), 6),
            "answer_sentence": judgement.as_dict(),
        }


def _proper_words(texts: Iterable[str]) -> frozenset[str]:
    """Words the library only ever writes as names, folded: capitalised inside a sentence and never
    in small letters ("iwf", "kcsie", "derbyshire", "hugh"; not "children", which headings
    capitalise and sentences do not). Once is enough: a news story names "Hugh Nelson" once, and
    "did hugh nelson appeal his sentence?" typed in small letters asks about him all the same."""
    named: set[str] = set()
    plain: set[str] = set()
    for text in texts:
        for match in _PLAIN_WORD.finditer(text):
            word = match.group()
            if word[0].islower():
                plain.add(word)
            elif len(word) >= 3 and not text[max(0, match.start() - 3):match.start()].strip().endswith(
                    (".", "?", "!", ":", "•", "(", "\"", "“", "‘", "'")) and match.start() > 0 \
                    and text[match.start() - 1] != "\n":
                named.add(word.casefold())
    return frozenset(named - {w.casefold() for w in plain})


def _law_keys(text: str) -> set[str]:
    """The keys of the laws a text names as its authors write them, capitalised ("domestic abuse"
    for "The Domestic Abuse Act 2021"); a one-word name ("Children Act") counts too."""
    keys = set()
    for match in _LAW.finditer(text):
        name = _LAW_OPENING.sub("", match.group(1)).strip()
        if name and len(name) >= 4:
            keys.add(_folded(_straight(name)))
    return keys


def _labels(passages: Iterable[Passage]) -> set[str]:
    """The paragraph numbers the passages' documents print: each passage's first and last, and the
    whole numbers between them."""
    labels: set[str] = set()
    for passage in passages:
        first, last = passage.label, passage.label_end or passage.label
        if first is None:
            continue
        labels.update((first, last))
        if first.isdigit() and last.isdigit():
            labels.update(str(n) for n in range(int(first), int(last) + 1))
    return labels
