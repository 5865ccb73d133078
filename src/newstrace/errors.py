"""Domain exceptions. The library raises these with a hint; only the CLI turns them into messages."""

from __future__ import annotations


class NewstraceError(Exception):
    """Base class. ``hint`` says what the user can do about it."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def __str__(self) -> str:
        base = super().__str__()
        return f"{base} ({self.hint})" if self.hint else base


class UsageError(NewstraceError):
    """The user asked for something that cannot work as asked (exit code 2)."""

    exit_code = 2


class InputError(NewstraceError):
    """An input path or file cannot be read at all (single bad records are skipped, not raised)."""

    exit_code = 2


class StoreError(NewstraceError):
    """The DuckDB store is missing, locked, corrupt or of an unknown schema version."""


class MissingExtraError(NewstraceError):
    """An optional dependency is not installed; the message names the exact pip install."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"this feature needs the Python package {package!r}",
            hint=f"install it with: pip install 'newstrace[{extra}]'",
        )
        self.package = package
        self.extra = extra


class ModelError(NewstraceError):
    """The bundled sentence encoder cannot be loaded."""
