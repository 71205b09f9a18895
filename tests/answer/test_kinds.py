"""Question kinds from prompts/: "what is our school's policy?" is answered only by a school policy."""

import pytest

from bot.answer.kinds import load_kinds


@pytest.fixture(scope="module")
def kinds():
    return load_kinds()


@pytest.mark.parametrize("question", [
    "What is our school's policy on mobile phones in lessons?",
    "what does our policy say about phones",
    "what are the school rules on phones",
    "Does our school have a policy on deepfakes?",
    "What does the academy’s procedure say about searching bags?",
])
def test_a_question_about_the_schools_own_policy_is_recognised(kinds, question):
    assert kinds.asks_own_policy(question)


@pytest.mark.parametrize("question", [
    "What should our policy say if a pupil creates a fake nude of another pupil?",
    "Rewriting our online safety policy: is 'only banter' a known reason pupils give?",
    "For our policy: if a teacher gets sent an AI explicit image of a pupil by mistake, what should they do?",
    "A colleague took photos of pupils on his own phone, against our policy. Is that a low-level concern?",
    "What is the procedure if a pupil goes missing?",
    "Is it illegal to make a deepfake of a classmate?",
])
def test_questions_about_what_a_policy_should_say_or_general_procedure_are_not(kinds, question):
    assert not kinds.asks_own_policy(question)


@pytest.mark.parametrize("question, kind, answering, topical", [
    ("How quickly should children's social care get back to us after a referral?", "timing",
     "Within one working day of a referral being made, a local authority social worker should acknowledge receipt.",
     "Local authority children's social care should acknowledge a referral and decide what to do next."),
    ("how often does the DSL need refresher training", "frequency",
     "Their knowledge and skills should be refreshed at least annually.",
     "The designated safeguarding lead should undergo training to provide them with the knowledge they need."),
    ("NSPCC whistleblowing line number and opening hours?", "phone",
     "Staff can call 0800 028 0285 from 8:00 AM to 8:00 PM, Monday to Friday.",
     "The NSPCC whistleblowing advice line is available for staff who do not feel able to raise concerns."),
    # an e-mail address gives no number: it is the answer to "how do I contact ...?", not to this
    ("nspcc whistleblowing line number + opening times", "phone",
     "Staff can call 0800 028 0285 – and the line is available from 08:00 to 20:00 Monday to Friday.",
     "The email address is help@nspcc.org.uk."),
    ("what are the contact details for the NSPCC whistleblowing line?", "contact",
     "The email address is help@nspcc.org.uk.",
     "The NSPCC whistleblowing advice line is available for staff who do not feel able to raise concerns."),
    # what goes in a record: the sentence that opens the list, highlighted with its items
    ("what needs to go in a safeguarding record?", "contents", "Records should include:",
     "If in doubt about recording requirements, staff should discuss with the designated safeguarding lead."),
])
def test_a_question_of_a_kind_prefers_the_sentence_that_states_it(kinds, question, kind, answering, topical):
    found = kinds.of(question)
    assert [k.name for k in found] == [kind]
    assert kinds.states(found, answering)
    assert not kinds.states(found, topical)


@pytest.mark.parametrize("question", [
    "What should I do if I'm worried about a child?",
    "Is it illegal to make a deepfake of a classmate?",
    "what does the DSL actually do?",
])
def test_other_questions_are_not_timing_or_contact_ones(kinds, question):
    assert not {k.name for k in kinds.of(question)} & {"timing", "phone", "contact"}


@pytest.mark.parametrize("question, legality", [
    ("Is it illegal to make a deepfake of a classmate?", True),
    ("is it a crime if the image isn't photorealistic", True),
    # Permission to act is guidance, not the law: "am I allowed to look?" is answered by what staff
    # should do, and a sentence naming an Act is not put first for it.
    ("are teachers allowed to go through a pupil's phone if we think there's a nude on it?", False),
    ("am I allowed to look at the image before I report it?", False),
    # "criminal exploitation" names a harm: whether a child is a victim of it is not a question of law
    ("If a young person has agreed to run drugs for older lads, does that still count as criminal exploitation?", False),
    ("is he a criminal if he ran drugs for them?", True),
])
def test_a_legality_question_asks_about_the_law_not_permission(kinds, question, legality):
    assert ("legality" in {k.name for k in kinds.of(question)}) is legality


