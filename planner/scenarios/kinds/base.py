"""What every line kind is made of (cost model §3, §5; every formula in docs/formulas.md).

A line kind is one `LineKind`: its typed parameters (a frozen dataclass whose fields carry
their plan-file `Field`: type, range, cost-table default), its cost formula written once over
`Ops` (so it runs on exact rationals for the books, or on arrays of simulation draws), the
basis of estimate that formula's numbers print, and what the parser, the fidelity rules, the
fit and the editor need to know about it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Generic, Protocol, Self, TypeAlias, TypeVar

from ..fields import Field, choice, money, share
from ..money import Q, dollars, fmt_fte, fmt_money, fmt_percent, q, round_half_up
from ..plan import DELIVERIES, Assumptions

Exact: TypeAlias = Q  # gmpy2's exact rational (typed by typings/gmpy2.pyi)

Rounded = dict[str, int]  # object class -> the component rounded to whole dollars
INDIRECT_BASE = ("personnel", "fringe", "travel", "supplies")  # modified total direct costs


# ----------------------------------------------------------------------------- backends


class Arithmetic(Protocol):
    """What a formula does with its numbers: + - * / (constants come through `Ops.num`)."""

    def __add__(self, other: Self, /) -> Self: ...
    def __sub__(self, other: Self, /) -> Self: ...
    def __mul__(self, other: Self, /) -> Self: ...
    def __truediv__(self, other: Self, /) -> Self: ...


N = TypeVar("N", bound=Arithmetic)


class Ops(Protocol[N]):
    """The operations a formula may use besides + - * / (docs/formulas.md)."""

    def num(self, value: Decimal | int | Exact) -> N: ...
    def ceil(self, x: N) -> N: ...
    def maximum(self, a: N, b: N) -> N: ...
    def minimum(self, a: N, b: N) -> N: ...


class ExactOps:
    """The books: exact rationals (§2), the engine's figures to the dollar."""

    # num(value) is `q` itself (a formula asks for a constant at every line-year: no
    # method call in between).
    num = staticmethod(q)

    def ceil(self, x: Exact) -> Exact:
        return q(math.ceil(x))

    def maximum(self, a: Exact, b: Exact) -> Exact:
        return a if a >= b else b

    def minimum(self, a: Exact, b: Exact) -> Exact:
        return a if a <= b else b

    # The choices (docs/formulas.md): a backend may give its own; `where` and friends below fall
    # back to + - * / ceil max min for a backend that does not (the simulation's arrays).

    def where(self, test: Exact, a: Exact, b: Exact) -> Exact:
        return a if test else b

    def equal(self, a: Exact, b: Exact) -> Exact:
        return q(1 if a == b else 0)

    def at_least(self, a: Exact, b: Exact) -> Exact:
        return q(1 if a >= b else 0)

    def mod(self, a: Exact, b: Exact) -> Exact:
        return a - b * math.floor(a / b)

    def power(self, base: Exact, k: int) -> Exact:
        return base**k

    def half_up(self, x: Exact, places: int) -> Exact:
        return q(round_half_up(x, places))

    # What `own_or` and `capped` below compute for any backend, answered here directly (a
    # staffing line asks at every line-year; a missing method is a slow look-up).

    def own_or(self, own: Any, fallback: Any) -> Exact:
        return q(own if own is not None else fallback)

    def capped(self, x: Exact, cap: Any) -> Exact:
        return x if cap is None else self.minimum(x, q(cap))


EXACT: Ops[Exact] = ExactOps()


# The operations below take the backend first. A backend with a method of the same name
# (the exact books, the workbook's formulas) answers itself; any other computes the same
# number from the protocol's operations, exactly so for the whole numbers they are used on.


def where(ops: Ops[N], test: N, a: N, b: N) -> N:
    """`a` where `test` is 1, `b` where it is 0 (a test is `equal`, `at_least` or their
    product: both)."""
    own = getattr(ops, "where", None)
    if own is not None:
        return own(test, a, b)  # type: ignore[no-any-return]
    return test * a + (ops.num(1) - test) * b


def equal(ops: Ops[N], a: N, b: N) -> N:
    """1 where the whole numbers a and b are equal, else 0."""
    own = getattr(ops, "equal", None)
    if own is not None:
        return own(a, b)  # type: ignore[no-any-return]
    d = a - b
    return ops.num(1) - ops.minimum(ops.num(1), ops.maximum(d, ops.num(0) - d))


def at_least(ops: Ops[N], a: N, b: N) -> N:
    """1 where the whole number a is at least b, else 0."""
    own = getattr(ops, "at_least", None)
    if own is not None:
        return own(a, b)  # type: ignore[no-any-return]
    return ops.minimum(ops.num(1), ops.maximum(ops.num(0), a - b + ops.num(1)))


