from bot.config import TokenizerSettings
from bot.search.analyzer import Analyzer


def test_lowercases_drops_stop_words_and_stems():
    analyze = Analyzer(TokenizerSettings(stopwords="lucene", stemmer="porter"))
    assert analyze("The Pupils were SHARING images") == ["pupil", "were", "share", "imag"]
    assert analyze("the nudify apps") == ["nudifi", "app"]
    assert analyze("nudifying")[0] == analyze("nudified")[0]  # inflections meet at one stem


def test_possessives_and_curly_apostrophes_match_plain_words():
    analyze = Analyzer(TokenizerSettings())
    assert analyze("the NCA's guidance") == analyze("NCA guidance")
    assert analyze("the NCA’s guidance") == analyze("NCA guidance")


def test_settings_can_switch_stemming_and_stop_words_off():
    analyze = Analyzer(TokenizerSettings(stopwords="none", stemmer="none"))
    assert analyze("The images") == ["the", "images"]
