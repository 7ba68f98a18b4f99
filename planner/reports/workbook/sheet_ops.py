"""The spreadsheet backend of the line kinds' `Ops` (cost model §3, §5; docs/formulas.md): a
kind's own `cost(params, y, ops)` run on `X` values gives the cell formulas of its
components, so no kind's formula is written anywhere but in its kind module.

Every parameter, assumption and per-year input is a named cell or a cell of the workbook;
a constant becomes a literal. A choice the kind makes in Python on a text or yes/no input
(a staffing line's `delivery`, a service gap's `status` and `object_class`, an amount's
`escalate`) is kept live by running the formula once for each value the input may take and
choosing among the results with IF on the input's cell.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from planner.scenarios.formulas import with_indirect
from planner.scenarios.kinds import LineKind, Params, YearInputs
from planner.scenarios.money import Q

from .xlsx import CEIL, IF, MAX, MIN, MOD, ROUND, X, lift, literal

FTE = "__fte__"  # the key of a line's FTE among its components' formulas


class SheetOps:
    """`Ops` over `X`: cells stay cells, constants become literals."""

    def num(self, value: Any) -> X:
        return value if isinstance(value, X) else literal(value)

    def ceil(self, x: X) -> X:
        return CEIL(x)

    def maximum(self, a: X, b: X) -> X:
        return MAX(a, b)

    def minimum(self, a: X, b: X) -> X:
        return MIN(a, b)

    def where(self, test: X, a: X, b: X) -> X:
        return IF(test, a, b)

    def equal(self, a: X, b: X) -> X:
        return X(f"({a.t}={b.t})", Q(1 if _v(a) == _v(b) else 0))

    def at_least(self, a: X, b: X) -> X:
        return X(f"({a.t}>={b.t})", Q(1 if _v(a) >= _v(b) else 0))

    def mod(self, a: X, b: X) -> X:
        return MOD(a, b)

    def power(self, base: X, k: int) -> X:
        return base**k

    def half_up(self, x: X, places: int) -> X:
        # float noise off first (9 places: amounts below a billion stay exact to ~1e-7)
        return ROUND(ROUND(x, 9), places)

    def own_or(self, own: Any, fallback: Any) -> X:
        """The line's own rate where its cell holds a number, else the plan's (§3)."""
        fall = self.num(fallback)
        if not isinstance(own, X):
            return self.num(own) if own is not None else fall
        return X(f"IF(ISNUMBER({own.t}),{own.t},{fall.t})", own.v if own.v is not None else fall.v)

    def capped(self, x: X, cap: Any) -> X:
        if cap is None:
            return x
        if not isinstance(cap, X):
            return MIN(x, self.num(cap))
        value = x.v if cap.v is None else min(_v(x), cap.v)
        return X(f"IF(ISNUMBER({cap.t}),MIN({x.t},{cap.t}),{x.t})", value)


SHEET = SheetOps()


def _v(x: X) -> Any:
    return Q(0) if x.v is None else x.v


@dataclass(frozen=True)
class Choice:
    """A text or yes/no input of a line whose value the kind's formula branches on."""

    name: str
    cell: X  # its named cell on the Inputs sheet
    values: tuple[Any, ...]  # every value it may take
    current: Any  # the plan's


def choices_of(kind: LineKind[Any], params: Params, cells: Mapping[str, X]) -> list[Choice]:
    """The line's choice and yes/no inputs that have a named cell (not the kind's own
    structural choice: a mode or role, which decides the inputs the line has)."""
    found = []
    for f in kind.fields(getattr(params, kind.choice) if kind.choice else None):
        if f.name not in cells or f.type not in ("choice", "bool"):
            continue
        values = (True, False) if f.type == "bool" else f.choices
        found.append(Choice(f.name, cells[f.name], tuple(values), getattr(params, f.name)))
    return found


def line_formulas(
    kind: LineKind[Any],
    params: Params,
    cells: Mapping[str, X],
    years: Sequence[YearInputs[Any]],
    indirect_rate: X,
) -> list[dict[str, X]]:
    """Each component's formula (and the FTE's, under `FTE`) of one line in each plan year:
    the kind's own `cost` on the sheet backend, indirect on its direct components (§5)."""
    numbers = {
        f.name: cells[f.name]
        for f in dataclasses.fields(params)
        if f.name in cells and not isinstance(getattr(params, f.name), str | bool)
    }
    base = dataclasses.replace(params, **numbers)

    def evaluator(y: YearInputs[Any]) -> Any:
        def evaluate(assigned: Mapping[str, Any]) -> dict[str, X]:
            cost = kind.cost(dataclasses.replace(base, **assigned), y, SHEET)
            components = cost.components
            if kind.carries_indirect:
                components = with_indirect(SHEET, components, indirect_rate)
            return {**components, FTE: cost.fte}

        return evaluate

    if not years:
        return []
    # Whether a choice matters is a matter of the formula's text, the same in every year.
    live = _live(choices_of(kind, params, cells), evaluator(years[0]))
    if not live:
        return [evaluator(y)({}) for y in years]
    shape = _Shape.of(live, evaluator, years[0])
    found = []
    for y in years:
        formulas = shape.year(y, evaluator(y)) if shape is not None else None
        found.append(formulas if formulas is not None else _combine(live, {}, evaluator(y)))
    return found