@pytest.mark.parametrize("sentence", [
    "1.1 This procedure tells all staff at Oakfield Primary School what to do if they see or hear of a nude image.",
    "This guidance applies to all schools and colleges in England.",
    "This policy sets out how staff should respond to concerns about a child.",
])
def test_a_statement_of_what_the_document_is_for_is_recognised(kinds, sentence):
    assert kinds.about_the_document(sentence)


@pytest.mark.parametrize("sentence", [
    "Tell the designated safeguarding lead immediately, in person or by telephone.",
    "Staff should follow the school's child protection policy and speak to the designated safeguarding lead.",
    "The procedure for referrals is set by the local safeguarding partners.",
])
def test_a_sentence_that_says_what_to_do_is_not_about_the_document(kinds, sentence):
    assert not kinds.about_the_document(sentence)


@pytest.mark.parametrize("question, scope", [
    ("Does the Oakfield procedure apply to lunchtime supervisors?", True),
    ("who is KCSIE Part one meant for?", True),
    ("Under the Oakfield procedure, how fast do I have to tell the DSL?", False),
])
def test_only_a_question_about_what_a_document_covers_may_be_answered_by_such_a_statement(kinds, question, scope):
    assert kinds.asks_scope(question) is scope


@pytest.mark.parametrize("question", [
    "how long do we keep child protection files after a pupil leaves?",
    "how many years do we have to keep safeguarding records?",
    "how many days?",
])
def test_a_how_long_question_needs_a_sentence_that_states_a_time(kinds, question):
    found = kinds.of(question)
    assert [k.name for k in kinds.required(found)] == ["timing"]
    assert not kinds.states(found, "It is good practice to keep concerns and referrals in a separate child protection file.")


@pytest.mark.parametrize("question, asks", [
    ("prevent referral - which form do we use and who do we email it to?", True),
    ("is there a set form or template for logging a low level concern?", True),
    ("how do I report it to the IWF, is there an online form?", True),
    ("a girl in my form has shown me a fake nude of herself, what do I do?", False),
    ("what forms can child-on-child abuse take online?", False),
])
def test_asking_for_a_form_needs_a_sentence_that_names_one(kinds, question, asks):
    found = kinds.of(question)
    assert ([k.name for k in kinds.required(found)] == ["form"]) is asks


@pytest.mark.parametrize("sentence, names_one", [
    ("Referrals are made on the local authority's online referral form.", True),
    ("It also has a form through which a safe time for a call can be booked.", True),
    ("Staff should be aware of local procedures for making a Prevent referral.", False),
    ("Exploitation can take many forms, including sexual exploitation.", False),
    ("This can take the form of abusive, harassing, and misogynistic messages.", False),
])
def test_a_sentence_names_a_form_only_as_a_thing_to_fill_in(kinds, sentence, names_one):
    form = [k for k in kinds.kinds if k.name == "form"]
    assert kinds.states(form, sentence) is names_one


def test_the_kinds_only_a_sentence_stating_them_may_answer(kinds):
    assert {k.name for k in kinds.kinds if k.required} == {"timing", "frequency", "form", "consent", "which number", "money", "date",
                                                           "count", "anonymity", "what to bring", "what to say",
                                                           "reply", "law status", "where to get", "line to ring",
                                                           "email address", "conviction", "ratio", "notice",
                                                           "maximum penalty"}


@pytest.mark.parametrize("question, asks", [
    ("Do we need the parents' permission before the DSL refers a child to children's social care?", True),
    ("do we tell the parents before making a referral to social care or after", True),
    ("Does a young person have to give consent before we make an NRM referral?", True),
    ("Does a student have to agree before they get support through Channel?", True),
    ("Do I need the parents to agree before we start an early help assessment?", True),
    ("after the DSL makes a referral, should I phone the parents to let them know?", True),
    ("can a 17 yr old be sexually exploited if they're old enough to consent to sex?", False),
    ("can a 16 year old be a victim of CSE when they're over the age of consent?", False),
    ("what should I do if I'm worried about a child?", False),
])
def test_asking_whose_consent_or_whether_to_tell_the_parents_needs_a_sentence_that_says(kinds, question, asks):
    found = kinds.of(question)
    assert ("consent" in [k.name for k in kinds.required(found)]) is asks
    consent = [k for k in found if k.name == "consent"]
    assert kinds.words(consent, question) == [""] * len(kinds.words(consent, question))  # nothing counted as found


