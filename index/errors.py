"""Every error a user can meet, with a one-line message that says what was wrong and what to do.

Front ends print `str(error)` as is; nothing else should be needed to act on it.
"""

from __future__ import annotations

from pathlib import Path


class DisclosuresError(Exception):
    """Base of all project errors. `str(e)` is one line, fit to show a user."""


class ConfigError(DisclosuresError):
    """A setting or flag has a value that cannot work."""


class StoreError(DisclosuresError):
    """The store (catalog, Chroma, BM25 index) cannot be opened or written."""


class NotFoundError(DisclosuresError):
    """A document or passage the user named does not exist."""


class QueryError(DisclosuresError):
    """A search or question cannot be run as given."""


class QuestionSetError(DisclosuresError):
    """A question set (eval/) that cannot be read: names the file, where in it (line or item), and the field."""

    def __init__(self, path: str | Path, where: str, message: str):
        self.path, self.where = str(path), where
        super().__init__(f"{path}:{where}: {message}")


class IngestError(DisclosuresError):
    """A file cannot be ingested. Carries the path so a batch can report it and go on."""

    def __init__(self, path: str | Path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __reduce__(self):  # noqa: ANN204 - so that it crosses from ingest's preparing process intact
        return self.__class__, (self.path, self.reason)


class EmptyFileError(IngestError):
    pass


class UnsupportedFileError(IngestError):
    pass


class FileTooLargeError(IngestError):
    pass


class CorruptFileError(IngestError):
    pass


class EncryptedPdfError(IngestError):
    pass


class NoTextError(IngestError):
    pass


class MetadataError(IngestError):
    """A sidecar NAME.meta.yaml or a metadata flag is malformed."""


class UploadError(DisclosuresError):
    """An upload the chat page refuses (too many, too large, not a PDF/HTML/TXT by content)."""


class CalculationError(DisclosuresError):
    """An expression the calculator will not evaluate: malformed, too big, or unknown names."""


class MetricError(DisclosuresError):
    """A metric cannot be computed as asked (a generic metric without its line item, an unknown metric)."""


class MissingInput(MetricError):
    """A line item a metric needs is not reported for the period it needs it for."""

    def __init__(self, metric: str, item: str, period: str, role: str, message: str):
        self.metric, self.item, self.period, self.role = metric, item, period, role
        super().__init__(message)


class LLMError(DisclosuresError):
    """An LLM backend failed (unreachable server, refused key, provider error). The message never carries a key."""
