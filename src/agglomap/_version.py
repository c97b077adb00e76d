"""agglomap's version: the one home of the number (pyproject reads it, see [tool.hatch.version])."""

__version__ = "0.1.0"
