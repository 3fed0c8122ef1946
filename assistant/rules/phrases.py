"""The part of a quoted sentence that answers a "what / how / where" question about prose: the words the question
does not already say. "What is the company paid on a cost-plus type contract?" over "On a cost-plus type contract,
we are paid our allowable incurred costs plus a profit ..." is answered by "our allowable incurred costs plus a
profit ...": the sentence restates the question up to "paid", and what follows is the answer.

The sentence is aligned with the question word by word (the first place each of the question's content words
appears); the answer is the stretch the question's words leave uncovered: after the last of them, or between two of
them when nothing follows ("The Company relies on | royalty reports ... | to record its revenue"). The verbs and
prepositions that only link it to the question ("consist of", "is defined as", "primarily related to") are left out,
and so is a clause that starts another thought ("; therefore ...", ", while ..."). When the alignment is weak (few
of the question's words in the sentence) or leaves nothing, there is no phrase and the whole sentence stands.

`items` splits a phrase listing several things ("A, B and C") for a question that asks for several.
"""

from __future__ import annotations

import re

# Words of a question that say what kind of answer it wants, not what it is about.
_FUNCTION_WORDS = frozenset("""
what which who whom whose when where why how is are was were be been being do does did done has have had
the a an of to in on at for by with from as into onto about over under per its it their they them this that these
those there here any some and or not no can could would should will shall may might must also according
information describe described explain explained mean meaning definition define defined term terms called name named
kind kinds type types main primary primarily mostly mainly respectively between
""".split())
_TOKEN = re.compile(r"\S+")
# Verbs, adverbs and prepositions that link the restated question to its answer: left out at the answer's start.
_LINK = re.compile(
    r"^(?:,|:|—|–|-|and\b|that\b|which\b|who\b|is\b|are\b|was\b|were\b|be\b|been\b|being\b|has\b|have\b|had\b|will\b|"
    r"would\b|can\b|may\b|generally\b|primarily\b|mainly\b|largely\b|principally\b|mostly\b|significantly\b|"
    r"typically\b|also\b|currently\b|further\b|first\b|"
    r"consist(?:s|ed|ing)?\s+(?:primarily\s+|mainly\s+|principally\s+|largely\s+)?of\b|"
    r"(?:is\s+|are\s+)?compris(?:e|es|ed|ing)(?:\s+of)?\b|includ(?:e|es|ed|ing)\b|represent(?:s|ed|ing)?\b|"
    r"refer(?:s|red)?\s+to\b|relat(?:e|es|ed|ing)\s+to\b|result(?:s|ed)?\s+from\b|attributable\s+to\b|"
    r"defined\s+as\b|classified\s+as\b|recorded\s+as\b|recognized\s+as\b|recognised\s+as\b|"
    r"as\b|of\b|to\b|by\b|in\b|into\b|for\b|from\b|on\b|with\b|within\b|at\b)\s*", re.I)
# Linking words at the answer's end, when the answer precedes the question's words ("... was recorded as goodwill").
_LINK_END = re.compile(
    r"\s*(?:,|\b(?:is|are|was|were|be|been|has|have|had|being|to|as|of|in|by|for|on|that|which|and|will|"
    r"recorded|recognized|recognised|classified|considered|treated|defined|used|called|known))$", re.I)
# A clause that starts another thought: the answer stops before it.
_OTHER_THOUGHT = re.compile(
    r";\s+(?:therefore|however|accordingly|as\s+a\s+result|thus|consequently|in\s+addition|and\s+)|,\s+while\b|"
    r",\s+whereas\b|,\s+see\s+|\s+\((?:see|refer\s+to)\s+", re.I)
# "How is it determined?" is answered "by comparison against ...", "Where is it disclosed?" "within note 35": the
# preposition is part of the answer, and "Why ...?" "to reduce risk"; "What does it consist of?" already says its "of".
_KEEPS_PREPOSITION = re.compile(r"^\s*(?:how|where|why)\b", re.I)
_PREPOSITION = re.compile(r"(?:by|within|in|into|as|through|using|under|at|on|from|with|to)\b", re.I)
# A heading ("Trade and other receivables", "Net Loss Per Ordinary Share"): a few words and no full stop.
_HEADING = re.compile(r"(?:\(\w{1,3}\)\s*)?[^.:;!?]{0,60}[^.:;!?\s”)]")
# A question that asks for several things, each a span of its own.
_SEVERAL = re.compile(r"^\s*(?:what|which)\s+(?:are|were)\s+(?:the\s+)?(?:(?:two|three|four|five|main|major|key|various|"
                      r"different|respective)\s+)?(?:components|types|kinds|categories|elements|factors|items|sources|"
                      r"segments|regions|countries|currencies|classes|parts|groups|products|services)\b", re.I)
