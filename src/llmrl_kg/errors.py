"""The one error model: every error a user can cause or fix is a `KGError`, carrying its exit code.

The command line prints such an error as one line (`llmrl-kg: message`, then
the fix when there is one) and exits with its code; anything else is a bug,
reported as an internal error with exit 3 (`llmrl-kg --debug ...` shows the
traceback). The Python API raises the same classes.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1  # the KG, a store or a server failed: the data or the service is at fault
EXIT_USAGE = 2  # the command was given something it cannot use
EXIT_INTERNAL = 3  # a bug in llmrl-kg
EXIT_INTERRUPTED = 130


class KGError(Exception):
    """Base of the project's errors: a message for people, an optional fix and an exit code."""

    exit_code = EXIT_USAGE
    # Findings already start with `path:line:`; they are printed as they are, without `llmrl-kg: `.
    prefixed = True

    def __init__(self, message: str = "", *, fix: str | None = None, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.fix = fix
        if exit_code is not None:
            self.exit_code = exit_code

    def describe(self) -> str:
        """The message, then the fix on its own line when there is one."""
        message = str(self)
        return f"{message}\n{self.fix}" if self.fix else message


class UsageError(KGError):
    """Bad arguments or input: an unknown name, a refused query, a file that cannot be read (exit 2)."""

    exit_code = EXIT_USAGE


class DataError(KGError):
    """The KG's own files are broken or inconsistent (exit 1)."""

    exit_code = EXIT_FAILED


class ServiceError(KGError):
    """A store, a server or a remote endpoint failed (exit 1)."""

    exit_code = EXIT_FAILED


class FindingsError(DataError):
    """Findings (one `path:line: severity rule — message (fix)` per line) that stop a command (exit 1)."""

    prefixed = False