def mod(ops: Ops[N], a: N, b: N) -> N:
    """a modulo b for whole numbers, b > 0 (officer training's refresher years)."""
    own = getattr(ops, "mod", None)
    if own is not None:
        return own(a, b)  # type: ignore[no-any-return]
    floor = ops.num(0) - ops.ceil(ops.num(0) - a / b)
    return a - b * floor


def power(ops: Ops[N], base: N, k: int) -> N:
    """base ** k for a whole k (growth factors, §2)."""
    own = getattr(ops, "power", None)
    if own is not None:
        return own(base, k)  # type: ignore[no-any-return]
    value = ops.num(1)
    for _ in range(abs(k)):
        value = value * base
    return value if k >= 0 else ops.num(1) / value


def half_up(ops: Ops[N], x: N, places: int) -> N:
    """x to `places` decimals, half up (§2; x ≥ 0)."""
    own = getattr(ops, "half_up", None)
    if own is not None:
        return own(x, places)  # type: ignore[no-any-return]
    scale = ops.num(10**places)
    return (ops.num(0) - ops.ceil(ops.num(0) - (x * scale + ops.num(1) / ops.num(2)))) / scale


def own_or(ops: Ops[N], own: Any, fallback: Any) -> N:
    """A line's own rate when it gives one, else the plan's (§3)."""
    mine = getattr(ops, "own_or", None)
    if mine is not None:
        return mine(own, fallback)  # type: ignore[no-any-return]
    return ops.num(own if own is not None else fallback)


def capped(ops: Ops[N], x: N, cap: Any) -> N:
    """x, no more than `cap` when there is one (case management's `max_fte`)."""
    mine = getattr(ops, "capped", None)
    if mine is not None:
        return mine(x, cap)  # type: ignore[no-any-return]
    return x if cap is None else ops.minimum(x, ops.num(cap))


@dataclass(frozen=True, slots=True)
class YearInputs(Generic[N]):
    """What a formula reads in one plan year besides the line's own parameters."""

    k: int  # plan year
    j: int  # FYs since the line's first FY inside the plan (officer training)
    fy: int
    salary_growth: N  # (1 + salary_escalation) ** k
    health_growth: N
    inflation_growth: N
    new_enrollees: N  # §4 values, quantized to 6 places
    avg_active: N
    peak_active: N
    participant_months: N
    referrals: N  # ramp_k × steady-state referrals, all pathways (on-call call-outs)
    assumptions: Assumptions  # scalars no simulation variable changes (fringe_rate, …)


@dataclass
class Cost(Generic[N]):
    """One line's cost in one plan year, before rounding."""

    components: dict[str, N]  # object class -> amount
    fte: N
    terms: dict[str, N] = dataclasses.field(default_factory=dict)  # what the basis prints


# ----------------------------------------------------------------------------- parameters


def param(definition: Field) -> Any:
    """A typed parameter whose plan-file definition is `definition` (its name is the
    attribute's). Every parameter is keyword-only and given by the parser."""
    return dataclasses.field(metadata={"input": definition})


@dataclass(frozen=True, kw_only=True)
class Params:
    """A line kind's parameters, every one resolved (defaults filled and aged)."""

    staffing: ClassVar[bool] = False  # a staffing line (§3): see `Staffing`


@dataclass(frozen=True, kw_only=True)
class Staffing(Params):
    """What every staffing line adds (§3): who employs the staff, and the line's own rates.
    The one place that says which lines are staffing lines: those whose parameters are
    these."""

    staffing: ClassVar[bool] = True

    delivery: str = param(
        choice(
            choices=DELIVERIES,
            fixed="county",
            label="Delivered by",
            hint="county staff, or a contracted provider",
        )
    )
    fringe_rate: Decimal | None = param(
        share(nullable=True, help="this line's own fringe rate (a provider's)")
    )
    health_per_fte: Decimal | None = param(
        money(nullable=True, help="this line's own health cost per FTE")
    )
    contract_overhead_rate: Decimal | None = param(
        share(nullable=True, help="this line's own contract overhead")
    )


STAFFING_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(Staffing))


_INPUT_FIELDS: dict[type, tuple[Field, ...]] = {}


