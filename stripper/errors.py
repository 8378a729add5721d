"""Errors the library raises on purpose; the CLI maps each to an exit code."""


class StripperError(Exception):
    """Base class for errors stripper reports to the user."""

    exit_code = 1


class InputError(StripperError):
    """The input could not be read or decoded (exit 1)."""

    exit_code = 1


class NotAPageError(InputError):
    """The input is a PDF, an image, an executable...: not a page at all (exit 1)."""

    exit_code = 1


class RulesError(StripperError):
    """A rules file is broken (exit 2, like a usage error)."""

    exit_code = 2


class BatchError(StripperError):
    """A batch cannot run as asked, e.g. the output directory is an input (exit 2)."""

    exit_code = 2


class ExtraMissing(StripperError):
    """A feature needs an optional dependency that is not installed (exit 2); the message says what to install."""

    exit_code = 2


class ClusterError(StripperError):
    """A Dask scheduler cannot be reached, has no workers, or its workers cannot run stripper (exit 2)."""

    exit_code = 2
