"""The ``agglomap`` command line. Each module in this package is one subcommand.

A subcommand module defines ``HELP`` (its one line in ``agglomap --help``) and
``register(subparsers)``, which adds its parser with that help and sets ``func`` (a
callable taking the parsed ``argparse.Namespace`` and returning an exit code). Importing
a subcommand module is cheap; the libraries it needs (geopandas, folium, matplotlib …)
are imported in ``register`` and ``func``, so only the command being run pays for them.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import re
import sys
import warnings
from collections.abc import Collection

from .._version import __version__
from ..errors import AgglomapError, os_reason


def build_parser(commands: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand, or of ``commands`` only: the others are listed with
    their help line but take no options (``main`` uses that to find the command first)."""
    parser = argparse.ArgumentParser(
        prog="agglomap",
        description="Maps and agglomeration scores for Kazakhstan's regions and monocities.",
    )
    parser.add_argument("--version", action="version", version=f"agglomap {__version__}")
    parser.add_argument(
        "--sources",
        metavar="DIR",
        help="read upstream data from this folder instead of downloading it "
        "(default: $AGGLOMAP_SOURCES, else download into the user cache)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        name = info.name.replace("_", "-")
        if commands is None or name in commands:
            module.register(sub)
        else:
            sub.add_parser(name, help=module.HELP, add_help=False)
    return parser


def _one_line(command: str):
    """A ``warnings.showwarning`` that prints ``agglomap COMMAND: warning: message``."""

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        print(f"agglomap {command}: warning: {message}", file=sys.stderr)

    return show


# Library wording -> the command line's, for errors naming that parameter (``exc.param``);
# any other parameter is written ``--`` + its name with dashes (``fua_max_km`` ->
# ``--fua-max-km``), its value ``param='x'`` as ``--param x``.
PHRASES = {
    "sources_dir": (("settings.sources_dir", "--sources DIR"),),
    "self_contained": (("self_contained=False", "--no-self-contained"),),
    "template": (("monocity.write_template(path)", "agglomap monocity --template FILE"),),
}


def flag_for(param: str) -> str:
    """The command-line flag of a library parameter: ``fua_max_km`` -> ``--fua-max-km``."""
    return "--" + param.replace("_", "-")


def for_command_line(exc: AgglomapError) -> str:
    """The error as the command line shows it: the parameters it names (``exc.param``)
    written as flags -- ``vintage='2018'`` as ``--vintage 2018``, ``region_column`` as
    ``--region-column``. Only the message is rewritten, never the file name before it."""
    text = str(exc)
    params = exc.param if isinstance(exc.param, tuple) else (exc.param,) if exc.param else ()
    message = getattr(exc, "message", None) or text
    head, tail = (text[: -len(message)], message) if text.endswith(message) else ("", text)
    for param in params:
        if param in PHRASES:
            for library, command_line in PHRASES[param]:
                tail = tail.replace(library, command_line)
            continue
        value = r"""(?:=(['"]?)([^\s'",;)]+)\1)?"""
        tail = re.sub(
            rf"(?<![\w./-]){re.escape(param)}{value}(?!\w)",
            lambda m, p=param: flag_for(p) + (f" {m.group(2)}" if m.group(2) else ""),
            tail,
        )
    return head + tail


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; errors become one line on stderr (exit 2), never a traceback.

    Set ``AGGLOMAP_DEBUG=1`` to let unexpected exceptions through with their traceback.
    """
    command = build_parser(commands=()).parse_known_args(argv)[0].command
    args = build_parser(commands=(command,)).parse_args(argv)
    prefix = f"agglomap {args.command}: error:"
    from .. import settings

    given = {"sources_dir": args.sources} if args.sources is not None else {}
    try:
        with warnings.catch_warnings(), settings.override(**given):
            warnings.showwarning = _one_line(args.command)
            return int(args.func(args) or 0)
    except AgglomapError as exc:
        print(f"{prefix} {for_command_line(exc)}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file agglomap did not wrap: still one line, naming it
        where = exc.filename if exc.filename is not None else None
        reason = os_reason(exc, where)
        print(f"{prefix} {where}: {reason}" if where else f"{prefix} {reason}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"agglomap {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("AGGLOMAP_DEBUG"):
            raise
        print(
            f"agglomap {args.command}: internal error: {type(exc).__name__}: {exc} "
            "(please report it; AGGLOMAP_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
