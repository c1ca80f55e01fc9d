"""Package version, kept in one place for the build backend and for tracing."""

__version__ = "0.1.0"