def input_fields(params_type: type[Params]) -> tuple[Field, ...]:
    """The plan-file fields of a parameter class, in the order a plan file writes them:
    the kind's own, then a staffing line's own rates (§3). A pure function of the class,
    built once (the parser asks for it at every line it reads)."""
    known = _INPUT_FIELDS.get(params_type)
    if known is not None:
        return known
    found = [
        dataclasses.replace(f.metadata["input"], name=f.name)
        for f in dataclasses.fields(params_type)
        if "input" in f.metadata
    ]
    own = [f for f in found if f.name not in STAFFING_FIELD_NAMES]
    _INPUT_FIELDS[params_type] = tuple(own + [f for f in found if f.name in STAFFING_FIELD_NAMES])
    return _INPUT_FIELDS[params_type]


_PARAM_DEFAULTS: dict[type, tuple[tuple[str, Any], ...]] = {}


def _param_defaults(params_type: type[Params]) -> tuple[tuple[str, Any], ...]:
    """Each plan-file field of a parameter class with its structural default, in the class's
    field order (what its __init__ sets, in that order; built once)."""
    known = _PARAM_DEFAULTS.get(params_type)
    if known is None:
        fixed = {f.name: f.fixed_default for f in input_fields(params_type)}
        known = _PARAM_DEFAULTS[params_type] = tuple(
            (f.name, fixed[f.name]) for f in dataclasses.fields(params_type)
        )
    return known


# ----------------------------------------------------------------------------- staffing §3


def round_up_fte(required: N, y: YearInputs[N], ops: Ops[N]) -> N:
    """Staff are hired in `fte_increment` steps: ceil(x / step) × step (§3)."""
    step = ops.num(y.assumptions.fte_increment)
    return ops.ceil(required / step) * step


def staffing(params: Staffing, salary: Decimal, fte: N, y: YearInputs[N], ops: Ops[N]) -> Cost[N]:
    """A position of `fte` FTE at base `salary` in plan year k (§3)."""
    a = y.assumptions
    fringe_rate = own_or(ops, params.fringe_rate, a.fringe_rate)
    health = own_or(ops, params.health_per_fte, a.health_per_fte)
    overhead = own_or(ops, params.contract_overhead_rate, a.contract_overhead_rate)
    salary_unit = ops.num(salary) * y.salary_growth
    health_unit = health * y.health_growth
    personnel = salary_unit * fte
    fringe = personnel * fringe_rate + health_unit * fte
    terms = {
        "salary_unit": salary_unit,
        "health_unit": health_unit,
        "personnel": personnel,
        "fringe": fringe,
        "fringe_rate": fringe_rate,
        "overhead": overhead,
    }
    if params.delivery == "contract":
        contractual = (personnel + fringe) * (ops.num(1) + overhead)
        return Cost({"contractual": contractual}, fte, terms)
    return Cost({"personnel": personnel, "fringe": fringe}, fte, terms)


def staffing_basis(params: Staffing, cost: Cost[Exact], r: Rounded, lead: str = "") -> str:
    t = cost.terms
    fte = cost.fte
    p = r.get("personnel", dollars(t["personnel"]))
    f = r.get("fringe", dollars(t["fringe"]))
    text = (
        f"{lead}{fmt_fte(fte)} FTE × "
        f"{fmt_money(t['salary_unit'], cents_shown=True)} salary = "
        f"{fmt_money(p)}; fringe {fmt_percent(t['fringe_rate'])} × {fmt_money(p)} + "
        f"{fmt_fte(fte)} × {fmt_money(t['health_unit'], cents_shown=True)} health = "
        f"{fmt_money(f)}"
    )
    if params.delivery == "contract":
        text += (
            f"; contracted: ({fmt_money(p)} + {fmt_money(f)}) × (1 + "
            f"{fmt_percent(t['overhead'])} overhead) = {fmt_money(r['contractual'])} "
            "contractual"
        )
    return text


def escalated(amount: Decimal | Exact, growth: Exact) -> str:
    """A start-FY amount in this year's dollars, to the cent."""
    return fmt_money(q(amount) * growth, cents_shown=True)


# ----------------------------------------------------------------------------- the fit §13


@dataclass(frozen=True)
class Driver:
    """The parameter the §13 fit moves, on a grid of whole steps: value(n) for n in
    [0, top]."""

    name: str
    step: Decimal
    top: int
    current: Decimal
    places: int  # decimals shown in the result

    def value(self, n: int) -> Decimal:
        return self.step * n

    def start(self) -> int:
        """The grid point at or below the current value, where the search begins."""
        return max(0, min(self.top, math.floor(self.current / self.step)))

    def text(self, number: Decimal) -> str:
        return f"{number:.{self.places}f}"


# ----------------------------------------------------------------------------- a line kind

P = TypeVar("P", bound=Params)


