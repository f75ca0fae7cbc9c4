"""Convert several plan tables at once: the library behind ``piao-lod convert``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from piao_lod.enti import Ente
from piao_lod.errors import SourceError, outcome_exit_code
from piao_lod.messages import N_
from piao_lod.plan_pool import SourceRead, read_sources
from piao_lod.problems import Problem, counts_as_data_problem
from piao_lod.reading import DEFAULT_READING, ReadingOptions
from piao_lod.records import Plan, PlanVersion, SourceDocument
from piao_lod.work_cache import WorkCache


def plan_key(plan: Plan) -> tuple[str, int, str]:
    """What tells one plan version from another: ente, year and version key."""
    return plan.ente.ipa_code, plan.year, plan.version.key


@dataclass(frozen=True)
class PlanOutline:
    """What is kept of a plan once its triples are in a store or written: what reports say of it (its records are
    ≈ 0.4 MB)."""

    source: SourceDocument
    ente: Ente
    year: int
    version: PlanVersion
    problems: list[Problem]
    objectives: int = 0                # how many
    indicator_rows: int = 0

    @classmethod
    def of(cls, plan: Plan) -> PlanOutline:
        return cls(plan.source, plan.ente, plan.year, plan.version, plan.problems, len(plan.objectives),
                   sum(len(objective.assignments) for objective in plan.objectives))


@dataclass
class Conversion:
    """The plans that could be read, their problems, and the sources that could not be used."""

    plans: list[Plan | PlanOutline] = field(default_factory=list)   # outlines once a store holds their triples
    unusable: list[SourceError] = field(default_factory=list)
    base: str | None = None                                   # the IRI base of ``packed_triples``
    packed_triples: dict[tuple[str, int, str], bytes] = field(default_factory=dict)   # plan_key -> its sorted triples
    reused: int = 0                                           # plans taken from the cache instead of read

    @property
    def problems(self) -> list[Problem]:
        return [problem for plan in self.plans for problem in plan.problems]

    @property
    def exit_code(self) -> int:
        return outcome_exit_code(bool(self.unusable) or not self.plans,
                                 any(counts_as_data_problem(problem) for problem in self.problems))


def convert_sources(sources: Sequence[str | Path], options: ReadingOptions = DEFAULT_READING, base: str | None = None,
                    workers: int | None = None, cache: WorkCache | None = None) -> Conversion:
    """Read every source, in ``workers`` processes (default: every core), taking unchanged ones from ``cache``;
    an unusable one is recorded and the others are still converted. With ``base``, the workers also make each
    plan's triples under that base."""
    conversion = Conversion(base=base)
    for read in plans_read(sources, conversion, options, base, workers, cache):
        conversion.plans.append(read.plan)
        if read.packed_triples is not None:
            conversion.packed_triples[plan_key(read.plan)] = read.packed_triples
    return conversion


def plans_read(sources: Sequence[str | Path], conversion: Conversion, options: ReadingOptions = DEFAULT_READING,
               base: str | None = None, workers: int | None = None, cache: WorkCache | None = None) -> Iterator[SourceRead]:
    """Each plan read from ``sources`` (with its triples, given ``base``), in order, as soon as it is read, for a
    caller that writes it away rather than holding every plan (``load``, ``convert``); the unusable sources and the
    reuse count go into ``conversion``, a second source of the same version is unusable."""
    seen: dict[tuple[str, int, str], str] = {}
    for source, read in zip(sources, read_sources(sources, options, base, workers, cache)):
        if read.error is not None:
            conversion.unusable.append(read.error)
            continue
        plan = read.plan
        conversion.reused += read.reused
        key = plan_key(plan)
        if key in seen:
            conversion.unusable.append(SourceError(
                N_("version {version} of plan {ente} {year} was already read from {first}; one source per version (two "
                   "documents that do not say which version they are are told apart by their content; give "
                   "--version-name to name them)"), str(source),
                version=plan.version.key, ente=plan.ente.ipa_code, year=plan.year, first=seen[key]))
            continue
        seen[key] = str(source)
        yield read


def outlined(reads: Iterable[SourceRead], conversion: Conversion) -> Iterator[tuple[PlanOutline, bytes]]:
    """Each plan of ``reads`` (read with a base) as its outline, kept in ``conversion``, and its packed triples: for
    a caller that writes them away and lets the plan's records go (``convert``)."""
    for read in reads:
        outline = PlanOutline.of(read.plan)
        conversion.plans.append(outline)
        yield outline, read.packed_triples
