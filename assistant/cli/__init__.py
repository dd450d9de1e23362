"""`guide`, the command line: one edge of the app (the web app in assistant.ui is the other).

`commands` holds the group and the library, question, serving and evaluation commands,
`admin` the account and audit-log commands, `support` what they share. Nothing of the core
lives here: each command reads its options, calls the core (Guide, LibraryDesk, EvalDesk) and
prints what came back.
"""

from assistant.cli.commands import main

__all__ = ["main"]
