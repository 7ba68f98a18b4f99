"""The options of issue 22 as text for the terminal (`planner fit --options`)."""

from __future__ import annotations

from planner.scenarios.options import OptionsResult


def options_text(result: OptionsResult) -> str:
    lines = ["The plan as it is: " + result.base.words()]
    if not result.needed:
        lines.append("It keeps its reserve in every open FY: nothing needs to change.")
    if result.protected:
        lines.append("Protected (no option cuts them): " + ", ".join(result.protected) + ".")
    for number, option in enumerate(result.options, start=1):
        lines += ["", f"{number}. {option.title} [{option.kind}]", f"   {option.summary}"]
        lines += [f"   - {change}" for change in option.changes]
        lines.append(f"   Result: {option.figures.words()}")
        if option.risk:
            lines.append(f"   Risk: {option.risk}")
    if result.unavailable:
        lines.append("")
        lines.append("Not available:")
        lines += [f"  {u.kind}: {u.reason}" for u in result.unavailable]
    if result.smallest is not None:
        lines += ["", "The smallest fidelity program: " + result.smallest.sentence]
        lines.append("   " + result.smallest.figures.words())
    return "\n".join(lines)
