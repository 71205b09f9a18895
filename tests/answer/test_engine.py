"""The answer engine end to end on the default library: the answer contract a DSL relies on."""

import json
import shutil
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from bot.answer.compose import near_duplicate
from bot.answer.engine import QuestionError, _law_keys, _proper_words, clean_question
from bot.evaluation.labelled import DEFAULT_QUESTIONS
from tests.conftest import PROJECT_ROOT
from tests.test_cli import run_bot

SCHEMA_COPY = PROJECT_ROOT / "web" / "static" / "answer.schema.json"
SHARED_SCHEMA = PROJECT_ROOT.parent / "shared" / "contract" / "answer.schema.json"


@pytest.fixture(scope="module")
def validator():
    return jsonschema.Draft202012Validator(json.loads(SCHEMA_COPY.read_text(encoding="utf-8")))


@pytest.mark.skipif(not SHARED_SCHEMA.exists(), reason="the shared contract folder is not beside this checkout")
def test_the_schema_copy_matches_the_shared_contract():
    assert json.loads(SCHEMA_COPY.read_text()) == json.loads(SHARED_SCHEMA.read_text())


@pytest.mark.slow
def test_every_quote_over_the_whole_labelled_set_is_exact_at_its_span(engine, validator):
    """Every answer validates, and every quote is the cleaned document's text at its span."""
    questions = [json.loads(line)["question"] for line in DEFAULT_QUESTIONS.read_text(encoding="utf-8").splitlines()]
    quotes = 0
    for question in questions:
        answer = engine.ask(question)
        validator.validate(answer)
        assert len(answer["passages"]) <= engine.settings.answer.max_passages
        for item in answer["passages"]:
            doc = engine.index.documents[item["source"]["id"]]
            start, end = item["location"]["start"], item["location"]["end"]
            assert doc.text[start:end] == item["quote"]
            (h_start, h_end), = item["highlight"]
            assert 0 <= h_start < h_end <= len(item["quote"])
            quotes += 1
        texts = [p["quote"] for p in answer["passages"]]
        assert not any(near_duplicate(a, b, engine.settings.answer.near_duplicate)
                       for i, a in enumerate(texts) for b in texts[i + 1:])
    assert quotes > 100  # the questions the documents answer get quotes


@pytest.mark.slow
def test_an_answered_question_quotes_the_passage_that_answers_it(engine):
    answer = engine.ask("Is an AI-made nude picture of a pupil actually illegal?")
    assert answer["answered"] and not answer["urgent"]
    highlighted = [p["quote"][slice(*p["highlight"][0])] for p in answer["passages"]]
    assert any("illegal" in sentence for sentence in highlighted)
    assert answer["passages"][0]["citation"].startswith("BBC News")
    assert answer["escalation"]["urgent"] is False


@pytest.mark.slow
def test_an_urgent_question_gets_the_urgent_escalation_first(engine):
    answer = engine.ask("A girl in Year 9 has just told me someone will send a fake nude of her to everyone "
                        "tonight unless she pays")
    assert answer["urgent"] is True
    assert answer["escalation"]["urgent"] is True
    first = answer["escalation"]["first"]
    assert "999" in first[0] and "now" in first[1] and "Never view" in first[2]
    assert not any(c["phone"] == "999" for c in answer["escalation"]["contacts"])  # 999 said once
    assert "sextortion" in answer["escalation"]["situations"]
    assert any(step.startswith("Blackmail with an image (sextortion)") for step in answer["escalation"]["steps"])


@pytest.mark.slow
def test_an_out_of_scope_question_is_not_covered_but_still_gets_contacts(engine, validator):
    answer = engine.ask("When do we break up for the Christmas holidays?")
    validator.validate(answer)
    assert answer["answered"] is False and answer["passages"] == []
    assert "The library holds: " in answer["not_covered"] and answer["off_topic"]
    assert all(doc.title in answer["not_covered"] for doc in engine.index.documents.values())
    assert answer["escalation"]["contacts"]


@pytest.mark.slow
def test_a_what_to_do_question_gets_the_steps_first_and_no_news_quote(engine, validator):
    answer = engine.ask("should I confiscate the phone?")
    validator.validate(answer)
    assert answer["asks_what_to_do"] and answer["steps_first"]
    assert answer["answered"] is False and answer["passages"] == []
    assert "do not set out what to do" in answer["not_covered"]
    assert answer["escalation"]["steps"]


@pytest.mark.slow
def test_the_highlight_is_the_sentence_that_answers(news_engine):
    # On the news seeds, where the bars were set. With KCSIE beside them the same sentence scores
    # just under the bar (0.67 < 0.7): the answer stage's transfer to a larger library is its own work.
    answer = news_engine.ask("does it count if the image is a cartoon?")
    assert answer["answered"]
    first = answer["passages"][0]
    assert "isn't photorealistic" in first["quote"][slice(*first["highlight"][0])]


