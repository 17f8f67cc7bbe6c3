"""Errors raised by the theme engine."""


class ClusteringInputError(ValueError):
    """The input (CSV file, column, texts) cannot be clustered; the message says why."""
