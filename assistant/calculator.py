"""A deterministic calculator with its own parser: no eval, exec or sympify on anything a user typed.

Grammar (precedence low to high):

    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := ("-" | "+") unary | primary
    primary    := NUMBER | "@"FACT_ID | NAME "(" arguments ")" | "(" expression ")"

- NUMBER: 1577, 1,577 (thousands separators), 5.5, .47, 10% (a percentage). An accounting negative "(1,577)"
  (a number with thousands separators alone in parentheses) is -1,577. In argument lists, write "1, 234"
  with a space: "1,234" is one thousand two hundred and thirty-four.
- @FACT_ID: a fact of the store; its amount (value times scale) is used, and it is cited in the result.
- Functions: sum, avg, min, max, abs, round(x, digits), pct_change(old, new), ratio(a, b),
  margin(part, whole), cagr(begin, end, years). pct_change, margin and cagr give percentages.

Arithmetic is in Decimal with a fixed context. Limits, each a CalculationError naming the problem: input length,
tokens, nesting depth, arguments, magnitude of every intermediate result, division by zero, unknown names.
There is no power operator, so nothing like 9**9**9 can be written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

from pydantic import BaseModel, Field

from index.errors import CalculationError
from index.numbers import scale_suffix
from index.records import Fact, Figure

MAX_LENGTH = 2000
MAX_TOKENS = 1000
MAX_DEPTH = 64
MAX_ARGUMENTS = 500
MAX_MAGNITUDE = Decimal("1e30")
MAX_ROUND_DIGITS = 20
MAX_YEARS = 1000
CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN, Emin=-999_999, Emax=999_999, traps=[InvalidOperation, DivisionByZero, Overflow])

FactResolver = Callable[[str], "Fact | None"]

_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<number>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?|\.\d+%?)"
    r"|(?P<fact>@[A-Za-z0-9][A-Za-z0-9_.:-]*)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>[-+*/(),−×÷])"
    r")"
)
_OPS = {"−": "-", "×": "*", "÷": "/"}
_SHOW = {"+": "+", "-": "−", "*": "×", "/": "÷"}
FUNCTIONS = ("sum", "avg", "min", "max", "abs", "round", "pct_change", "ratio", "margin", "cagr")


@dataclass
class _Token:
    kind: str
    text: str
    position: int


@dataclass
class _Quantity:
    """A value as a fraction (10% is 0.10), whether to show it as a percentage, and how it was derived."""

    value: Decimal
    percent: bool
    shown: str
    precedence: int = 3  # 1: + -, 2: * /, 3: atoms and calls
    facts: list[Fact] = field(default_factory=list)


def tokenize(expression: str) -> list[_Token]:
    if len(expression) > MAX_LENGTH:
        raise CalculationError(f"expression is {len(expression)} characters long; the limit is {MAX_LENGTH}")
    if not expression.strip():
        raise CalculationError("empty expression")
    tokens: list[_Token] = []
    position = 0
    while position < len(expression):
        if expression[position:].strip() == "":
            break
        match = _TOKEN.match(expression, position)
        if not match or match.end() == position:
            start = position + (len(expression[position:]) - len(expression[position:].lstrip()))
            raise CalculationError(f"unexpected character {expression[start]!r} at position {start + 1}")
        kind = match.lastgroup or "op"
        text = match.group(kind)
        tokens.append(_Token(kind, _OPS.get(text, text), match.start(kind)))
        position = match.end()
        if len(tokens) > MAX_TOKENS:
            raise CalculationError(f"expression has more than {MAX_TOKENS} tokens")
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Token], resolve: FactResolver | None):
        self.tokens = tokens
        self.index = 0
        self.depth = 0
        self.resolve = resolve

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, text: str | None = None) -> _Token:
        token = self.peek()
        if token is None:
            raise CalculationError(f"expression ends early; expected {text!r}" if text else "expression ends early")
        if text is not None and token.text != text:
            raise CalculationError(f"expected {text!r} at position {token.position + 1}, found {token.text!r}")
        self.index += 1
        return token

    def parse(self) -> _Quantity:
        result = self.expression()
        if (token := self.peek()) is not None:
            raise CalculationError(f"unexpected {token.text!r} at position {token.position + 1}")
        return result

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise CalculationError(f"expression is nested more than {MAX_DEPTH} levels deep")

    def expression(self) -> _Quantity:
        self.enter()
        left = self.term()
        while (token := self.peek()) is not None and token.text in ("+", "-"):
            self.take()
            left = _binary(token.text, left, self.term())
        self.depth -= 1
        return left

    def term(self) -> _Quantity:
        left = self.unary()
        while (token := self.peek()) is not None and token.text in ("*", "/"):
            self.take()
            left = _binary(token.text, left, self.unary())
        return left

    def unary(self) -> _Quantity:
        token = self.peek()
        if token is not None and token.text in ("-", "+"):
            self.take()
            self.enter()
            operand = self.unary()
            self.depth -= 1
            if token.text == "+":
                return operand
            return _Quantity(_checked(-operand.value), operand.percent, f"−{_wrap(operand, 3)}", 3, operand.facts)
        return self.primary()

    def primary(self) -> _Quantity:
        token = self.peek()
        if token is None:
            raise CalculationError("expression ends early; expected a number")
        if token.kind == "number":
            self.take()
            return _number(token.text)
        if token.kind == "fact":
            self.take()
            return self.fact(token)
        if token.kind == "name":
            return self.call()
        if token.text == "(":
            # "(1,577)": an accounting negative, when a grouped number stands alone in parentheses.
            following = self.tokens[self.index + 1:self.index + 3]
            if (len(following) == 2 and following[0].kind == "number" and "," in following[0].text
                    and following[1].text == ")" and not following[0].text.endswith("%")):
                self.index += 3
                value = _number(following[0].text)
                return _Quantity(-value.value, False, f"({value.shown})")
            self.take("(")
            inner = self.expression()
            self.take(")")
            return _Quantity(inner.value, inner.percent, inner.shown, inner.precedence, inner.facts)
        raise CalculationError(f"unexpected {token.text!r} at position {token.position + 1}")

    def fact(self, token: _Token) -> _Quantity:
        fact_id = token.text[1:]
        fact = self.resolve(fact_id) if self.resolve else None
        if fact is None:
            raise CalculationError(f"unknown fact @{fact_id} at position {token.position + 1}"
                                   + ("" if self.resolve else " (no fact store to look it up in)"))
        if fact.value is None:
            raise CalculationError(f"fact @{fact_id} ({fact.label}) is nil ({fact.raw}): it states no number")
        if fact.kind == "percent":
            value = fact.value / 100
        else:
            value = fact.value * fact.scale
        value = _checked(value)
        period = f", {fact.period}" if fact.period else ""
        scale = scale_suffix(fact.scale)
        shown = f"{_format(fact.value)}{'%' if fact.kind == 'percent' else scale} [{fact.label}{period}]"
        return _Quantity(value, fact.kind == "percent", shown, 3, [fact])

    def call(self) -> _Quantity:
        name_token = self.take()
        name = name_token.text.lower()
        if name not in FUNCTIONS:
            raise CalculationError(f"unknown name {name_token.text!r} at position {name_token.position + 1}; "
                                   f"functions are {', '.join(FUNCTIONS)}")
        self.take("(")
        self.enter()
        arguments: list[_Quantity] = []
        if (token := self.peek()) is not None and token.text != ")":
            arguments.append(self.expression())
            while (token := self.peek()) is not None and token.text == ",":
                self.take()
                arguments.append(self.expression())
                if len(arguments) > MAX_ARGUMENTS:
                    raise CalculationError(f"{name}() takes at most {MAX_ARGUMENTS} arguments")
        self.take(")")
        self.depth -= 1
        return _apply(name, arguments, name_token.position)


def _number(text: str) -> _Quantity:
    percent = text.endswith("%")
    number = Decimal(text.rstrip("%").replace(",", ""))
    value = _checked(number / 100 if percent else number)  # before formatting, which cannot show a huge number
    return _Quantity(value, percent, _format(number) + ("%" if percent else ""))


def _checked(value: Decimal) -> Decimal:
    if value.is_nan() or value.is_infinite() or abs(value) > MAX_MAGNITUDE:
        raise CalculationError(f"a result exceeds the calculator's limit of {MAX_MAGNITUDE:.0E} in magnitude")
    return value


def _wrap(quantity: _Quantity, precedence: int) -> str:
    return f"({quantity.shown})" if quantity.precedence < precedence else quantity.shown


def _binary(operator: str, left: _Quantity, right: _Quantity) -> _Quantity:
    facts = left.facts + right.facts
    if operator in "+-":
        value = left.value + right.value if operator == "+" else left.value - right.value
        shown = f"{_wrap(left, 1)} {_SHOW[operator]} {_wrap(right, 2)}"
        return _Quantity(_checked(value), left.percent and right.percent, shown, 1, facts)
    if operator == "*":
        value = left.value * right.value
        percent = left.percent and right.percent
    else:
        if right.value == 0:
            raise CalculationError(f"division by zero: {right.shown} is 0")
        value = left.value / right.value
        percent = left.percent and not right.percent
    return _Quantity(_checked(value), percent, f"{_wrap(left, 2)} {_SHOW[operator]} {_wrap(right, 3)}", 2, facts)


def _arity(name: str, arguments: list[_Quantity], counts: tuple[int, ...], position: int) -> None:
    if len(arguments) not in counts:
        wanted = " or ".join(str(count) for count in counts)
        raise CalculationError(f"{name}() at position {position + 1} takes {wanted} argument(s), got {len(arguments)}")


def _apply(name: str, arguments: list[_Quantity], position: int) -> _Quantity:
    facts = [fact for argument in arguments for fact in argument.facts]
    shown = [argument.shown for argument in arguments]
    if name in ("sum", "avg", "min", "max"):
        if not arguments:
            raise CalculationError(f"{name}() at position {position + 1} needs at least one argument")
        values = [argument.value for argument in arguments]
        percent = all(argument.percent for argument in arguments)
        if name == "sum":
            return _Quantity(_checked(sum(values, Decimal(0))), percent, " + ".join(_wrap(a, 1) for a in arguments), 1, facts)
        if name == "avg":
            total = sum(values, Decimal(0))
            return _Quantity(_checked(total / len(values)), percent,
                             f"({' + '.join(_wrap(a, 1) for a in arguments)}) ÷ {len(values)}", 2, facts)
        chosen = min(values) if name == "min" else max(values)
        return _Quantity(chosen, percent, f"{name}({', '.join(shown)})", 3, facts)
    if name == "abs":
        _arity(name, arguments, (1,), position)
        return _Quantity(abs(arguments[0].value), arguments[0].percent, f"|{shown[0]}|", 3, facts)
    if name == "round":
        _arity(name, arguments, (1, 2), position)
        digits = 0
        if len(arguments) == 2:
            raw_digits = arguments[1].value
            if raw_digits != raw_digits.to_integral_value() or not 0 <= raw_digits <= MAX_ROUND_DIGITS:
                raise CalculationError(f"round() digits must be a whole number from 0 to {MAX_ROUND_DIGITS}")
            digits = int(raw_digits)
        target = arguments[0]
        # A percentage rounds in percent points: round(pct_change(...), 2) gives 144.73%.
        unit_value = target.value * 100 if target.percent else target.value
        if unit_value and unit_value.adjusted() + 1 + digits > CONTEXT.prec:
            raise CalculationError(f"round() to {digits} decimals would need more than {CONTEXT.prec} significant digits")
        rounded = unit_value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
        value = rounded / 100 if target.percent else rounded
        return _Quantity(value, target.percent, f"round({shown[0]}, {digits})", 3, facts)
    if name == "pct_change":
        _arity(name, arguments, (2,), position)
        old, new = arguments
        if old.value == 0:
            raise CalculationError(f"pct_change() from 0 ({old.shown}) is undefined")
        if (old.value < 0 < new.value) or (new.value < 0 < old.value):
            raise CalculationError(f"pct_change() from {old.shown} to {new.shown} crosses zero, so a percentage change "
                                   "is not meaningful; give the difference (new − old) instead")
        # (new − old) / old, the textbook growth: from a loss of 6,988,314 to one of 17,102,407 the loss grew 144.73%.
        value = (new.value - old.value) / old.value
        shown_old = f"({old.shown})" if old.value < 0 and old.shown[:1] in "−-" else _wrap(old, 3)
        return _Quantity(_checked(value), True, f"({_wrap(new, 2)} − {shown_old}) ÷ {shown_old}", 2, facts)
    if name in ("ratio", "margin"):
        _arity(name, arguments, (2,), position)
        part, whole = arguments
        if whole.value == 0:
            raise CalculationError(f"{name}() divides by zero: {whole.shown} is 0")
        return _Quantity(_checked(part.value / whole.value), name == "margin", f"{_wrap(part, 2)} ÷ {_wrap(whole, 3)}", 2, facts)
    if name == "cagr":
        _arity(name, arguments, (3,), position)
        begin, end, years = arguments
        if begin.value <= 0 or end.value < 0:
            raise CalculationError("cagr() needs a positive beginning value and a non-negative ending value")
        if not 0 < years.value <= MAX_YEARS:
            raise CalculationError(f"cagr() years must be more than 0 and at most {MAX_YEARS}")
        growth = CONTEXT.power(end.value / begin.value, Decimal(1) / years.value) if end.value else Decimal(0)
        return _Quantity(_checked(growth - 1), True, f"({_wrap(end, 2)} ÷ {_wrap(begin, 3)})^(1 ÷ {years.shown}) − 1", 1, facts)
    raise CalculationError(f"unknown function {name!r}")  # pragma: no cover - FUNCTIONS is checked first


def format_number(value: Decimal, percent: bool) -> str:
    """For reading: thousands separators; a percentage with two decimals; other values with up to four."""
    with localcontext(CONTEXT) as context:
        context.prec = 100  # room for the decimals of any value within MAX_MAGNITUDE
        return _format_number(value, percent)


def _format_number(value: Decimal, percent: bool) -> str:
    if percent:
        return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}%"
    if value == value.to_integral_value():
        return f"{value.quantize(Decimal(1)):,}"
    rounded = value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP).normalize()
    return f"{rounded:,f}"


def _format(value: Decimal) -> str:
    return f"{value:,f}" if value != value.to_integral_value() else f"{value.quantize(Decimal(1)):,}"


def calculate(expression: str, resolve: FactResolver | None = None) -> Figure:
    """Evaluate `expression`; facts are looked up with `resolve` (a fact id to a Fact, or None)."""
    with localcontext(CONTEXT):
        try:
            result = _Parser(tokenize(expression), resolve).parse()
            value = result.value * 100 if result.percent else result.value
            value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value
        except Overflow:
            raise CalculationError(f"a result exceeds the calculator's limit of {MAX_MAGNITUDE:.0E} in magnitude") from None
        except InvalidOperation as exc:
            raise CalculationError(f"the calculation cannot be carried out exactly ({type(exc).__name__})") from None
        except DivisionByZero:
            raise CalculationError("division by zero") from None
        except RecursionError:
            raise CalculationError(f"expression is nested more than {MAX_DEPTH} levels deep") from None
    display = format_number(value, result.percent)
    unique: list[Fact] = []
    for fact in result.facts:
        if all(fact.id != seen.id for seen in unique):
            unique.append(fact)
    return Figure(expression=expression, value=value, unit="percent" if result.percent else "number", display=display,
                  derivation=f"{result.shown} = {display}", facts=unique)


class CalculatorInput(BaseModel):
    """Arguments of the calculator tool."""

    expression: str = Field(
        description="An arithmetic expression: numbers (1,577, 5.5, 10%), + - * / and parentheses, @FACT_ID for a "
                    "fact of the disclosures, and the functions sum, avg, min, max, abs, round(x, digits), "
                    "pct_change(old, new), ratio(a, b), margin(part, whole), cagr(begin, end, years).",
        max_length=MAX_LENGTH,
    )


def calculator_tool(resolve: FactResolver | None = None):  # noqa: ANN201 - a LangChain BaseTool
    """The calculator as a LangChain `@tool` bound to a fact resolver; errors come back to the model as text
    rather than exceptions."""
    from langchain_core.tools import ToolException, tool

    @tool("calculator", args_schema=CalculatorInput,
          description="Compute a figure exactly from numbers and fact references, with a derivation. " + __doc__.splitlines()[0])
    def calculator(expression: str) -> dict:
        try:
            return calculate(expression, resolve).to_json()
        except CalculationError as exc:
            raise ToolException(str(exc)) from None

    calculator.handle_tool_error = True
    calculator.handle_validation_error = lambda error: "invalid calculator input: " + "; ".join(
        f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}" for item in error.errors())
    return calculator