def test_who_issued_it_highlights_the_sentence_that_names_who(engine):
    """The sentence that says by whom the guidance was issued is highlighted, not the one before
    it that shares more of the question's words."""
    answer = engine.ask("who put out the new guidance for teachers on AI child abuse images?")
    highlights = [p["quote"][slice(*p["highlight"][0])] for p in answer["passages"]]
    assert any("issued by the National Crime Agency" in h for h in highlights)


def test_a_paragraph_the_library_does_not_number_is_not_answered_from_another(engine):
    """Part one numbers its paragraphs 1-74: "paragraph 140" is not in it, "paragraph 51" is."""
    assert engine.unknown_names("What does paragraph 140 of KCSIE say about filtering and monitoring?") == \
        ["paragraph 140"]
    assert engine.unknown_names("what does para 51 say about concerns?") == []
    assert not engine.ask("What does paragraph 140 of KCSIE say about filtering and monitoring?")["answered"]


def test_a_sentence_sharing_only_the_names_asked_about_does_not_answer(engine):
    """"How do I apply for a job at the NCA?" names the NCA and asks about jobs: a sentence naming
    the NCA and nothing else of the question says nothing of them. One that says
    what was asked in other words (info, information) still answers."""
    assert engine.names_known("Does the National Crime Agency take work experience students?") >= {"nation", "agenc"}
    assert not engine.ask("How do I apply for a job at the National Crime Agency? Teacher thinking about a career change.")["answered"]
    answer = engine.ask("does GDPR stop me passing info about a pupil to social services?")
    assert any("do not prevent the sharing of information" in p["quote"] for p in answer["passages"])


def test_who_someone_is_is_asked_about_the_name_alone(engine):
    """"What's Alex Murray's job?" is answered by the sentence naming him and his post, though it
    never says "job"."""
    question = "What's Alex Murray's job at the National Crime Agency?"
    assert engine.beyond_names(engine.names_known(question), {"job": 1.0}) == {}
    assert any("Alex Murray" in p["quote"] for p in engine.ask(question)["passages"])


def test_a_name_typed_in_small_letters_is_a_name_where_the_library_only_writes_it_so(engine):
    """"iwf" typed in small letters is the IWF; "children", capitalised in headings and not in
    sentences, is not a name. Part one never names the IWF, so its helpline number is not the IWF's."""
    assert "iwf" in engine.names_known("whats the iwf hotline phone number")
    assert "children" not in engine.proper_words
    assert not engine.ask("whats the iwf hotline phone number")["answered"]


def test_proper_words_are_capitalised_inside_sentences_and_never_in_small_letters():
    """Once inside a sentence is enough ("Ofcom"); a capital that opens a sentence ("Later") is not."""
    text = "We spoke to the IWF. Later the IWF said so. Children matter. The children said no. Ask Ofcom."
    assert _proper_words([text]) == frozenset({"iwf", "ofcom"})


def test_a_name_the_library_writes_once_typed_in_small_letters_is_still_a_name(engine):
    """The BBC story names Hugh Nelson once; whether he appealed is not in it, however it is typed."""
    assert {"hugh", "nelson"} <= engine.names_known("did hugh nelson appeal his sentence?")
    assert not engine.ask("did hugh nelson appeal his sentence?")["answered"]
    assert not engine.ask("Did Hugh Nelson appeal his sentence?")["answered"]


def test_a_question_about_one_law_is_not_answered_by_a_sentence_on_another(engine):
    """The Domestic Abuse Act's Royal Assent is not the Crime and Policing Bill's."""
    assert engine.laws_named("What date did the Crime and Policing Bill get royal assent?") == {"crime and policing"}
    assert engine.laws_named("does data protection stop me sharing?") == set()
    assert not engine.ask("What date did the Crime and Policing Bill get Royal Assent?")["answered"]


def test_a_negated_word_finds_the_library_s_negated_word(engine):
    """"Not sure" is "unsure" in Part one ("if staff are unsure, they should always speak to the
    designated safeguarding lead"); a word the library never negates so is left alone."""
    unsure = engine.index.bm25.analyzer("unsure")[0]
    assert engine.negations("not sure whether what I overheard counts, who should i check with?") == \
        ((engine.index.bm25.analyzer("sure")[0], "unsure"),)
    assert engine.negations("I'm not really sure who to ask") == ((engine.index.bm25.analyzer("sure")[0], "unsure"),)
    assert engine.negations("is it not a crime?") == ()
    assert unsure in engine.with_negations("not sure who to ask", {})[engine.index.bm25.analyzer("sure")[0]]
    answer = engine.ask("not sure whether what I overheard counts as a safeguarding thing, who should i check with?")
    assert any("if staff are unsure" in p["quote"] for p in answer["passages"])


