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
_EXCLUDING = re.compile(r"\s*[,(]\s*(?:excluding|not\s+including|without)\s+([^()]+?)\s*\)?\s*$", re.I)
_PERIOD_NOTE = re.compile(r"\(\s*((?:(?:the\s+)?(?:fiscal\s+(?:years?\s+)?|fy\s*)?(?:19|20)\d{2}|and|,|year[\s-]+ends?|"
                          r"(?:balance\s+)?dates?|\s)+)\)", re.I)
_TOP_SUM = re.compile(r"^[^()]*(?:\([^()]*\)[^()]*)*\s[+-]\s")
_PART = re.compile(r"(?:[,;]\s*|\(\s*|\b)(?:where|with|taking|using)\s+(?P<name>(?:the\s+)?[a-z][\w'&-]*(?:\s+[a-z][\w'&-]*)"
                   r"{0,5}?)\s+(?:=|:=|equals?|is|as|being|(?:defined|taken|calculated|measured)\s+as)\s+(?P<body>.+?)"
                   r"(?=\s*(?:\)|;|\?|\.\s|\.$|,\s*(?:rounded|round|in\s|answer|expressed|what|and\s)|$))", re.I)
_NEUTRAL = frozenset("the a an of total net its their company's consolidated reported".split())
_PERCENT = re.compile(r"\*\s*100$|\(\s*(?:as\s+a\s+)?percent(?:age)?\s*\)$", re.I)


def parts_defined(text: str) -> tuple[dict[str, str], list[tuple[int, int]]]:
    """The parts of a definition the question defines on their own, and where: "..., where purchases = total cost
    of sales + ending inventories − beginning inventories", "with total debt as commercial paper plus current and
    non-current term debt". Only a clause whose body reads as a formula counts."""
    parts: dict[str, str] = {}
    spans: list[tuple[int, int]] = []
    for match in _PART.finditer(text):
        name = re.sub(r"^the\s+", "", match.group("name").strip(), flags=re.I)
        body = match.group("body").strip(" ,")
        if name.lower() in _NEUTRAL or _read(body)[0] is None:
            continue
        parts[name] = body
        spans.append(match.span())
    return parts, spans


def formula_in(definition: str, named: dict[str, str] | None = None) -> tuple[Formula | None, str | None]:
    """The formula a definition states, or (None, the part that could not be read). `named` holds the parts the
    question defines on their own ("where purchases = cost of sales + ending inventories − beginning
    inventories"): a term that is one of them is read as its own formula, in parentheses."""
    text = " ".join(definition.replace("’", "'").split()).strip(" .;:")
    # "cash divided by current liabilities (excluding short-term investments)": what the formula leaves out
    # anyway says nothing more; a part it leaves out that the formula does use is a contradiction.
    excluded: list[str] = []
    while match := _EXCLUDING.search(text):
        excluded.append(match.group(1))
        text = text[:match.start()].rstrip(" ,")
    # "average accounts payable (fiscal 2020 and fiscal 2021 year ends)": the years of the term before it.
    text = _PERIOD_NOTE.sub(lambda match: " " + match.group(1), text)
    for name, body in (named or {}).items():
        text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", f"( {body} )", text, flags=re.I)
    formula, unread = _read(text)
    if formula is None:
        return None, unread
    for part in excluded:
        term = term_in(part)
        if term is None:
            return None, f"excluding {part}"
        if any(used.item == term.item for used in formula.terms):
            return None, f"excluding {part} (the definition adds it)"
    return formula, None


def _read(text: str) -> tuple[Formula | None, str | None]:
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
        expression = parser.ratio()
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

    def ratio(self) -> str:
        """The whole definition. Said in words, one division splits it in two: "current assets minus inventories
        divided by current liabilities" is (current assets − inventories) / current liabilities, as an analyst
        means it, and "net income divided by revenue times 100" is (net income / revenue) × 100."""
        depth, divisions = 0, []
        for index, (kind, value) in enumerate(self.tokens):
            if (kind, value) == ("op", "("):
                depth += 1
            elif (kind, value) == ("op", ")"):
                depth -= 1
            elif kind == "op" and value in ("/", "%of") and depth == 0:
                divisions.append(index)
        sums = [index for index, (kind, value) in enumerate(self.tokens) if kind == "op" and value in ("+", "-")]
        if len(divisions) != 1 or not sums:
            return self.sum()
        split = divisions[0]
        scaled = ""
        if (len(self.tokens) >= split + 3 and self.tokens[-2] == ("op", "*") and self.tokens[-1][0] == "number"
                and ("op", "(") not in self.tokens[split + 1:-2]):
            scaled, self.tokens = f" * {self.tokens[-1][1]}", self.tokens[:-2]
        left = _Parser(self.tokens[:split], self.terms)
        numerator = left.sum()
        if left.position != split:
            raise _Unread(" ".join(value for _, value in self.tokens[left.position:split]))
        right = _Parser(self.tokens[split + 1:], self.terms)
        denominator = right.sum()
        self.position = split + 1 + right.position
        if self.position != len(self.tokens):
            return ""  # the caller names what is left over
        numerator = f"({numerator})" if _TOP_SUM.search(numerator) else numerator
        denominator = f"({denominator})" if _TOP_SUM.search(denominator) else denominator
        if self.tokens[split][1] == "%of":
            return f"margin({numerator}, {denominator})" + scaled
        return f"{numerator} / {denominator}" + scaled

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
            if term is None and (both := _both(value)):
                # "current and non-current term debt": the two line items, added.
                self.terms.extend(both)
                return "({t%d} + {t%d})" % (len(self.terms) - 2, len(self.terms) - 1)
            following = self.tokens[self.position:self.position + 2]
            if term is None and len(following) == 2 and following[0][0] == "op" and following[0][1] in "+-" \
                    and following[1][0] == "term":
                # "short-term plus long-term debt": the first part takes the noun of the second.
                term = _sharing(value, following[1][1])
            if term is None:
                raise _Unread(value)
            self.terms.append(term)
            return "{t%d}" % (len(self.terms) - 1)
        raise _Unread(value)


def _sharing(first: str, second: str) -> Term | None:
    """The first of two parts said with one noun ("short-term" of "short-term plus long-term debt"): the first
    part's words with the second's noun, when both are line items and not the same one."""
    other = term_in(second)
    if other is None:
        return None
    tail = second.split()
    for start in range(1, len(tail)):
        term = term_in(f"{first} {' '.join(tail[start:])}")
        if term is not None and term.item != other.item:
            return term.model_copy(update={"text": first})
    return None


def _both(words: str) -> list[Term] | None:
    """ "current and non-current term debt": two line items sharing a noun."""
    if (match := re.fullmatch(r"(.+?)\s+(?:and|&)\s+(.+)", words.strip(" ,."))) is None:
        return None
    first, second = match.groups()
    shared = _sharing(first, second)
    other = term_in(second)
    return [shared, other] if shared is not None and other is not None else None


def term_in(words: str) -> Term | None:
    """A line item with its period role, or None when the words are not one line item of the vocabulary."""
    phrase = words.strip(" ,.")
    periods, spans = periods_in(phrase)
    years = sorted({period.year for period in periods if period.year})
    if spans:
        phrase = " ".join(blank(phrase, spans, " ").split())
        phrase = re.sub(r"\s+(?:between|from|for|in|at|of|as\s+of|and)(?:\s+(?:and|to|the|fiscal|years?|ends?|"
                        r"year[\s-]+ends?))*\s*$", "", phrase, flags=re.I)
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