@pytest.mark.parametrize("sentence, says", [
    ("An individual will be required to provide their consent before any support is provided.", True),
    ("Practitioners should be transparent by telling families what information they are sharing.", True),
    ("At this stage, schools will generally inform parents or carers unless there are reasons not to.", True),
    ("All staff should be aware of the process for making referrals to children's social care.", False),
    ("Schools should consider what information they provide about the other child.", False),
    # "comes into contact with" is no one contacting the family
    ("Everyone who comes into contact with children and their families has a role to play.", False),
])
def test_a_sentence_speaks_of_consent_or_telling_the_parents(kinds, sentence, says):
    consent = [k for k in kinds.kinds if k.name == "consent"]
    assert kinds.states(consent, sentence) is says


@pytest.mark.parametrize("question, kind", [
    ("FGM report to police - do teachers ring 101 or 999?", "which number"),
    ("How much of our council tax goes to the police and crime commissioner?", "money"),
    ("are there any jobs at the IWF? what do their analysts get paid", "money"),
    ("who pays for the B&B if the family is made homeless?", "money"),
])
def test_a_choice_of_number_or_a_question_about_money_needs_a_sentence_that_gives_one(kinds, question, kind):
    found = kinds.of(question)
    assert kind in [k.name for k in kinds.required(found)]
    assert not kinds.states(found, "The Commissioner has written to the Minister.")
    assert not kinds.states(found, "Teachers must personally report to the police cases of FGM.")


@pytest.mark.parametrize("question, kind, answering", [
    ("is there an NCA phone line teachers can ring to report AI CSAM", "line to ring",
     "Staff can call 0800 028 0285 - and the line is available from 08:00 to 20:00."),
    ("Does the IWF have a helpline?", "line to ring",
     "the NSPCC Whistleblowing Advice Line is available as an alternative route for staff"),
    ("what's the DSL's email address?", "email address", "The email address is help@nspcc.org.uk."),
])
def test_asking_for_a_line_or_an_address_needs_a_sentence_that_gives_one(kinds, question, kind, answering):
    found = kinds.of(question)
    assert [k.name for k in kinds.required(found)] == [kind]
    assert kinds.states(found, answering)
    assert not kinds.states(found, "Last year, the NCA surveyed teachers and found that over a quarter weren't aware.")
    assert not kinds.states(found, "In the meantime, however, campaigners called for guidance to be issued to teachers.")


@pytest.mark.parametrize("question", [
    "what's the helpline number?",  # the phone kind's: its sentences give the number
    "can I email the DSL instead of telling her in person?",
])
def test_a_number_asked_for_or_an_email_mentioned_is_not_a_line_or_an_address_asked_for(kinds, question):
    assert not {"line to ring", "email address"} & {k.name for k in kinds.of(question)}


def test_an_email_address_for_a_helpline_needs_a_sentence_that_gives_the_lines_address(kinds):
    """Another body's address in the same document ("The email address is help@nspcc.org.uk") does
    not answer "is there an email address for the Operation Encompass helpline?"."""
    found = kinds.of("is there an email address for the operation encompass helpline")
    assert {k.name for k in kinds.required(found)} == {"line to ring", "email address"}
    assert all(kinds.states((kind,), "The helpline's email address is help@example.org.") for kind in kinds.required(found))
    assert not all(kinds.states((kind,), "The email address is help@nspcc.org.uk.") for kind in kinds.required(found))


@pytest.mark.parametrize("question", [
    "a man is demanding money from a pupil or he'll share a fake nude - what do I do?",
    "should I call 999?",
    "how much should I tell the child about what happens next?",
])
def test_money_or_a_number_mentioned_is_not_asked_for(kinds, question):
    assert not {"money", "which number"} & {k.name for k in kinds.of(question)}