def test_a_law_the_library_never_names_is_unknown(engine):
    """Part one and the news seeds name the Children Act and the Crime and Policing Bill, never the
    Online Safety Act: what that Act makes apps do is not said by a sentence on deepfakes."""
    assert engine.unknown_laws("Does the Online Safety Act make social media firms take down deepfakes?") == \
        ["online safety act"]
    assert engine.unknown_laws("is the crime and policing bill law yet?") == []
    assert engine.unknown_laws("what is a child in need under the children act?") == []
    assert engine.unknown_laws("should I tell the child or just act? it's the way they act that worries me") == []
    assert not engine.ask("what age does the Online Safety Act say kids can sign up to social media?")["answered"]


def test_did_someone_named_do_something_needs_a_sentence_saying_they_did(engine):
    """"Did Hugh Nelson appeal against his sentence?" is not answered by the sentence giving his
    sentence; "did the commissioner ask ...?" asks what she asked, which is said in other verbs."""
    question = "Did Hugh Nelson appeal against his sentence?"
    named = engine.names_known(question)
    assert engine.named_predicate(question, named, {}) == {engine.index.bm25.analyzer("appeal")[0]}
    assert not engine.ask(question)["answered"]
    assert engine.named_predicate("Did the NCA write guidance for schools?", engine.names_known("the NCA"), {}) == set()
    assert engine.named_predicate("did most teachers know it was illegal?", frozenset({"teacher"}), {}) == set()
    assert engine.ask("Did the NCA's survey find that teachers knew AI-made abuse images are illegal?")["answered"]


def test_two_words_the_library_writes_as_one_are_found_in_it(engine):
    """Part one writes "headteacher": "the head teacher" in a question is found in its sentences."""
    headteacher = engine.index.bm25.analyzer("headteacher")[0]
    related = engine.with_compounds("who do I go to if my worry is about the head teacher?", {})
    assert headteacher in related["head"] and headteacher in related["teacher"]
    assert engine.with_compounds("a teacher rings in sick", {}) == {}  # "teacherrings" folds to "teacher"
    answer = engine.ask("who do I go to if my worry is about the head teacher?")
    assert any("about the headteacher" in p["quote"] for p in answer["passages"])


def test_law_keys_are_the_names_without_act_bill_or_year():
    assert _law_keys("The Domestic Abuse Act 2021 received Royal Assent. Under the Children Act 1989 and "
                     "the Crime and Policing Bill ...") == {"domestic abuse", "children", "crime and policing"}


def test_a_document_that_never_names_who_is_asked_about_does_not_answer(engine):
    """Part one never mentions the IWF: its sentence on teachers reporting FGM to the police does
    not say whether the IWF has a number to ring."""
    question = "Has the IWF got a phone number teachers can ring to report a suspected indecent image of a pupil?"
    assert "iwf" in engine.names_known(question)
    assert not engine.ask(question)["answered"]


def test_a_name_only_one_document_uses_places_the_question_in_that_document(engine):
    """Only the Derbyshire press release names the county, three times: "what sentence did the man
    in the South Derbyshire case get?" is not answered by the BBC story's sentence on Hugh Nelson's
    18 years, another offender in another case."""
    question = "What sentence did the offender in the South Derbyshire AI images case get?"
    assert "derbyshir" in engine.single_document_names(engine.names_known(question))
    answer = engine.ask(question)
    assert not any("Hugh Nelson" in p["quote"] for p in answer["passages"])
    assert not answer["answered"]


def test_a_name_met_once_or_in_several_documents_places_the_question_nowhere(engine):
    """"AI" is in both news stories; "Girls" is capitalised once, in "Violence Against Women and
    Girls". Neither ties a question to one document."""
    assert "ai" not in engine.single_document_names(frozenset({"ai"}))
    assert not engine.single_document_names(frozenset({"girl"}))


def test_an_abbreviation_spelled_out_in_a_document_is_named_there(engine):
    """KCSIE Part one writes "National Crime Agency" and never "NCA": it still names the NCA, so a
    question about "the NCA's Cyber Choices scheme" may be answered from it."""
    assert engine._document_names("kcsie-2025-part-one", "nca")
    assert not engine._document_names("kcsie-2025-part-one", "iwf")
    assert "nca" not in engine.single_document_names(frozenset({"nca"}))


@pytest.mark.slow
def test_a_factual_part_of_a_mixed_question_is_still_quoted(engine):
    answer = engine.ask("A boy forwarded a deepfake nude of a classmate; is it illegal, and what do we do?")
    assert answer["answered"]
    assert any("illegal" in p["quote"] for p in answer["passages"])


@pytest.mark.slow
def test_every_quote_carries_its_date_or_date_note_and_any_caution(engine):
    answer = engine.ask("What new offences for AI models are being proposed?")
    assert answer["answered"]
    for item in answer["passages"]:
        doc = engine.index.documents[item["source"]["id"]]
        assert item["date"] == doc.date and item["date_note"] == doc.date_note
        assert (doc.date or doc.date_note) in item["citation"]
        assert item["caution"] == doc.caution
    derbyshire = [p for p in answer["passages"] if p["source"]["id"] == "derbyshire-pcc-ai-csam-laws"]
    assert derbyshire and "Check the current law" in derbyshire[0]["caution"]


