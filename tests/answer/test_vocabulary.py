import pytest

from bot.answer.vocabulary import DEFAULT_VOCABULARY_FILE, load_vocabulary, names_in, unknown_names
from bot.config import TokenizerSettings
from bot.search.analyzer import Analyzer
from tests.conftest import assert_refused

ANALYZER = Analyzer(TokenizerSettings())
VOCABULARY = load_vocabulary(DEFAULT_VOCABULARY_FILE, ANALYZER)


def test_groups_relate_each_folded_word_to_the_others():
    related = VOCABULARY.related
    assert ANALYZER("photorealistic")[0] in related[ANALYZER("cartoon")[0]]
    assert ANALYZER("nudifying")[0] in related[ANALYZER("undressing")[0]]


@pytest.mark.parametrize("question, names", [
    ("What does Ofcom say about nudify apps?", ["Ofcom"]),
    ("How many reports did the IWF get in 2022?", ["IWF", "2022"]),
    ("Is it illegal? What is nudifying?", []),
    ("does it count if the image is a cartoon?", []),
    ("I teach Year 9. Is it illegal?", ["Year"]),
    ("What should I do if I'm worried about a child? I've asked and I'd like to know", []),
    ("is a parent faking illness in their child (FII) counted as physical abuse?", []),
    ("what does the IWF (Internet Watch Foundation) do?", ["IWF", "Watch", "Foundation"]),
])
def test_names_are_capitalised_words_inside_a_sentence_abbreviations_and_years(question, names):
    assert names_in(question) == names


def test_a_name_the_library_never_uses_is_unknown_unless_related_or_a_school_word():
    known = set(ANALYZER("the iwf reported on the uk commissioner nudifying"))
    assert unknown_names("What does Ofcom say about it?", ANALYZER, known, VOCABULARY) == ["Ofcom"]
    assert unknown_names("What did the IWF find?", ANALYZER, known, VOCABULARY) == []
    assert unknown_names("Did the PCC write in Britain?", ANALYZER, known, VOCABULARY) == []  # related words
    assert unknown_names("For our INSET with the DSL, what is nudifying?", ANALYZER, known, VOCABULARY) == []
    assert unknown_names("Is it OK to treat it as banter?", ANALYZER, known, VOCABULARY) == []  # not a name
    assert unknown_names("PE teacher here, NQT: what is nudifying?", ANALYZER, known, VOCABULARY) == []
    assert unknown_names("SENCO here: do SEN pupils without an EHCP in KS1 count?", ANALYZER, known, VOCABULARY) == []


@pytest.mark.parametrize("question, unknown", [
    ("what's the minimum age for kids to have a tiktok or instagram account?", ["tiktok", "instagram"]),
    ("minimum age for snapchat?", ["snapchat"]),
    # where it happens, or a thing made there, is not what is asked about
    ("a fake nude is being passed round snapchat right now", []),
    ("can pupils abuse each other online, e.g. in whatsapp groups?", []),
    ("a sixth former ran a year 7's instagram photo through an undressing app", []),
    ("is the threads of a case a word?", []),  # an English word is never listed
])
def test_an_app_typed_in_lower_case_is_a_name(question, unknown):
    known = set(ANALYZER("the iwf guidance on ai images for children online"))
    assert unknown_names(question, ANALYZER, known, VOCABULARY) == unknown


def test_an_app_the_library_names_is_known():
    known = set(ANALYZER("children share images on snapchat"))
    assert unknown_names("minimum age for snapchat?", ANALYZER, known, VOCABULARY) == []


@pytest.mark.parametrize("question", [
    "who actually wrote the guidance on AI images? was it the DfE?",
    "Who wrote the guidance on AI images - was it the DfE?",
    "who put out the guidance, is it the DfE?",
])
def test_the_askers_closing_guess_is_not_a_name_to_look_up(question):
    known = set(ANALYZER("the iwf guidance on ai images"))
    assert unknown_names(question, ANALYZER, known, VOCABULARY) == []


def test_a_name_in_the_question_itself_is_still_looked_up():
    known = set(ANALYZER("the iwf guidance on ai images"))
    assert unknown_names("was it the DfE who wrote the guidance?", ANALYZER, known, VOCABULARY) == ["DfE"]
    assert unknown_names("What does Ofcom say, is it illegal?", ANALYZER, known, VOCABULARY) == ["Ofcom"]


def test_bad_groups_stop_loading(tmp_path):
    def load(path):
        return load_vocabulary(path, ANALYZER)

    assert_refused(load, tmp_path / "v.toml", "groups = [[\"alone\"]]\n", "at least two words")
    assert_refused(load, tmp_path / "v.toml", "groups = [[\"two words\", \"x\"]]\n", "one word")
    assert_refused(load, tmp_path / "v.toml", "groups = [[\"the\", \"x\"]]\n", "one word")
    assert_refused(load, tmp_path / "v.toml", "groups = [[\"a1\", \"b1\"]]\nschool_words = [1]\n", "school_words")
    assert_refused(load, tmp_path / "v.toml", "groups = [[\"a1\", \"b1\"]]\nlower_case_names = [\"two words\"]\n",
                   "lower_case_names")
