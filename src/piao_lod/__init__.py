"""piao-lod: Italian municipal performance plans (PIAO) as linked open data.

The Python API mirrors ``piao-lod convert``::

    from piao_lod import read_plan_table, plan_to_graph
    plan = read_plan_table("obiettivi.csv", ente="c_d150", year=2024)
    graph = plan_to_graph(plan)            # an rdflib.Graph
    for problem in plan.problems:          # data problems, with file, line and column
        print(problem)
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("piao-lod")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

from piao_lod.conversion import Conversion, convert_sources  # noqa: E402
from piao_lod.errors import PiaoLodError, SourceError, UsageError  # noqa: E402
from piao_lod.plan_graph import plan_to_graph, plans_to_dataset  # noqa: E402
from piao_lod.plan_table import read_plan_table  # noqa: E402
from piao_lod.problems import Location, Problem, Severity  # noqa: E402
from piao_lod.rdf_output import serialize_plans, write_plans  # noqa: E402
from piao_lod.records import Assignment, Objective, Plan  # noqa: E402

__all__ = [
    "Assignment", "Conversion", "Location", "Objective", "PiaoLodError", "Plan", "Problem", "Severity",
    "SourceError", "UsageError", "__version__", "convert_sources", "plan_to_graph", "plans_to_dataset",
    "read_plan_table", "serialize_plans", "write_plans",
]