@pytest.mark.slow
def test_a_document_that_sets_out_procedures_answers_what_to_do(tmp_path, embedder):
    """The decision is per passage: with a school procedure in the library, it is quoted."""
    from bot.answer.engine import AnswerEngine
    from bot.search.index import build_index
    from tests.conftest import settings_for, write_manifest

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "policy.txt").write_text(
        "Responding to a nude or semi-nude image\n\n"
        "If a pupil shows you a nude image on their phone, do not confiscate or search the phone yourself. "
        "Ask the pupil to switch the phone off and tell the designated safeguarding lead at once.\n\n"
        "Never view, copy or forward the image.\n", encoding="utf-8")
    for procedures in (True, False):
        write_manifest(seeds, [{"id": "policy", "file": "policy.txt", "title": "Online safety policy",
                                "publisher": "Test School", "date": "2025-09-01"}])
        if procedures:
            with open(seeds / "manifest.toml", "a", encoding="utf-8") as handle:
                handle.write("procedures = true\n")
        settings = settings_for(seeds, tmp_path / f"index-{procedures}")
        build_index(settings, embedder=embedder, progress=False)
        engine = AnswerEngine.load(settings, embedder=embedder)
        # Scores about 1.0 against this policy: above the usual bar, below the "what do I do" one.
        answer = engine.ask("what should I do if a student shows me an explicit picture?")
        assert answer["asks_what_to_do"]
        assert answer["answered"] is procedures
        if procedures:
            assert "confiscate" in answer["passages"][0]["quote"]


@pytest.mark.parametrize("bad, message", [
    ("", "please type a question"),
    ("   \n\t ", "please type a question"),
    ("\x00\x01", "please type a question"),
    ("x" * 1001, "too long"),
    (None, "must be text"),
    (["a list"], "must be text"),
])
def test_unusable_questions_are_refused_with_a_plain_reason(bad, message):
    with pytest.raises(QuestionError, match=message):
        clean_question(bad, 1000)


def test_questions_are_tidied_not_rewritten():
    assert clean_question("  is\x00 it\n\nillegal?\u200b ", 1000) == "is it illegal?"
    assert clean_question("<script>alert(1)</script>", 1000) == "<script>alert(1)</script>"


@pytest.mark.slow
def test_cli_ask_prints_quotes_citations_and_contacts_and_json():
    text = run_bot("ask", "is a fake nude of a pupil illegal?")
    assert text.returncode == 0, text.stderr
    assert "BBC News" in text.stdout and "Contacts:" in text.stdout and "0808 800 5000" in text.stdout
    urgent = run_bot("ask", "a boy in my class has just been sent a fake nude of himself and told to pay by tonight")
    assert urgent.stdout.lstrip("=\n").startswith("URGENT")
    as_json = run_bot("ask", "--json", "what is nudifying?")
    answer = json.loads(as_json.stdout)
    assert answer["answered"] and answer["passages"]


@pytest.mark.slow
def test_cli_ask_refuses_to_start_on_a_malformed_prompts_file(tmp_path: Path):
    prompts = tmp_path / "prompts"
    shutil.copytree(PROJECT_ROOT / "prompts", prompts)
    (prompts / "escalation.toml").write_text("[calm\n", encoding="utf-8")
    result = run_bot("ask", "--prompts-dir", str(prompts), "is it illegal?")
    assert result.returncode == 2
    assert "escalation.toml: not valid TOML" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_cli_ask_refuses_an_empty_question_cleanly():
    result = run_bot("ask", "   ")
    assert result.returncode == 2 and "please type a question" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_a_kcsie_quote_is_cited_by_its_own_paragraph_number_heading_and_page(engine, validator):
    answer = engine.ask("what should records of a concern include")
    validator.validate(answer)
    first = answer["passages"][0]
    assert first["source"]["id"] == "kcsie-2025-part-one"
    assert first["location"]["label"] == "66" and first["location"]["heading"][-1] == "Record keeping"
    assert "paragraph 66 (pages 17-18), under ‘Record keeping’" in first["citation"]
    assert first["quote"].startswith("66. All concerns, discussions and decisions made")
    assert "1 September 2026" in first["caution"]  # the edition is said plainly with every quote


def test_a_newer_edition_takes_the_place_of_the_one_it_replaces():
    from bot.answer.compose import distinct
    from bot.library.passages import Passage

    def passage(pid, doc, text):
        return Passage(pid, doc, text, 0, len(text), 1, 1, None)

    old = passage("o", "kcsie-2024", "All staff should be aware of the indicators of abuse and neglect.")
    new = passage("n", "kcsie-2025", "All staff should be aware of the indicators of abuse, neglect and exploitation.")
    other = passage("x", "news", "Something else entirely about a different matter.")
    replaced_by = {"kcsie-2024": {"kcsie-2025"}}
    assert [p.id for p in distinct([old, other, new], replaced_by, 0.8, 10)] == ["n", "x"]
    assert [p.id for p in distinct([old, other], replaced_by, 0.8, 10)] == ["o", "x"]  # no newer twin: kept


