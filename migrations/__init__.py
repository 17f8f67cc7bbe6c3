"""Alembic migrations for painpoint's database (the only way the schema changes)."""
