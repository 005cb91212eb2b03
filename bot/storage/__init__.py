"""Shared state for several replicas: SQLAlchemy for what must last, Redis for what is short-lived.

Without `storage.database_url` and `storage.redis_url` nothing here is used: one process keeps
its SQLite files under `index/` and its in-process guards, as before.
"""