# An answer needs a word of its own; a sentence needs at least half of the question's content words to line up.
_MIN_ANSWER_WORDS = 1
_MIN_SHARED = 1
_MIN_SHARE = 0.5


def stem(token: str) -> str:
    """A crude stem that makes "considers", "considered" and "consider" one word, "relies" and "rely" too."""
    word = re.sub(r"['’]s$", "", token.lower().strip(".,;:!?()[]{}\"“”‘’'"))
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix) and not word.endswith("ss"):
            word = word[:-len(suffix)]
            break
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def content_words(question: str) -> list[str]:
    """The stems of the words that say what a question is about, in order."""
    found = []
    for token in _TOKEN.findall(question):
        word = stem(token)
        if word and word not in _FUNCTION_WORDS and re.search(r"\w", word) and word not in found:
            found.append(word)
    return found


def answering_part(question: str, sentence: str) -> str | None:
    """The part of `sentence` that answers `question` (not restating it), or None when the sentence does not line
    up with the question well enough to tell."""
    asked = content_words(question)
    if _HEADING.fullmatch(sentence.strip()):
        return None
    tokens = list(_TOKEN.finditer(sentence))
    if not asked or not tokens:
        return None
    stems = [stem(token.group(0)) for token in tokens]
    first = {}
    for index, word in enumerate(stems):
        if word in asked and word not in first:
            first[word] = index
    if len(first) < _MIN_SHARED or len(first) < len(asked) * _MIN_SHARE:
        return None
    marked = sorted(first.values())
    # The stretches the question's words leave uncovered: after the last one, between two, before the first.
    stretches = [(marked[-1] + 1, len(tokens))]
    stretches += [(left + 1, right) for left, right in zip(marked, marked[1:]) if right - left > 1]
    stretches.append((0, marked[0]))
    keep_preposition = bool(_KEEPS_PREPOSITION.match(question))
    # The text after the question's words is the answer; when nothing follows them, the longest stretch between two
    # of them ("relies on | royalty reports from licensees | to record its revenue"), else what precedes them.
    inner = sorted(stretches[1:-1], key=lambda stretch: stretch[0] - stretch[1])
    for number, (start, stop) in enumerate([stretches[0]] + inner[:1] + [stretches[-1]]):
        if stop <= start:
            continue
        text = sentence[tokens[start].start():tokens[stop - 1].end()]
        if "\n" in text:
            return None  # a table's rows run on from the sentence: no phrase of it is an answer
        phrase = _trim(text, keep_preposition, trailing=number > 0)
        if len(re.findall(r"\w+", phrase)) >= _MIN_ANSWER_WORDS and _has_substance(phrase):
            return phrase
    return None


def _trim(text: str, keep_preposition: bool, trailing: bool) -> str:
    text = text.strip()
    cut = _OTHER_THOUGHT.search(text)
    if cut and cut.start() > 0:
        text = text[:cut.start()]
    previous = None
    while previous != text:
        previous = text
        if keep_preposition and _PREPOSITION.match(text):
            break
        text = _LINK.sub("", text, count=1).strip()
    if trailing:
        previous = None
        while previous != text:
            previous = text
            text = _LINK_END.sub("", text).strip()
    return text.strip(" ,;:.“”‘’\"'")


def _has_substance(phrase: str) -> bool:
    """Not only function words ("the following", "below")."""
    return any(stem(word) not in _FUNCTION_WORDS | {"following", "below", "above", "table", "follow"}
               for word in re.findall(r"[\w$%€£¥-]+", phrase))


def items(phrase: str) -> list[str]:
    """ "days past due, credit status of the counterparty and historical evidence of collection" -> its three items;
    [] when it is not a plain list (an item of more than eight words, or fewer than two items)."""
    parts = re.split(r",\s+(?:and\s+|or\s+)?|\s+and\s+(?=[^,]*$)", phrase.strip(" .;"))
    parts = [part.strip() for part in parts if part.strip()]
    if re.search(r"\band\b.*\band\b", phrase.rsplit(",", 1)[-1]):
        return []  # "... facilities and other committed and uncommitted lines": which "and" separates is unclear
    if len(parts) < 2 or any(len(part.split()) > 8 for part in parts):
        return []
    return parts


def asks_several(question: str) -> bool:
    """ "What are the components of ...?", "Which countries ...?": a question whose answer is several things."""
    return bool(_SEVERAL.search(question))
