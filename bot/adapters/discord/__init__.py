"""The Discord adapter: Discord events in, core calls, Discord messages out.

Modules: `client` (discord.py client, intents, endpoints), `conversations` (mentions, DMs,
threads, auto-answer channels), `commands` (public slash commands), `admin` (admin slash
commands), `render` (answers, declines, principles), `listings` (sources, help, gaps,
reports) and `limits` (messages within Discord's limits), `sources` (the Sources button),
`delivery` (sending, Discord errors), `feedback` (the helpful / not helpful buttons and
their votes), `connection` (gateway readiness for /healthz), `run` (`serve`, `run`: health
server, graceful shutdown), `invite` (the invite URL). What every chat platform does around
asking the core is `bot.adapters.asking`. Importing
this package has no side effects.
"""

PLATFORM = "discord"  # the platform name in actors, metrics, logs and feedback rows