@pytest.mark.parametrize("sentence", [
    "See Every Mind Matters for links to all materials and lesson plans.",
    "Further information on the signs of involvement in county lines is available in guidance published by the Home Office.",
    "Further details can be found in Part four of the full version of this guidance.",
    "Departmental advice What to do if you're worried a child is being abused provides more information on identifying abuse.",
])
def test_a_signpost_to_another_source_is_recognised(kinds, sentence):
    assert kinds.points_elsewhere(sentence)


@pytest.mark.parametrize("sentence", [
    "Staff can call 0800 028 0285 and the line is available from 08:00 to 20:00 Monday to Friday.",
    "If staff have any concerns about a child's welfare, they should act on them immediately.",
    "More information about the child should be shared with the designated safeguarding lead.",
])
def test_a_sentence_that_says_something_itself_is_not_a_signpost(kinds, sentence):
    assert not kinds.points_elsewhere(sentence)


@pytest.mark.parametrize("question, where", [
    ("where can I find lesson plans about mental health?", True),
    ("is there any guidance on county lines I can read?", True),
    ("I'm planning a PSHE lesson on sextortion for year 8, what should I put in it?", False),
    ("How should I plan a lesson on county lines for year 7s?", False),
    ("is chatgpt any good for writing lesson plans?", False),
    ("any good resources on county lines for a year 9 lesson?", True),
])
def test_only_a_question_asking_where_to_look_may_be_answered_by_a_signpost(kinds, question, where):
    assert kinds.asks_where(question) is where


def test_a_malformed_required_flag_or_signpost_table_stops_loading(tmp_path):
    from tests.conftest import assert_refused

    kind = '[[kind]]\nname = "timing"\nquestion = ["how long"]\nsentence = ["days?"]\n'
    assert_refused(load_kinds, tmp_path / "k.toml", kind + 'required = "yes"\n', "'required' must be true or false")
    assert_refused(load_kinds, tmp_path / "k.toml", 'signpost = "see"\n' + kind, r"\[signpost\] must be a table")
    assert_refused(load_kinds, tmp_path / "k.toml", kind + '[signpost]\nsentence = ["("]\nunless_question = ["where"]\n',
                   "not valid")


def test_how_many_days_of_something_is_a_count_not_a_time_to_act(kinds):
    """"How many days annual leave do support staff get?" asks a number of days off, not how soon
    something happens: "... 24 hours a day ..." does not answer it."""
    assert "timing" not in [k.name for k in kinds.of("how many days annual leave do support staff get")]
    assert kinds.words(kinds.of("how many years do we keep files"), "how many years do we keep files") == ["how many years"]


@pytest.mark.parametrize("question, asked", [
    ("which constituency is Jess Phillips the MP for", ["constituency"]),
    ("What's the title of Laura Bates' book on online misogyny?", ["title"]),
    ("whats the name of laura bates book on online misogyny", ["name"]),
    ("who is the director general of the National Crime Agency?", ["director", "general"]),
    ("what software did Hugh Nelson use to make his images?", ["software"]),
    ("what's their registered charity number for the letter home?", ["registered", "charity", "number"]),
    ("what are the opening hours of the whistleblowing line?", ["hours"]),
    ("Which parts of KCSIE do office staff have to read?", []),  # "parts": the parts are named
    ("Which piece of legislation are the new offences in?", []),
    ("Which groups of pupils need early help?", []),
    ("what's the official definition of extremism?", []),
    ("which is better, ringing or emailing?", []),
    ("what do I do if a pupil discloses?", []),
    ("what effect can a fake image have on the child?", []),  # a description, not a name
    ("What's the age of criminal responsibility in England?", ["criminal", "responsibility"]),
    ("what is the age of consent", ["consent"]),
    ("what age can a child be left at home alone?", ["left"]),  # an age at which that is done
    ("what age do you have to be to use whatsapp legally", ["use"]),
    ("up to what age does someone count as a child?", []),
    ("what age can a child never legally consent to sexual activity?", []),
    ("Which court sentenced Hugh Nelson?", ["court"]),  # "which [thing] [did it]"
    ("Which police force investigated Hugh Nelson?", ["police", "force"]),  # two words of the thing
    ("what court sentenced hugh nelson and where was he from", ["court"]),  # "what" as "which"
    ("What AI software did Hugh Nelson use?", ["ai", "software"]),
    ("What Ofsted grade did we get at our last inspection?", ["ofsted", "grade"]),
    ("what has happened to the case?", []),
    ("is what the boy did even against the law?", []),  # what he did, not a thing by name
    ("what was decided at the strategy meeting?", []),
    ("what should be recorded?", []),
    ("what town was he from", ["town"]),
    ("early help - what actually is it?", []),
    ("what is it for?", []),
])
def test_the_words_a_question_asks_for_by_name(kinds, question, asked):
    assert kinds.asked_words(question) == asked


