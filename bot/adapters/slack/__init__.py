"""The Slack adapter: Slack events in, core calls, Block Kit out (`callbot run slack`).

Entry points live in `bot.adapters.slack.run` (`serve`, `run`); nothing is imported or
started here, so importing the package has no side effects.
"""

PLATFORM = "slack"  # the platform name in actors, metrics, logs and feedback rows
