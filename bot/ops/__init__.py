"""Operations around the core, shared by every adapter: feedback, metrics, health checks,
question logs, secret redaction and graceful shutdown.

Nothing here knows a chat platform; adapters call these pieces. Importing the package has
no side effects: each module is imported where it is used.
"""
