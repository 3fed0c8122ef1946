"""A definition stated in a question, read as a formula over line items: "working capital ratio, defined as total
current assets divided by total current liabilities" -> ratio(current_assets, current_liabilities). A stated
definition wins over the metric catalogue, so it is read word by word, and a part that is not an operator, a
number or a line item of the vocabulary (index/synonyms.yaml) makes the whole definition unreadable: the answer
then refuses naming that part, rather than computing something close.

    formula, unread = formula_in("365 * average accounts payable / (cost of goods sold + change in inventory)")

Grammar (precedence low to high), over the words of the definition:

    sum     := product (("+" | "plus" | "-" | "minus" | "less") product)*
    product := factor (("*" | "times" | "multiplied by" | "/" | "divided by" | "as a % of") factor)*
    factor  := NUMBER | "(" sum ")" | TERM

A TERM is a line item with an optional period role: "average X" / "the average of beginning and ending X" (the
mean of the prior and this year end), "beginning X" / "prior-year X" (the prior year's), "ending X" (this
year's), "change in X" / "increase in X" (this year's minus the prior year's).
"""

from __future__ import annotations

import re

from assistant.question.labels import blank
from assistant.question.query import Formula, Term
from index.periods import periods_in
from index.synonyms import metric_span, metrics_in_order

_OPERATORS = [
    ("%of", r"as\s+a\s+(?:%|percent(?:age)?|share|proportion|fraction)\s+of"),
    ("/", r"divided\s+by|÷|/|\bover(?=\s)"),
    ("*", r"multiplied\s+by|times|×|\*|(?<=\d)\s*x(?=\s)|(?<=\s)x(?=\s*\d)"),
    ("+", r"plus|\+"),
    ("-", r"minus|less|−|–|(?<=\s)-(?=\s)"),
    ("(", r"\("),
    (")", r"\)"),
]
_TOKEN = re.compile("|".join(f"(?P<op{index}>{pattern})" for index, (_, pattern) in enumerate(_OPERATORS))
                    + r"|(?P<number>(?<![\w.])(?!(?:19|20)\d{2}\b)\d+(?:\.\d+)?(?![\w.,]*[a-z]))", re.I)
_AVERAGE = re.compile(r"^(?:the\s+)?(?:simple\s+)?(?:average|mean)\s+(?:of\s+)?(?:the\s+)?(?:(?:beginning|opening)\s+"
                      r"and\s+(?:ending|closing)\s+|(?:prior|previous)[\s-]+(?:and\s+current[\s-]+)?year(?:[\s-]+end)?\s+"
                      r"and\s+(?:current[\s-]+)?year[\s-]+end\s+)?", re.I)
_PRIOR = re.compile(r"^(?:the\s+)?(?:beginning|opening|prior[\s-]+year(?:['’]s)?|previous[\s-]+year(?:['’]s)?|"
                    r"beginning[\s-]+of[\s-]+(?:the\s+)?year)\s+", re.I)
_THIS = re.compile(r"^(?:the\s+)?(?:ending|closing|end[\s-]+of[\s-]+(?:the\s+)?year|year[\s-]+end|current[\s-]+year"
                   r"(?:['’]s)?)\s+", re.I)
_CHANGE = re.compile(r"^(?:the\s+)?(?:(?:net\s+)?change|increase(?:\s*/?\s*\(?decrease\)?)?|decrease|"
                     r"year[\s-]+over[\s-]+year\s+change)\s+(?:in|of)\s+", re.I)
_FILLER = re.compile(r"^(?:the|a|an|its|their|company['’]s|total\s+amount\s+of)\s+|\s+(?:for\s+the\s+(?:fiscal\s+)?"
                     r"(?:year|period)|(?:during|in|for)\s+the\s+year|as\s+reported|from\s+the\s+[\w\s]+?"
                     r"(?:statement|sheet)s?)$", re.I)
_NEUTRAL = frozenset("the a an of total net its their company's consolidated reported".split())
_PERCENT = re.compile(r"\*\s*100$|\(\s*(?:as\s+a\s+)?percent(?:age)?\s*\)$", re.I)


