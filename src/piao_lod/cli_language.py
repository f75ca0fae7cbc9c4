"""The command line's own words in the language of the run: ``--help`` and the usage errors.

The language is the one every other message follows: English when ``--lang en`` is anywhere on the command line,
else Italian. :class:`TranslatedGroup` (the class of the ``piao-lod`` group) sets it for the run and
- translates the help of the command tree Typer builds from ``cli.py`` (the help texts there are English msgids
  marked ``N_``; the help of ``--help`` itself is :data:`HELP_OPTION`);
- sets Typer's fixed words (:data:`TYPER_WORDS`: panel titles, ``[default: …]``, the "Try … for help" hint).
  Typer reads them from module constants of ``typer.rich_utils`` that it fills with ``gettext`` of its own domain
  when it is imported, so they are set here, for each run, from our catalogue;
- rewrites Click's usage errors (:data:`USAGE_ERRORS`). Typer's vendored Click builds them with f-strings, not
  gettext, so each English form is matched whole and its parts put into the translated form; the reason a part
  holds (pydantic's "Input should be …") is translated the same way when it is known, else quoted as given.

The English texts Typer and Click print are kept here as ``N_`` marks rather than read from their sources, so
``tools/update_catalogues.py`` extracts them (``src/**.py``) like any other message and never drops their Italian;
routing Click's ``gettext`` through our catalogue is not possible, as the Click Typer vendors (0.29) calls none.
Typer's plain-help words (``default: {default}``, ``required``) are left out: with rich installed, help is rich's.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from typer import rich_utils
from typer._click import Command, Context, HelpFormatter
from typer._click.exceptions import NoArgsIsHelpError, UsageError
from typer.core import TyperGroup

from piao_lod.messages import DEFAULT_LANGUAGE, N_, gettext

HELP_OPTION = N_("Show this message and exit.")
USAGE = N_("Usage: ")
OPTIONS_METAVAR = N_("[OPTIONS]")
SUBCOMMAND_METAVAR = N_("COMMAND [ARGS]...")

TYPER_WORDS = {   # typer.rich_utils constant -> its English text
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "DEFAULT_STRING": N_("[default: {}]"),
    "ENVVAR_STRING": N_("[env var: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "DEPRECATED_STRING": N_("(deprecated) "),
    "ABORTED_TEXT": N_("Aborted."),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
}

# Click's usage errors and the reasons they give, each matched whole; a longer form before a shorter one it extends.
USAGE_ERRORS = (
    N_("Missing argument {name}."),
    N_("Missing option {name}."),
    N_("Missing parameter {name}."),
    N_("Missing command."),
    N_("No such command {name}. Did you mean {suggestions}?"),
    N_("No such command {name}."),
    N_("No such option: {option} (Possible options: {options})"),
    N_("No such option: {option}"),
    N_("Option {option} requires an argument."),
    N_("Option {option} does not take a value."),
    N_("Got unexpected extra argument(s) ({arguments})"),
    N_("Invalid value for {name}: {reason}"),
    N_("Invalid value: {reason}"),
    N_("Input should be a valid integer, unable to parse string as an integer"),
    N_("Input should be a valid number, unable to parse string as a number"),
    N_("Input should be greater than or equal to {limit}"),
    N_("Input should be less than or equal to {limit}"),
    N_("Value error, {value} is not one of {choices}."),
    N_("Value error, {value} does not match the formats {formats}."),
    N_("dir {path} does not exist."),
    N_("dir {path} is a file."),
)


def pattern(message: str) -> re.Pattern:
    """``message`` as a regular expression, a named group for each ``{placeholder}``."""
    parts = re.split(r"\{(\w+)\}", message)
    return re.compile("".join(re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)"
                              for index, part in enumerate(parts)), re.DOTALL)


PATTERNS = [(pattern(message), message) for message in USAGE_ERRORS]


def translated_error(text: str, lang: str) -> str:
    """Click's English ``text`` in ``lang``: its form translated, and the parts it quotes when they are known forms."""
    for compiled, message in PATTERNS:
        match = compiled.fullmatch(text)
        if match:
            return gettext(lang, message, **{name: translated_error(part, lang)
                                             for name, part in match.groupdict().items()})
    return text


def language_of(args: Sequence[str]) -> str:
    """``en`` when ``--lang en`` (or ``--lang=en``) is anywhere in ``args``, else the default language."""
    for index, arg in enumerate(args):
        if arg == "--lang=en" or (arg == "--lang" and args[index + 1:index + 2] == ["en"]):
            return "en"
    return DEFAULT_LANGUAGE


def commands(command: Command) -> Iterator[Command]:
    """``command`` and the commands under it."""
    yield command
    for child in getattr(command, "commands", {}).values():
        yield from commands(child)


def translate_help(group: Command, lang: str) -> None:
    """Every help text of the tree under ``group`` in ``lang``, from the English one Typer was given (kept in
    ``help_msgid``, so a tree run twice is translated from English both times)."""
    for command in commands(group):
        help_option = command.get_help_option(command.context_class(command))   # made for a context, once
        if help_option is not None:
            help_option.help_msgid = HELP_OPTION
        for item in filter(None, [command, help_option, *command.params]):
            item.help_msgid = getattr(item, "help_msgid", item.help)
            item.help = item.help_msgid and gettext(lang, item.help_msgid)
        command.context_class = TranslatedContext
        command.options_metavar = gettext(lang, OPTIONS_METAVAR)
        if hasattr(command, "subcommand_metavar"):
            command.subcommand_metavar = gettext(lang, SUBCOMMAND_METAVAR)


class UsageFormatter(HelpFormatter):
    """A formatter whose usage line starts with ``usage`` (Click's is English)."""

    def __init__(self, usage: str, **options) -> None:
        super().__init__(**options)
        self.usage = usage

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, self.usage if prefix is None else prefix)


class TranslatedContext(Context):
    """A context whose usage line is in the language of the run (the one its root group was given)."""

    def make_formatter(self) -> HelpFormatter:
        lang = getattr(self.find_root().command, "lang", DEFAULT_LANGUAGE)
        return UsageFormatter(gettext(lang, USAGE), width=self.terminal_width, max_width=self.max_content_width)


@contextmanager
def usage_errors_in(lang: str) -> Iterator[None]:
    """A usage error raised inside, in ``lang`` (its exit code kept); the help printed for no arguments untouched."""
    try:
        yield
    except NoArgsIsHelpError:
        raise
    except UsageError as error:
        translated = UsageError(translated_error(error.format_message(), lang), error.ctx)
        translated.exit_code = error.exit_code
        raise translated from error


class TranslatedGroup(TyperGroup):
    """The ``piao-lod`` group: its help, Typer's words and Click's usage errors in the language of the run."""

    lang = DEFAULT_LANGUAGE

    def main(self, args: Sequence[str] | None = None, *rest, **options):
        self.lang = language_of(list(sys.argv[1:] if args is None else args))
        for name, message in TYPER_WORDS.items():
            setattr(rich_utils, name, gettext(self.lang, message))
        translate_help(self, self.lang)
        return super().main(args, *rest, **options)

    def make_context(self, *args, **options):
        with usage_errors_in(self.lang):
            return super().make_context(*args, **options)

    def invoke(self, ctx):
        with usage_errors_in(self.lang):
            return super().invoke(ctx)
