"""The time-driven entry: the worker, its lease, and the scheduled jobs it runs."""