@pytest.mark.slow
def test_two_editions_quote_the_newer_and_mark_the_older_as_replaced(tmp_path, embedder):
    from bot.answer.engine import AnswerEngine
    from bot.search.index import build_index
    from tests.conftest import settings_for, write_manifest

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    said = ("All staff should know how to recognise child-on-child abuse, including sexual harassment "
            "and the sharing of nude images, and should report it to the designated safeguarding lead.")
    (seeds / "old.txt").write_text(f"12. {said}\n\n13. Filtering systems are reviewed every year.\n", encoding="utf-8")
    (seeds / "new.txt").write_text(f"14. {said}\n\n15. Training is refreshed at least every three years.\n",
                                   encoding="utf-8")
    write_manifest(seeds, [
        {"id": "guide-2024", "file": "old.txt", "title": "Guide 2024", "publisher": "DfE", "date": "2024-09-02"},
        {"id": "guide-2025", "file": "new.txt", "title": "Guide 2025", "publisher": "DfE", "date": "2025-09-01",
         "replaces": "guide-2024"},
    ])
    settings = settings_for(seeds, tmp_path / "index")
    build_index(settings, embedder=embedder, progress=False)
    engine = AnswerEngine.load(settings, embedder=embedder)
    answer = engine.ask("who should staff report child-on-child sexual harassment to?")
    sources = [p["source"]["id"] for p in answer["passages"]]
    assert sources and sources[0] == "guide-2025" and "guide-2024" not in sources  # the same words: the newer
    assert "paragraph 14" in answer["passages"][0]["citation"] and answer["passages"][0]["replaced_by"] == []
    older = engine.ask("how often are filtering systems reviewed?")
    quote = next(p for p in older["passages"] if p["source"]["id"] == "guide-2024")
    assert [d["id"] for d in quote["replaced_by"]] == ["guide-2025"]  # only the older says it: marked


# Questions from the libraries issue, on the default library (the news seeds and KCSIE 2025 Part one).

@pytest.mark.slow
def test_worried_about_a_child_quotes_kcsie_on_what_staff_should_do(engine):
    answer = engine.ask("What should I do if I'm worried about a child?")
    labels = {p["location"]["label"] for p in answer["passages"] if p["source"]["id"] == "kcsie-2025-part-one"}
    assert labels & {"50", "51"}
    assert answer["steps_first"] is False  # a procedures document answers: its quote is the answer


@pytest.mark.slow
def test_looking_at_the_image_is_not_answered_with_fgm_guidance(engine):
    answer = engine.ask("Can I look at the image to check it before reporting?")
    assert not any("genital" in p["quote"].lower() or "FGM" in p["quote"] or "visual evidence" in p["quote"]
                   for p in answer["passages"])
    assert answer["steps_first"] is True  # nothing here says: the steps ("never view ...") are the answer


@pytest.mark.slow
def test_a_question_about_the_dsl_is_on_the_librarys_subject(engine):
    answer = engine.ask("What if I think the DSL is not taking my concern seriously?")
    assert answer["off_topic"] is False
    assert "only covers" not in (answer["not_covered"] or "")


@pytest.mark.slow
def test_is_it_a_crime_highlights_the_sentence_stating_the_law(engine):
    answer = engine.ask("Is it a crime for a pupil to make a deepfake nude of a classmate if everyone knows it's fake?")
    highlights = [p["quote"][slice(*p["highlight"][0])] for p in answer["passages"]]
    assert any("illegal in the UK" in h for h in highlights)


@pytest.mark.slow
def test_what_did_the_iwf_find_quotes_the_rise_in_reports(engine):
    answer = engine.ask("What did the IWF find?")
    assert "380% more reports" in answer["passages"][0]["quote"]


@pytest.mark.slow
def test_how_long_is_not_answered_by_a_sentence_without_a_time_or_on_another_topic(engine):
    # Part one says to keep a separate file (no time), and that training is updated annually (another topic)
    answer = engine.ask("how long do we keep child protection files after a pupil leaves?")
    assert answer["answered"] is False and answer["steps_first"] is True


@pytest.mark.slow
def test_a_signpost_is_no_answer_unless_the_question_asks_where_to_look(engine):
    lesson = engine.ask("I'm planning a PSHE lesson on sextortion for year 8, what should I put in it?")
    assert not any("for links to" in p["quote"] for p in lesson["passages"])
    where = engine.ask("where can I find lesson plans about mental health?")
    assert any("lesson plans" in p["quote"][slice(*p["highlight"][0])] for p in where["passages"])


