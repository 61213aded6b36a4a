"""`python -m tests.quancheng ARGS`: the `quancheng` command as the tests start it, with the cheap password hasher.

Subprocess tests (the CLI's, the browser tests' service) create and sign in accounts like the in-process ones; this
gives them the same cheap hashes without a test setting in the service itself.
"""

from __future__ import annotations

from server import auth, cli
from tests.support import CHEAP_PASSWORD_HASHER

if __name__ == "__main__":
    auth.password_hasher = CHEAP_PASSWORD_HASHER
    raise SystemExit(cli.main())
