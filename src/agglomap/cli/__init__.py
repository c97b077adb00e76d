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

from .. import __version__
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


# Library parameters (and settings) whose command-line flag is not ``--`` + the name with
# dashes; an error naming a parameter is shown with the flag instead.
FLAGS = {"sources_dir": "--sources DIR"}


def flag_for(param: str) -> str:
    """The command-line flag of a library parameter: ``fua_max_km`` → ``--fua-max-km``."""
    return FLAGS.get(param, "--" + param.replace("_", "-"))


def for_command_line(exc: AgglomapError) -> str:
    """The error's message with the parameter it names (``exc.param``, as ``param``,
    ``settings.param`` or ``param=``) written as the command's flag."""
    text = str(exc)
    param = getattr(exc, "param", None)
    if param:
        name = re.compile(rf"(?<![\w.-])(?:settings\.)?{re.escape(param)}=?(?![\w])")
        text = name.sub(flag_for(param), text)
    return text


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
