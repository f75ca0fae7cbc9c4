"""The site's compiled templates kept in the work cache, so a build does not compile them again.

Compiling the site's templates (the resource pages' and the fixed pages', in both editions) is a fixed
cost of every build, a few CPU seconds: small beside a full build, a share of a rebuild after one plan
changed. Jinja's bytecode cache stores a template's compiled code and checks it against the template's
source; the code also holds what the environment put into it when it compiled (the translated
``_("literal")`` messages of its language, :mod:`compiled_messages`), so the key names the language and
the toolkit digest (code, templates, message catalogues and the publisher's templates), and a stale entry
is never found.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from jinja2 import Environment
from jinja2.bccache import Bucket, BytecodeCache

from piao_lod.work_cache import WorkCache, toolkit_digest

KIND = "templates"


class CompiledTemplates(BytecodeCache):
    """Jinja's bytecode cache for the environment of one language, in a :class:`WorkCache`."""

    def __init__(self, cache: WorkCache, lang: str, overrides: Path | None):
        self.cache = cache
        self.scope = f"{toolkit_digest(overrides)}:{lang}"

    def key(self, bucket: Bucket) -> str:
        return self.get_cache_key(f"{self.scope}:{bucket.key}")

    def load_bytecode(self, bucket: Bucket) -> None:
        stored = self.cache.get(KIND, self.key(bucket))
        if isinstance(stored, bytes):
            bucket.bytecode_from_string(stored)      # a damaged or outdated entry leaves the bucket empty

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.cache.put(KIND, self.key(bucket), bucket.bytecode_to_string())


def keep_compiled_templates(environments: Iterable[tuple[str, Environment]], cache: WorkCache | None,
                            overrides: Path | None) -> None:
    """Each environment (by its language) reads and writes its compiled templates in ``cache``; without a
    cache, compiles them as Jinja does."""
    for lang, environment in environments:
        environment.bytecode_cache = CompiledTemplates(cache, lang, overrides) if cache is not None else None
