"""Two of Jinja's per-call costs cut for the site's templates, which make about a hundred calls per page.

Both classes only skip work whose result is known: a page renders to the same bytes with them
(the build's output is compared file by file in ``benchmarks/RESULTS-site.md``).
"""

from __future__ import annotations

from types import FunctionType, MethodType
from typing import Any

from jinja2 import Template
from jinja2.runtime import Context

PLAIN_CALLABLES = (FunctionType, MethodType)


class SiteContext(Context):
    """Calls a plain Python function or method from a template directly. Jinja's own :meth:`Context.call`
    first looks for ``pass_context``-style markers on the callable and on its ``__call__``; a function or
    method carries them on itself, so one look is enough, and anything else (macros, filters that take
    the context, undefined values) goes through Jinja's path."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:   # noqa: N805 (Jinja's own signature)
        if type(__obj) not in PLAIN_CALLABLES or getattr(__obj, "jinja_pass_arg", None) is not None:
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_loop_vars", None)       # scope for context-taking callables only
        kwargs.pop("_block_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined("value was undefined because a callable raised a StopIteration exception")


class SiteTemplate(Template):
    """``{% from "_macros.html" import … %}`` reuses the imported template's module when the importing page
    brings no globals of its own, as Jinja does; the check is a subset test instead of Jinja's set
    difference over a ``ChainMap``, which a page paid twice (its template and ``_base.html`` import)."""

    def _get_default_module(self, ctx: Context | None = None):
        if ctx is not None and ctx.globals_keys.issubset(self.globals):
            ctx = None
        return super()._get_default_module(ctx)