def test_a_value_asked_for_is_named_by_a_number(kinds):
    assert "hours" in kinds.asked_values and "constituency" not in kinds.asked_values


@pytest.mark.parametrize("question, kind", [
    ("when's the next police and crime commissioner election?", "date"),
    ("When will the Crime and Policing Bill actually become law?", "date"),
    ("how many police forces are there in england", "count"),
    ("If I ring the NSPCC whistleblowing line can I stay anonymous?", "anonymity"),
    ("will they tell my head it was me who rang?", "anonymity"),
    ("I've been asked to attend a Channel panel. What should I bring?", "what to bring"),
    ("Do I need to write a report before the meeting?", "what to bring"),
    ("Should I mention it to the child or wait for them to bring it up?", "what to say"),
    ("what am I actually meant to say to her when she comes in?", "what to say"),
    ("do I have to let the parents know that I've passed a concern to the DSL?", "consent"),
    ("Did Jess Phillips ever reply to the PCC's letter?", "reply"),
    ("what did the minister say back to her?", "reply"),
    ("Has the Crime and Policing Bill been passed into law yet?", "law status"),
    ("has the bill actually passed yet or is it still going thru parliament", "law status"),
    ("Are AI models built to make abuse images against the law yet?", "law status"),
    ("Quick question. Has the new law got Royal Assent?", "law status"),
    ("was the south derbyshire man with the AI images convicted in the end?", "conviction"),
    ("Has the man in the South Derbyshire case been convicted yet?", "conviction"),
    ("What happened to the man in the South Derbyshire case, was he convicted?", "conviction"),
    ("have paedophiles been convicted over AI generated images", "conviction"),
    ("What staff to pupil ratio do we need for a Y4 trip to the seaside?", "ratio"),
    ("whats the max prison sentence for having an AI tool made to generate child abuse images?", "maximum penalty"),
    ("Are TAs paid extra for staying after school for safeguarding training?", "money"),
    ("Is there a set pay allowance or TLR for being DSL?", "money"),
    ("How much notice does Ofsted give before an inspection these days?", "notice"),
    ("How much notice does Ofsted give before an inspection these days?", "timing"),
])
def test_more_kinds_that_only_a_sentence_stating_them_may_answer(kinds, question, kind):
    assert kind in [k.name for k in kinds.required(kinds.of(question))]


@pytest.mark.parametrize("question", [
    "how many years do we keep the file?",  # timing, not a count
    "when should I tell the DSL?",  # what to do, not a date
    "can I tell a parent I think their child has depression?",  # permission, not what to say to the child
    "can we ask for a barred list check on a volunteer?",
    "what info does the local authority need?",
    "how quickly should children's services get back to us?",  # a time to reply in, not whether one came
    "a fake nude is being passed round the year group, what do I do?",  # passed round is no law
    "do I have to tell the parents I've passed a concern on?",
    "Will police find it easier to get offenders convicted once the AI laws are in?",  # how, not whether
])
def test_questions_that_are_not_those_kinds(kinds, question):
    names = [k.name for k in kinds.of(question)]
    assert not {"count", "date", "what to say", "what to bring", "anonymity", "reply", "law status",
                "conviction"} & set(names)


def test_when_a_bill_becomes_law_is_asked_of_the_date_kind_not_the_law_status_kind(kinds):
    names = [k.name for k in kinds.required(kinds.of("When will the Crime and Policing Bill become law?"))]
    assert "date" in names and "law status" not in names