@pytest.mark.slow
def test_asking_permission_is_what_to_do_and_a_news_sentence_on_the_topic_is_no_answer(engine):
    answer = engine.ask("If staff find an AI fake nude on a pupil's device, are we allowed to delete it ourselves?")
    assert answer["asks_what_to_do"] is True and answer["steps_first"] is True
    assert not any(p["source"]["id"].startswith("bbc") for p in answer["passages"])


@pytest.mark.slow
def test_a_paragraphs_own_number_is_never_the_answering_sentence(engine):
    """KCSIE's "9." opens paragraph 9 and is kept as a sentence of its own; it says nothing."""
    numbered = [p for p in engine.index.passages if p.label == "9" and p.doc_id == "kcsie-2025-part-one"]
    text = engine.index.documents["kcsie-2025-part-one"].text
    spans = engine.index.sentence_spans[numbered[0].id]
    assert text[slice(*spans[0])].strip() == "9."
    assert engine._may_answer(numbered[0].id, scope=False, where=False)[0] is False
    answer = engine.ask("deadline for year 9 reports")
    assert all(p["quote"][slice(*p["highlight"][0])].strip() != "9." for p in answer["passages"])


@pytest.mark.parametrize("question", ["when is the next inset day", "how many days annual leave do support staff get"])
def test_a_question_far_from_every_heading_title_and_sentence_is_not_answered_by_a_stray_word(engine, question):
    """"annual leave" shares a word with "at least annually" (staff training) and "inset day" with
    "Awareness Day": neither is about what the library holds."""
    assert not engine.ask(question)["answered"]


@pytest.mark.parametrize("question", ["Who is Derek Ray-Hill?", "'it could happen here' - what's that about"])
def test_a_question_that_names_or_quotes_the_library_is_about_it(engine, question):
    vector = engine.query_vector(question)
    judgements = engine.judge(question, vector, engine.candidates(question, vector))
    assert not engine.far_from_subjects(question, vector, max(judgements, key=lambda j: j.score))
    assert engine.ask(question)["answered"]


def test_a_documents_own_title_is_never_the_answering_sentence(engine):
    """The news story's headline names the document (the citation shows it); it shares every word of
    "who put out the new guidance ...?" and says nothing about who did."""
    doc = engine.index.documents["bbc-ai-csam-teacher-guidance"]
    first = next(p for p in engine.index.passages if p.doc_id == doc.id)
    spans = engine.index.sentence_spans[first.id]
    assert " ".join(doc.text[slice(*spans[0])].split()) == doc.title
    assert engine._may_answer(first.id, scope=False, where=False)[0] is False
    answer = engine.ask("who put out the new guidance for teachers about AI generated child abuse images?")
    shown = [p["quote"][slice(*p["highlight"][0])] for p in answer["passages"]]
    assert shown and doc.title not in shown


@pytest.mark.slow
def test_the_schools_own_policy_comes_first_where_it_answers(tmp_path, embedder):
    """A school's procedure beside the national guidance: its quote is the first thing shown."""
    import tomllib

    import tomli_w

    from bot.answer.engine import AnswerEngine
    from bot.evaluation.profiles import REAL_DIR, lay_out
    from bot.search.index import build_index
    from tests.conftest import settings_for

    seeds = lay_out("default", tmp_path / "seeds")
    shutil.copy(REAL_DIR / "oakfield-procedure.docx", seeds / "oakfield-procedure.docx")
    entries = tomllib.loads((seeds / "manifest.toml").read_text(encoding="utf-8"))["document"]
    entries.append({"id": "oakfield-procedure", "file": "oakfield-procedure.docx", "title": "Oakfield staff procedure",
                    "publisher": "Oakfield Primary School", "kind": "school policy", "procedures": True,
                    "date_note": "fictional example"})
    (seeds / "manifest.toml").write_text(tomli_w.dumps({"document": entries}), encoding="utf-8")
    settings = settings_for(seeds, tmp_path / "index")
    build_index(settings, embedder=embedder, progress=False)
    engine = AnswerEngine.load(settings, embedder=embedder)
    answer = engine.ask("do I tell the parents?")
    assert answer["passages"] and answer["passages"][0]["source"]["id"] == "oakfield-procedure"
    assert "parents" in answer["passages"][0]["quote"] and answer["steps_first"] is False


def test_a_question_about_the_schools_own_policy_is_not_answered_from_national_guidance(engine):
    answer = engine.ask("What is our school's policy on mobile phones in lessons?")
    assert answer["passages"] == [] and answer["off_topic"] is True and answer["urgent"] is False
    assert answer["not_covered"].startswith("This library holds no school policy that answers this")
    about_a_child = engine.ask("What does our school's policy say we do when a pupil shares a nude?")
    assert about_a_child["passages"] == [] and about_a_child["off_topic"] is False  # the steps stay



