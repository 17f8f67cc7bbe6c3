"""painpoint: a Slack bot that turns everyday frustrations into evidence-backed themes."""

__version__ = "0.1.0"