class _Watched(YearInputs[Any]):
    """A plan year that notes whether the formula read its `k` or `fy` in Python."""

    __slots__ = ("read",)

    def __getattribute__(self, name: str) -> Any:
        if name in ("k", "fy"):
            object.__setattr__(self, "read", True)
        return object.__getattribute__(self, name)


@dataclass(frozen=True)
class _Shape:
    """A line's combined formulas (every choice's branches, `_combine`) written once, on a
    symbolic year whose per-year cells are placeholders; a year's formulas are then its cells
    put in, and only the branch of the plan's own choices is evaluated in each year (for the
    values, and to check the text). A line's formulas are evaluated once a year instead of
    once a year for each combination of its choices' values (a dozen for a staffing line).

    Exact when the formula's text depends on the year only through its cells, which holds
    when the kind reads neither `k` nor `fy` in Python (`_Watched` notes it: a line
    contribution's stated amounts by FY do); otherwise, or when a year's own branch does not
    read as its shape says, that year is combined in full as before."""

    cells: tuple[str, ...]  # the YearInputs fields that are cells
    formulas: dict[str, X]  # key -> combined text with placeholders
    own: dict[str, str]  # key -> the current branch's text with placeholders

    @classmethod
    def of(cls, live: Sequence[Choice], evaluator: Any, first: YearInputs[Any]) -> _Shape | None:
        cells = tuple(
            f.name for f in dataclasses.fields(first) if isinstance(getattr(first, f.name), X)
        )
        values = {f.name: getattr(first, f.name) for f in dataclasses.fields(first)}
        values.update({name: X(_slot(name), values[name].v) for name in cells})
        symbolic = _Watched(**values)
        object.__setattr__(symbolic, "read", False)
        evaluate = evaluator(symbolic)
        own = evaluate({})  # the plan's own choices: the parameters hold them
        formulas = _combine(live, {}, evaluate)
        if object.__getattribute__(symbolic, "read"):
            return None
        return cls(cells, formulas, {key: x.t for key, x in own.items()})

    def year(self, y: YearInputs[Any], evaluate: Any) -> dict[str, X] | None:
        texts = {_slot(name): getattr(y, name).t for name in self.cells}
        if len(set(texts.values())) < len(texts):  # two inputs in one cell: texts may merge
            return None

        def put(text: str) -> str:
            for slot, cell in texts.items():
                text = text.replace(slot, cell)
            return text

        own = evaluate({})
        if {key: x.t for key, x in own.items()} != {k: put(t) for k, t in self.own.items()}:
            return None
        zero = lift(0)
        return {key: X(put(x.t), own.get(key, zero).v) for key, x in self.formulas.items()}


def _slot(name: str) -> str:
    return f"\x00{name}\x00"  # no formula holds a NUL


def _live(choices: list[Choice], evaluate: Any) -> list[Choice]:
    """The choices the formula's text depends on for some value of the others (a gap's
    object class matters once its status is `gap`; a category never does)."""
    choices = [c for c in choices if c.current in c.values]
    texts = {
        combo: {
            key: x.t
            for key, x in evaluate(dict(zip([c.name for c in choices], combo, strict=True))).items()
        }
        for combo in itertools.product(*(c.values for c in choices))
    }

    def matters(i: int) -> bool:
        for combo, found in texts.items():
            for value in choices[i].values:
                other = (*combo[:i], value, *combo[i + 1 :])
                if texts[other] != found:
                    return True
        return False

    return [c for i, c in enumerate(choices) if matters(i)]


def _combine(live: Sequence[Choice], assigned: dict[str, Any], evaluate: Any) -> dict[str, X]:
    if not live:
        return dict(evaluate(assigned))
    first, rest = live[0], live[1:]
    branches = [_combine(rest, {**assigned, first.name: v}, evaluate) for v in first.values]
    current = branches[first.values.index(first.current)]
    keys = list(dict.fromkeys(itertools.chain.from_iterable(branches)))
    zero = lift(0)
    combined = {}
    for key in keys:
        texts = [b.get(key, zero) for b in branches]
        value = current.get(key, zero).v
        if all(t.t == texts[0].t for t in texts):
            combined[key] = X(texts[0].t, value)
            continue
        if first.values == (True, False):
            combined[key] = X(f"IF({first.cell.t},{texts[0].t},{texts[1].t})", value)
            continue
        text = texts[-1].t
        for v, branch in zip(first.values[-2::-1], texts[-2::-1], strict=True):
            if branch.t != text:  # the values that give the same formula share one branch
                text = f'IF({first.cell.t}="{v}",{branch.t},{text})'
        combined[key] = X(text, value)
    return combined