def test_an_abbreviation_the_library_writes_out_is_searched_for_in_full(engine, monkeypatch):
    """KCSIE Part one defines the Youth Endowment Fund (YEF) and then writes the name out: the word
    search for a question that says "YEF" looks for the name too."""
    assert engine.spell_out.table.get("yef") == "Youth Endowment Fund"
    searched = []
    rank = engine.retriever.rank
    monkeypatch.setattr(engine.retriever, "rank", lambda q, *a, **k: searched.append(q) or rank(q, *a, **k))
    engine.candidates("what is the YEF", engine.query_vector("what is the YEF"))
    assert searched == ["what is the YEF (Youth Endowment Fund)"]


def test_an_abbreviation_the_library_only_writes_out_is_read_for_what_it_stands_for(engine, monkeypatch):
    """Part one says "designated safeguarding lead" and never "DSL": the question is searched and
    judged with the long form added, so "what if the DSL is out?" finds paragraph 53's "If in
    exceptional circumstances, the designated safeguarding lead (or a deputy) is not available"."""
    assert "dsl" not in engine.spell_out.table
    assert engine.spell_out("DSL away") == "DSL away (designated safeguarding lead)"
    answer = engine.ask("what happens if the DSL and deputy are both unavailable and i need advice on a concern")
    assert answer["answered"] and "designated safeguarding lead" in answer["passages"][0]["quote"]


@pytest.mark.slow
@pytest.mark.parametrize("question", [
    "which constituency is Jess Phillips the MP for",
    "what's the title of Laura Bates' book on online misogyny? want to order it for the staff library",
    "what software did Hugh Nelson use to make his images?",
    "How much of our council tax goes to the Derbyshire police and crime commissioner this year?",
    "how many police forces are there in england",
    "Which police force investigated Hugh Nelson?",
])
def test_a_sentence_that_names_the_subject_but_not_what_was_asked_is_no_answer(engine, question):
    """The news sentence names Laura Bates's book but not its title, Jess Phillips but not her
    constituency; a sentence on a crime does not say how much council tax goes to the PCC."""
    assert not engine.ask(question)["answered"]


@pytest.mark.slow
@pytest.mark.parametrize("question", [
    "If I ring the NSPCC whistleblowing line can I stay anonymous? will they tell my head it was me",
    "I've been asked to go to a Channel panel as the school rep. What should I bring with me?",
    "Operation Encompass notification came in this morning. Should I mention it to the child or wait for them?",
])
def test_a_procedure_on_the_topic_that_does_not_say_it_is_no_answer(engine, question):
    """KCSIE says the whistleblowing line exists and that a school representative may attend the
    Channel panel; neither says whether the caller stays anonymous or what to bring."""
    answer = engine.ask(question)
    assert not answer["answered"] and answer["not_covered"]


@pytest.mark.slow
def test_a_value_asked_for_is_answered_by_the_sentence_that_gives_it(engine):
    answer = engine.ask("what are the opening hours of the NSPCC whistleblowing advice line?")
    assert any("08:00 to 20:00" in p["quote"][slice(*p["highlight"][0])] for p in answer["passages"])


@pytest.mark.slow
def test_the_askers_guess_at_the_answer_does_not_stop_it(engine):
    answer = engine.ask("who actually wrote the new guidance for teachers on AI abuse images? was it the DfE?")
    assert answer["answered"] and answer["signals"]["unknown_names"] == []


@pytest.mark.slow
def test_a_question_word_is_found_in_a_sentence_that_uses_its_family(engine):
    """"diagnose" and "diagnosis" stem apart ("diagnos", "diagnosi"); "govern" (governing) and
    "governor" are too short a stem to be taken as one family."""
    analyzer = engine.index.bm25.analyzer
    diagnose, diagnosis = analyzer("diagnose")[0], analyzer("diagnosis")[0]
    assert diagnose != diagnosis and diagnosis in engine.related_for([diagnose])[diagnose]
    governor = analyzer("governors")[0]
    assert analyzer("governing")[0] not in engine.related_for([governor]).get(governor, frozenset())
    answer = engine.ask("can teachers diagnose mental health problems in students")
    assert "diagnosis" in answer["passages"][0]["quote"][slice(*answer["passages"][0]["highlight"][0])]


def test_what_goes_in_a_record_is_answered_by_the_list_not_a_sentence_on_records(engine):
    """"Records should include:" and its items, not "If in doubt about recording requirements ..."."""
    first = engine.ask("what needs to go in a safeguarding record?")["passages"][0]
    start, end = first["highlight"][0]
    lit = first["quote"][start:end]
    assert lit.startswith("Records should include:")
    assert "a clear and comprehensive summary of the concern" in lit


def test_an_age_asked_about_is_answered_by_the_age_limit_that_decides_it(engine):
    """"'Children' includes everyone under the age of 18" shares one word with the question; it is
    judged as the sentence that sets an age limit nearest the question, and shown in the top 3."""
    answer = engine.ask("Do our 17 year olds in the sixth form still count as children for safeguarding purposes?")
    lit = [item["quote"][slice(*item["highlight"][0])] for item in answer["passages"]]
    assert "‘Children’ includes everyone under the age of 18." in lit
    assert not any("under the age of 13" in text for text in lit)


