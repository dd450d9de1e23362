"""Mutuals Guide: cited answers from a library of guidance on mutual and co-operative delivery.

The core (this package, except `cli` and `ui`, which are the edge) never imports `ingest` or `eval`.
"""

__version__ = "0.1.0"
