"""Alembic migrations for the storage tables, shipped inside the package."""