@pytest.mark.slow
def test_a_sentence_of_one_or_two_words_is_never_the_answering_sentence(engine):
    """Part one's "(including knife crime)" is cut into a sentence of its own, "knife crime)": it
    states nothing, though it is the nearest sentence to a question about knife crime."""
    text = engine.index.documents["kcsie-2025-part-one"].text
    fragment = next((p, i) for p in engine.index.passages if p.doc_id == "kcsie-2025-part-one"
                    for i, (s, e) in enumerate(engine.index.sentence_spans[p.id]) if text[s:e].strip() == "knife crime)")
    passage, position = fragment
    assert engine._may_answer(passage.id, scope=False, where=False)[position] is False
    answer = engine.ask("warning signs a pupil could be caught up in serious violence or knife crime")
    assert answer["answered"]
    assert all(len(p["quote"][slice(*p["highlight"][0])].split()) >= 3 for p in answer["passages"])


def test_the_example_questions_are_embedded_once_and_read_from_the_cache_after(engine):
    """Every load (start-up, each publish) learns triage and intent from the same examples:
    their vectors come from the cache, keyed by the texts and the model, not from the encoder."""
    from bot.answer.engine import AnswerEngine
    from bot.answer.intent import load_examples
    from bot.config import PROJECT_ROOT as ROOT
    from bot.search.embedcache import DEFAULT_CACHE_DIR, cache_key

    examples = load_examples(ROOT / "prompts" / "intent_examples.toml")
    texts = [*examples.what_to_do, *examples.asks_a_fact]
    embedder = engine.index.dense.embedder
    entry = DEFAULT_CACHE_DIR / "embeddings" / f"{cache_key(texts, embedder)}.npy"
    assert entry.is_file()

    calls = []
    original = embedder.encode

    def counting(texts, *args, **kwargs):
        calls.append(len(texts))
        return original(texts, *args, **kwargs)

    embedder.encode = counting
    try:
        again = AnswerEngine.load(engine.settings, embedder=embedder)
    finally:
        del embedder.encode
    assert max(calls, default=0) < len(texts)  # only the library's headings and titles were embedded
    for question in ("Is an AI-generated nude image of a child illegal?",
                     "A pupil says a man will post a fake nude of her tonight unless she pays"):
        assert again.ask(question) == engine.ask(question)


def test_a_sections_sentences_are_read_in_their_passage_and_a_news_windows_alone(engine):
    """Each sentence under a heading moves by how near its whole passage is to the question; a
    window of a news story (no heading) mixes subjects, and its sentences are judged alone; so are
    a procedure's for "what do I do?", whose whole sets out more steps than the one asked about."""
    settings = engine.settings.answerability
    assert settings.passage_weight > 0
    for question, steps in (("Is it a crime for a pupil to make a deepfake nude of a classmate?", False),
                            ("What should I do if I'm worried about a child?", True)):
        vector = engine.query_vector(engine.spell_out(question))
        assert engine.asks_for_steps(question, vector) is steps
        hits = engine.candidates(question, vector)
        alone = {j.passage_id: j.score
                 for j in engine.judge(question, vector, hits, replace(settings, passage_weight=0.0))}
        read = {j.passage_id: j.score for j in engine.judge(question, vector, hits)}
        sections = {pid for pid in read if engine.index.by_id[pid].heading}
        assert sections and (steps or set(read) - sections)
        for pid, score in read.items():
            whole = float(engine.index.dense.vectors([pid])[0] @ vector)
            moved = settings.passage_weight * (whole - settings.passage_centre) if pid in sections and not steps else 0.0
            assert score == pytest.approx(alone[pid] + moved, abs=1e-5)


def test_a_footnote_that_says_it_is_quoted_and_one_that_only_sounds_near_is_not(engine):
    """Part one's footnote 5 alone says consensual sharing between older children "might not be
    abusive - but children still need to know it is illegal"; footnote 23 ("teachers need not
    report a case to the police if ... another teacher has already reported the case") shares
    almost no words with a question about reporting a supply teacher's comment."""
    answer = engine.ask("two 16-year-olds swapped nudes and both agreed, is it still illegal?")
    notes = [p for p in answer["passages"] if p["location"]["footnote"]]
    assert [p["location"]["footnote"] for p in notes] == ["5"]
    assert "footnote 5 (page 10)" in notes[0]["citation"] and answer["passages"][0] is not notes[0]
    # the note is read whole: its first sentence holds "consensual ... sharing", its second answers
    answer = engine.ask("Two year 11s, both 16, swapped nudes with each other and both were fine with it. "
                        "Is that actually still illegal?")
    assert any(p["location"]["footnote"] == "5" for p in answer["passages"])
    answer = engine.ask("A supply teacher made a sexual comment to a Y11 girl yesterday. He's only with us "
                        "till Friday - do I still need to report it?")
    assert not any(p["location"]["footnote"] for p in answer["passages"])
