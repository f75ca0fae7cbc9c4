"""HermiT and Pellet, the OWL 2 DL reasoners Protégé users run, driven through their own command lines.

Both come as jars inside the owlready2 package (HermiT 1.3.8 and Pellet 2.3.1, each on the
OWL API 3.4.3) and need only a Java runtime (Debian's default-jre-headless, installed by
tools/setup-test-tools.sh). They are run as separate processes with the command lines their
authors ship, so what the tests report is what a user of either reasoner sees.

Pellet loads files with the OWL API (its default loader): owlready2 0.50 and 0.51 ship a patched
Jena class compiled for Java 25, so Pellet's Jena loader fails on Debian's Java 17.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Generous: a plan graph with the ontology and the PNRR scheme takes a few seconds.
TIMEOUT_SECONDS = 300
# Short runs: the client compiler only and one GC thread halve the CPU time of each run.
JVM_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")

OWL2_DL_VIOLATIONS_HEADER = "OWL 2 DL violations found for ontology"


def java() -> str | None:
    return shutil.which("java")


def jar_folder(name: str) -> Path:
    """owlready2's folder of jars for one reasoner ("hermit" or "pellet"), without importing owlready2."""
    spec = importlib.util.find_spec("owlready2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("owlready2 is not installed: pip install -e '.[test]'")
    return Path(next(iter(spec.submodule_search_locations))) / name


def classpath(name: str) -> str:
    return ":".join(str(jar) for jar in sorted(jar_folder(name).glob("*.jar")))


@dataclass(frozen=True)
class Verdict:
    consistent: bool
    output: str


def run_java(main_class: str, jars: str, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([java(), *JVM_OPTIONS, "-cp", jars, main_class, *arguments], capture_output=True, text=True,
                          timeout=TIMEOUT_SECONDS)


def hermit(path: Path, *, ignore_unsupported_datatypes: bool = False) -> Verdict:
    """HermiT's consistency check (-k: is owl:Thing satisfiable?).

    HermiT refuses any datatype outside the OWL 2 datatype map, in axioms and in literals;
    with ignore_unsupported_datatypes it leaves out the axioms and assertions that use one.
    """
    flags = ["--ignoreUnsupportedDatatypes"] if ignore_unsupported_datatypes else []
    done = run_java("org.semanticweb.HermiT.cli.CommandLine", classpath("hermit"), "-k", *flags, path.resolve().as_uri())
    output = done.stdout + done.stderr
    if "Exception" in output and "InconsistentOntologyException" not in output:
        raise AssertionError(f"HermiT could not reason on {path.name}:\n{output}")
    consistent = done.returncode == 0 and "owl#Thing is satisfiable" in done.stdout
    return Verdict(consistent, output)


def pellet(path: Path) -> Verdict:
    """Pellet's consistency check, with the warnings it prints about axioms it ignored."""
    done = run_java("pellet.Pellet", classpath("pellet"), "consistency", "--loader", "OWLAPIv3", str(path))
    output = done.stdout + done.stderr
    if "Consistent: Yes" not in done.stdout and "Consistent: No" not in done.stdout:
        raise AssertionError(f"Pellet could not reason on {path.name}:\n{output}")
    return Verdict("Consistent: Yes" in done.stdout, output)


def pellet_warnings(verdict: Verdict) -> list[str]:
    """The lines of Pellet's log that say it ignored or misread something."""
    return [line for line in verdict.output.splitlines() if line.startswith(("WARNING", "SEVERE"))]


def owl2_dl_violations(path: Path) -> list[str]:
    """The OWL API's OWL 2 DL profile checker, as Pellet's lint command runs it (OWL axioms only)."""
    done = run_java("pellet.Pellet", classpath("pellet"), "lint", "--only", "OWL", str(path))
    lines = done.stdout.splitlines()
    headers = [number for number, line in enumerate(lines) if line.startswith(OWL2_DL_VIOLATIONS_HEADER)]
    if done.returncode != 0 or not headers and "No OWL 2 DL violations found" not in done.stdout:
        raise AssertionError(f"the OWL 2 DL profile check did not run on {path.name}:\n{done.stdout}{done.stderr}")
    violations = []
    for number in headers:
        for line in lines[number + 1:]:
            if not line.strip():
                break
            violations.append(line)
    return sorted(set(violations))