@pytest.mark.parametrize("kind, sentence, states", [
    ("date", "It comes as the UK marks National Child Exploitation Awareness Day (18 March).", True),
    ("date", "The Bill is progressing through Parliament.", False),
    ("count", "Over a quarter of teachers were not aware.", True),
    ("conviction", "Multiple paedophiles have been sent to jail for using artificial intelligence.", True),
    ("conviction", "In her letter, she highlighted an ongoing case in South Derbyshire.", False),
    ("ratio", "8.2 The DSL will agree a support plan with the pupil and, where appropriate, their parents.", False),
    ("maximum penalty", "Multiple paedophiles have been sent to jail for using artificial intelligence.", False),
    ("maximum penalty", "The offence will carry a sentence of up to five years in prison.", True),
    ("ratio", "A ratio of one adult to every 8 children is required.", True),
    ("notice", "Full reports must be sent to the panel within 15 working days.", False),
    ("notice", "Inspections are usually carried out with one day's notice.", True),
    ("count", "Operation Encompass operates in all police forces across England.", False),
    ("count", "The IWF processed 380% more reports of the abuse in 2024 than in 2023.", False),
    ("count", "Guidelines have been sent to 38,000 teachers.", True),
    ("anonymity", "Concerns can be raised in confidence and the caller's identity is protected.", True),
    ("anonymity", "The NSPCC Whistleblowing Advice Line is available for staff.", False),
    ("what to say", "Staff should never promise a child that they will not tell anyone.", True),
    ("what to say", "Operation Encompass operates in all police forces across England.", False),
    ("reply", "The minister replied to the letter in April.", True),
    ("reply", "The Commissioner has written to the Minister to voice her support.", False),
    ("law status", "Under proposals progressing through Parliament, a new offence would be introduced.", True),
    ("law status", "Such models are not currently illegal in the UK.", True),
    ("law status", "The Domestic Abuse Act 2021 received Royal Assent on 29 April 2021.", True),
    ("law status", "She has written to the Minister to endorse measures announced in the Bill.", False),
    ("author", "They have been issued by the National Crime Agency (NCA) and the Internet Watch Foundation (IWF).", True),
    ("author", "Guidelines have been issued to 38,000 teachers and staff across the UK.", False),
])
def test_what_a_sentence_of_each_new_kind_states(kinds, kind, sentence, states):
    chosen = [k for k in kinds.kinds if k.name == kind]
    assert kinds.states(chosen, sentence) is states


def test_a_time_to_reply_in_is_not_whether_a_reply_came(kinds):
    assert "reply" not in [k.name for k in kinds.of("how many school days do we have to reply to a complaint?")]


@pytest.mark.parametrize("question, author", [
    ("who put out the new guidance for teachers?", True),
    ("who actually wrote the guidance on AI images?", True),
    ("who is the guidance from?", True),
    ("who should I report it to?", False),
])
def test_asking_who_issued_something_is_the_author_kind(kinds, question, author):
    assert ("author" in [k.name for k in kinds.of(question)]) is author


@pytest.mark.parametrize("question, is_it", [
    ("where can I download the NCA and IWF guidance on AI abuse images?", True),
    ("where do we get hold of the leaflet for parents?", True),
    ("where can I find the updated year 9 timetable?", False),  # "find" is often "which part says"
    ("where is the DSL today?", False),
])
def test_where_to_get_it_needs_a_sentence_that_says_where(kinds, question, is_it):
    assert ("where to get" in [k.name for k in kinds.required(kinds.of(question))]) is is_it
    if is_it:
        assert kinds.states(kinds.of(question), "It is available from the department's website.")
        assert not kinds.states(kinds.of(question), "The NCA surveyed teachers last year.")


