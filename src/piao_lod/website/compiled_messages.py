"""Fixed sentences of the templates translated once, when a template is compiled, instead of on every page.

Each Jinja environment serves one language (:func:`piao_lod.website.render.make_environment`), so
``_("Open data")`` always gives the same text in it: the call is replaced by the string its
``gettext`` returns, which Jinja then escapes at compile time as it would have at run time. Only a
call with a single literal and nothing else is replaced; sentences with placeholders
(``_("{count} plans", count=n)``) and calls on a variable stay calls. A page of the site makes about
forty such calls, each one a trip through Jinja's call machinery.
"""

from __future__ import annotations

from collections.abc import Iterator

from jinja2.ext import Extension
from jinja2.lexer import TOKEN_DOT, TOKEN_LPAREN, TOKEN_NAME, TOKEN_RPAREN, TOKEN_STRING, Token, TokenStream


class CompiledMessages(Extension):
    """Replaces ``_("literal")`` by the environment's translation of the literal (its ``gettext`` global)."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        tokens = list(stream)
        gettext = self.environment.globals["gettext"]
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if is_literal_message(tokens, index):
                yield Token(token.lineno, TOKEN_STRING, gettext(tokens[index + 2].value))
                index += 4
            else:
                yield token
                index += 1


def is_literal_message(tokens: list[Token], index: int) -> bool:
    """``_`` ``(`` string ``)``, not an attribute (``x._("…")``)."""
    window = tokens[index:index + 4]
    return ([token.type for token in window] == [TOKEN_NAME, TOKEN_LPAREN, TOKEN_STRING, TOKEN_RPAREN]
            and window[0].value == "_" and (index == 0 or tokens[index - 1].type != TOKEN_DOT))