class LineKind(Generic[P]):
    """One line kind: everything the engine, the parser and the editor know about it.

    A subclass sets the class attributes and writes `cost` and `basis`; the rest has
    defaults that fit most kinds."""

    name: ClassVar[str]
    title: ClassVar[str]  # what the editor and the reports call it
    params_type: ClassVar[type[Params]]
    carries_indirect: ClassVar[bool] = True  # §5: participant costs and non-LEAD do not
    uses_participants: ClassVar[bool] = False  # re-costed when the referrals change (§13)
    # The input whose value decides which other inputs a line takes (mode, role, status),
    # with its values; the first is what a new line starts with.
    choice: ClassVar[str | None] = None
    choice_values: ClassVar[tuple[str, ...]] = ()
    # Whether the choice decides the parameters (warm_handoff's mode): the parser reads and
    # checks it first, and reads a line with a bad one no further.
    choice_first: ClassVar[bool] = False
    # Whether `cost` may run on the `Years` backend (kinds/vectors.py: all of a line's FYs at
    # once): its formula reads the year only through `y.j` and the yearly inputs, and
    # branches in Python on parameters only. A kind that does not is costed year by year.
    vectorizes: ClassVar[bool] = False

    # -- shape

    def params_for(self, value: str | None) -> type[Params]:
        """The parameter class for this value of the choice (one class for most kinds)."""
        del value
        return self.params_type

    def fields(self, value: str | None = None) -> tuple[Field, ...]:
        """Every field a line of this kind takes (after the common ones) for this value of
        its choice; None = the value is not known (yet)."""
        return input_fields(self.params_for(value))

    def all_fields(self) -> tuple[Field, ...]:
        """Every field any variant takes, once (its first definition)."""
        found: dict[str, Field] = {}
        for value in self.choice_values or (None,):
            for f in self.fields(value):
                found.setdefault(f.name, f)
        return tuple(found.values())

    def form_fields(self, value: str | None) -> tuple[Field, ...]:
        """The fields the editor shows for this value of the choice."""
        return self.fields(value)

    def asked(self, value: str | None) -> frozenset[str]:
        """Inputs whose default can hide most of the plan's cost: the editor asks for them."""
        del value
        return frozenset()

    def make(self, values: Mapping[str, Any]) -> P:
        """The typed parameters from the parser's resolved values."""
        value = values.get(self.choice) if self.choice else None
        cls = self.params_for(value if isinstance(value, str) else None)
        given = {
            name: values[name] if name in values else fixed for name, fixed in _param_defaults(cls)
        }  # a field this variant does not take: its default
        # `cls(**given)` without the frozen class's __init__ (one `object.__setattr__` a
        # field; no parameter class has a __post_init__): every field is given here.
        found = object.__new__(cls)
        found.__dict__.update(given)
        return found  # type: ignore[return-value]

    def unknown_key_message(self, key: str) -> str:
        """The problem with a key this line does not take."""
        if key == "delivery":
            return (
                "only staffing lines (position, case_management, warm_handoff in mode "
                "staffed) have a delivery"
            )
        return f"unknown key for a {self.name} line"

    def check(self, values: Mapping[str, Any], error: Callable[[str, str], None]) -> None:
        """Rules across fields (§8), on the parser's values (MISSING where refused);
        `error(key, message)` reports a problem on the line's key."""

    def is_staffing(self, params: P) -> bool:
        """Whether the line is a staffing line (§3: `delivery` and its own rates)."""
        return params.staffing

    # -- money

    def cost(self, params: P, y: YearInputs[N], ops: Ops[N]) -> Cost[N]:
        raise NotImplementedError

    def basis(self, params: P, y: YearInputs[Exact], cost: Cost[Exact], rounded: Rounded) -> str:
        raise NotImplementedError

    def escalation_text(self, params: P, a: Assumptions, start_label: str) -> str:
        """Which of the plan's rates moves this line's amounts from year to year."""
        del params, start_label
        return f"inflation at {fmt_percent(a.inflation)} a year"

    def driver(self, params: P, line_id: str, a: Assumptions) -> Driver | str:
        """The driver of a line (§13), or the reason it has none."""
        del params, line_id, a
        return (
            f"A {self.name.replace('_', ' ')} line is sized by the participants, not by "
            "a driver of its own: fit the referrals instead."
        )


def salary_escalation_text(a: Assumptions) -> str:
    return f"salaries at {fmt_percent(a.salary_escalation)} a year"


def staffing_escalation_text(a: Assumptions, start_label: str) -> str:
    return (
        f"{salary_escalation_text(a)}, health at {fmt_percent(a.health_escalation)}, "
        f"from {start_label} dollars"
    )
