"""The Discord adapter: Discord events in, core calls, Discord messages out.

Modules: `client` (discord.py client, intents, endpoints), `conversations` (mentions, DMs,
threads, auto-answer channels), `commands` (public slash commands), `admin` (admin slash
commands), `asking` (validation, rate limit, core call), `render` and `limits` (messages
within Discord's limits), `delivery` (sending, Discord errors), `run` (`serve`, `run`),
`invite` (the invite URL). Importing this package has no side effects.
"""
