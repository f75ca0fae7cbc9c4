"""The one message catalogue: every text a person reads, in Italian and English, with plural forms.

The catalogues are gettext ``.po`` files under ``locales/`` (``it`` and ``en``), read at run time
with Babel; message ids are the English source texts with ``{name}`` placeholders, marked in the
code with :func:`N_` (or passed straight to :func:`gettext`), so ``pybabel extract`` finds them.
Italian comes first: it is the default language of the CLI, the reports and the site.
"""

from __future__ import annotations

import io
from functools import lru_cache

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from piao_lod.resources import packaged

LANGUAGES = ("it", "en")
DEFAULT_LANGUAGE = "it"
DOMAIN = "piao_lod"


def N_(message: str) -> str:
    """Marks a text for the catalogue where it is defined; it is translated where it is shown."""
    return message


def ngettext_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a text with a plural form for the catalogue where it is defined (see :class:`~piao_lod.problems.Phrase`)."""
    return singular, plural


@lru_cache(maxsize=None)
def translations(lang: str) -> Translations:
    """The compiled catalogue of ``lang`` (compiled in memory from the ``.po`` file, once per process)."""
    if lang not in LANGUAGES:
        raise ValueError(f"no message catalogue for language {lang!r}; use one of {', '.join(LANGUAGES)}")
    with packaged("locales").joinpath(lang, "LC_MESSAGES", f"{DOMAIN}.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def gettext(lang: str, message: str, **params) -> str:
    """``message`` in ``lang``, its ``{name}`` placeholders filled from ``params``."""
    translated = translations(lang).gettext(message)
    return translated.format(**params) if params else translated


def pgettext(lang: str, context: str, message: str, **params) -> str:
    translated = translations(lang).pgettext(context, message)
    return translated.format(**params) if params else translated


def ngettext(lang: str, singular: str, plural: str, count: int, **params) -> str:
    """The form of ``lang`` for ``count`` (``1 violazione``, ``2 violazioni``); ``{count}`` is filled too."""
    translated = translations(lang).ngettext(singular, plural, count)
    return translated.format(count=count, **params)
