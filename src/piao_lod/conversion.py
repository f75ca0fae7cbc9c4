"""Convert several plan tables at once: the library behind ``piao-lod convert``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from piao_lod.errors import SourceError, outcome_exit_code
from piao_lod.plan_table import read_plan_table
from piao_lod.problems import Problem, counts_as_data_problem
from piao_lod.reading import DEFAULT_READING, ReadingOptions
from piao_lod.records import Plan


@dataclass
class Conversion:
    """The plans that could be read, their problems, and the sources that could not be used."""

    plans: list[Plan] = field(default_factory=list)
    unusable: list[SourceError] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return [problem for plan in self.plans for problem in plan.problems]

    @property
    def exit_code(self) -> int:
        return outcome_exit_code(bool(self.unusable) or not self.plans,
                                 any(counts_as_data_problem(problem) for problem in self.problems))


def convert_sources(sources: Sequence[str | Path], options: ReadingOptions = DEFAULT_READING) -> Conversion:
    """Read every source; an unusable one is recorded and the others are still converted."""
    conversion = Conversion()
    seen: dict[tuple[str, int, str], str] = {}
    for source in sources:
        try:
            plan = read_plan_table(source, options=options)
        except SourceError as error:
            conversion.unusable.append(error)
            continue
        key = (plan.ente.ipa_code, plan.year, plan.version.key)
        if key in seen:
            conversion.unusable.append(SourceError(
                f"version {plan.version.key} of plan {plan.ente.ipa_code} {plan.year} was already read from "
                f"{seen[key]}; one source per version (two documents that do not say which version they are "
                "are told apart by their content; give --version-name to name them)", str(source)))
            continue
        seen[key] = str(source)
        conversion.plans.append(plan)
    return conversion