@pytest.mark.parametrize("question, kind, answering, topical", [
    ("can i promise a pupil i wont tell anyone if they tell me whats going on at home", "confidentiality",
     "Staff should never promise a child that they will not tell anyone about a report of any form of abuse.",
     "Children may not feel ready or know how to tell someone that they are being abused."),
    ("Is it ever ok to tell a student that whatever they tell me will stay between the two of us?", "confidentiality",
     "Staff should never promise a child that they will not tell anyone about a report of any form of abuse.",
     "Children may not feel ready or know how to tell someone that they are being abused."),
    ("am i qualified to say a pupil has depression or anxiety if i'm pretty sure?", "diagnosis",
     "Only appropriately trained professionals should attempt to make a diagnosis of a mental health problem.",
     "Staff are well placed to observe children day-to-day and identify those whose behaviour suggests a problem."),
    ("Some Year 9 boys keep rating the girls out of ten and say it's only banter. Should I just let it go?",
     "played down",
     "Downplaying certain behaviours, for example dismissing sexual harassment as \u201cjust banter\u201d, can lead to a culture of unacceptable behaviour.",
     "Sexual harassment can occur between two children of any age and sex."),
])
def test_a_promise_a_diagnosis_or_a_joke_prefers_the_sentence_that_speaks_of_it(kinds, question, kind, answering,
                                                                               topical):
    found = kinds.of(question)
    assert kind in [k.name for k in found]
    assert kinds.states(found, answering)
    assert not kinds.states(found, topical)
    assert kind not in [k.name for k in kinds.required(found)]  # a bonus, never a requirement


@pytest.mark.parametrize("question", [
    "who do I pass a disclosure on to?",
    "what are the signs of depression in a teenager?",
    "is it a crime to make a fake nude of a classmate?",
])
def test_other_questions_are_not_about_a_promise_a_diagnosis_or_a_joke(kinds, question):
    assert not {"confidentiality", "diagnosis", "played down"} & {k.name for k in kinds.of(question)}


@pytest.mark.parametrize("sentence, ages, decides", [
    ("‘Children’ includes everyone under the age of 18.", {17}, True),
    ("‘Children’ includes everyone under the age of 18.", {18}, True),  # at the limit: not a child
    ("a child under the age of 13 can never consent to any sexual activity", {15}, False),
    ("There are two guides for children aged 5 to 11.", {8}, True),
    ("There are two guides for children aged 5 to 11.", {14}, False),
    ("This includes 16- and 17-year-olds who can legally consent to have sex.", {17}, False),  # no limit set
])
def test_an_age_limit_is_stated_only_where_it_decides_the_age_asked(kinds, sentence, ages, decides):
    """"Is a 17-year-old a child?" is answered by "under the age of 18", never by "under 13"
    for a 15-year-old, nor by a sentence that only mentions 17-year-olds."""
    age = [k for k in kinds.kinds if k.ages]
    assert kinds.states(age, sentence, frozenset(ages)) is decides


@pytest.mark.parametrize("question, ages", [
    ("does KCSIE count 17 year olds as children?", {17}),
    ("Can a 16 or 17 yr old be a victim of CSE?", {17}),
    ("is a 15yo old enough to consent", {15}),
    ("does it cover our over-18s", {18}),
    ("our sixth formers are 17, do they still count as children?", {17}),
    ("Does KCSIE count our sixth formers (16-17) as children?", {16}),
    ("she is 15 and has a much older boyfriend", {15}),
    ("they are 10 minutes late every day", set()),
    ("what should I do about a pupil in year 11?", set()),
])
def test_the_ages_a_question_asks_about(kinds, question, ages):
    assert kinds.ages_asked(kinds.of(question), question) == frozenset(ages)


@pytest.mark.parametrize("question", [
    "When is the Crime and Policing Bill expected to get Royal Assent?",
    "Has the bill become law yet, and from what date?",
    "when will the new AI offences in the crime and policing bill actually come into force?",
])
def test_asking_when_a_law_starts_needs_a_sentence_that_gives_a_date(kinds, question):
    assert "date" in [k.name for k in kinds.required(kinds.of(question))]


def test_how_often_asks_a_frequency_and_how_long_a_length_of_time(kinds):
    """"At least annually" answers "how often are refreshers?", never "how long do we keep files?"."""
    often = kinds.of("how often are we meant to have safeguarding refreshers?")
    long = kinds.of("how long do we keep child protection files?")
    sentence = "all staff should receive safeguarding updates as required, and at least annually"
    assert [k.name for k in often] == ["frequency"] and often[0].factual
    assert kinds.states(kinds.required(often), sentence)
    assert not kinds.states(kinds.required(long), sentence)