def formula_in(definition: str) -> tuple[Formula | None, str | None]:
    """The formula a definition states, or (None, the part that could not be read)."""
    text = " ".join(definition.replace("’", "'").split()).strip(" .;:")
    tokens: list[tuple[str, str]] = []
    position = 0
    for match in _TOKEN.finditer(text):
        words = text[position:match.start()].strip(" ,")
        if words:
            tokens.append(("term", words))
        if match.group("number"):
            tokens.append(("number", match.group("number")))
        else:
            index = next(int(name[2:]) for name, value in match.groupdict().items() if value and name.startswith("op"))
            tokens.append(("op", _OPERATORS[index][0]))
        position = match.end()
    if text[position:].strip(" ,"):
        tokens.append(("term", text[position:].strip(" ,")))
    terms: list[Term] = []
    parser = _Parser(tokens, terms)
    try:
        expression = parser.sum()
        if parser.position != len(tokens):
            raise _Unread(" ".join(value for _, value in tokens[parser.position:]))
    except _Unread as unread:
        return None, str(unread)
    if not terms:
        return None, text
    percent = bool(_PERCENT.search(expression.replace(" ", ""))) or expression.startswith("margin(")
    return Formula(text=text, expression=expression, terms=terms, percent=percent), None


class _Unread(Exception):
    pass


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], terms: list[Term]):
        self.tokens = tokens
        self.position = 0
        self.terms = terms

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def sum(self) -> str:
        left = self.product()
        while (token := self.peek()) in (("op", "+"), ("op", "-")):
            self.position += 1
            left = f"{left} {token[1]} {self.product()}"
        return left

    def product(self) -> str:
        left = self.factor()
        while (token := self.peek()) in (("op", "*"), ("op", "/"), ("op", "%of")):
            self.position += 1
            right = self.factor()
            left = f"margin({left}, {right})" if token[1] == "%of" else f"{left} {token[1]} {right}"
        return left

    def factor(self) -> str:
        token = self.peek()
        if token is None:
            raise _Unread("the end of the definition (an operand is missing)")
        self.position += 1
        kind, value = token
        if kind == "number":
            return value
        if token == ("op", "("):
            inner = self.sum()
            if self.peek() != ("op", ")"):
                raise _Unread("an unclosed parenthesis")
            self.position += 1
            return f"({inner})"
        if kind == "term":
            term = term_in(value)
            if term is None:
                raise _Unread(value)
            self.terms.append(term)
            return "{t%d}" % (len(self.terms) - 1)
        raise _Unread(value)


def term_in(words: str) -> Term | None:
    """A line item with its period role, or None when the words are not one line item of the vocabulary."""
    phrase = words.strip(" ,.")
    periods, spans = periods_in(phrase)
    years = sorted({period.year for period in periods if period.year})
    if spans:
        phrase = " ".join(blank(phrase, spans, " ").split())
        phrase = re.sub(r"\s+(?:between|from|for|in|at|of|as\s+of)(?:\s+(?:and|to|the|fiscal|years?))*\s*$", "", phrase,
                        flags=re.I)
        phrase = re.sub(r"^(?:the\s+)?(?:fiscal\s+)?(?:year\s+)?", "", phrase, flags=re.I).strip()
    role = "this"
    if (match := _AVERAGE.match(phrase)) and match.end():
        role, phrase = "average", phrase[match.end():]
    elif match := _CHANGE.match(phrase):
        role, phrase = "change", phrase[match.end():]
    elif match := _PRIOR.match(phrase):
        role, phrase = "prior", phrase[match.end():]
    elif match := _THIS.match(phrase):
        phrase = phrase[match.end():]
    while (shorter := _FILLER.sub("", phrase).strip(" ,")) != phrase:
        phrase = shorter
    keys = metrics_in_order(phrase)
    if len(keys) != 1:
        return None
    # Every word is the line item's: "cost of sales excluding amortization" is not cost of sales.
    span = metric_span(keys[0], phrase)
    rest = (phrase[:span[0]] + " " + phrase[span[1]:]) if span else phrase
    if any(word.lower() not in _NEUTRAL for word in re.findall(r"[\w&']+", rest)):
        return None
    return Term(text=words.strip(" ,."), item=keys[0], role=role, years=years)
