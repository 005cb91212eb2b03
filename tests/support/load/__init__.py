"""The load driver: many users asking at once through both chat adapters (`benchmarks/load.py`,
`tests/test_load.py`).

N simulated users (distinct user ids) each ask M questions from `tests/eval/qa.jsonl`
through the fake Discord (gateway + REST) and the fake Slack (Socket Mode), each started
on 127.0.0.1 port 0 in this process with the real adapter (discord.py, slack-bolt) and one
shared `BotCore`; when half of all questions have been injected an index rebuild
(`app.knowledge.rebuild`, in a thread) runs while the users keep asking.

Each user is a closed loop: ask, wait for the reply (bounded by --answer-timeout), ask the
next. The entry points rotate per question: on Discord a mention or `/ask`; on Slack a
channel mention (answered in its thread), a direct message, or `/paris-call ask`. Every
reply the fakes record is matched to its question (Discord: message reference or
interaction token; Slack: channel + thread ts, the echoed question in a DM, or the
response_url), so a reply counts once and a second reply to one question is a duplicate.

Rate limit: the per-user limit stays on, set for the run to exactly M questions per
`limits.rate_limit_seconds` (30 s by default), because the default 5 per 30 s would refuse
questions 6..M of a user who asks faster than one every 6 s. Each question is still
checked and counted, so a limiter that counted one question twice, or shared a budget
between users, would refuse one and fail the run. The limiter itself is tested in
tests/test_abuse.py.

Printed per platform: questions sent, answers received (and how many declined), errors,
duplicates, p50/p99 end-to-end latency (from injecting the event to the fake receiving the
reply), per entry point too, and the acknowledgement times. Errors are: private notices
(rate limit, "something went wrong"), replies that match no question, whatever the fakes
refused or flagged (late Discord callbacks included), Socket Mode envelopes never
acknowledged or acknowledged after 3 s, WARNING+ lines from the bot's loggers and ERROR+
lines from any logger, and an answer from the wrong index version (asked after the rebuild
finished but answered from the old version, or answered before it started from another).
Exit code 1 unless every question was answered exactly once with zero errors and the
rebuild succeeded. A NOTE (not an error) lists question texts that got both a cited answer
and a decline from one index version: with an embedder whose output depends on the other
texts in its batch (int8 dynamic quantization), the micro-batcher makes that possible.

Reading the numbers: Discord mention replies in one channel are sent one at a time, because
discord.py queues requests per rate-limit bucket and the fake sends no X-RateLimit headers
(so the bucket allows one request in flight); a burst of mentions in one channel shows up
in the mention p99. Real Discord is stricter still (a few messages per channel per
second), so this is the platform's limit, not the core's; `/ask` follow-ups go to one
webhook per interaction and are not queued that way. One `BotCore` serves both adapters
here (production runs one process per platform), so the two platforms share the
micro-batcher and the answer cache; `--no-cache` makes every question reach the model.

Bounded: at most 500 users x 200 questions, --time-limit seconds in all; loopback only.

    python -m benchmarks.load                      # 50 x 20, both platforms, the real model (ONNX)
    python -m benchmarks.load --fake-embedder      # quick: the tests' hashed bag-of-words embedder
    python -m benchmarks.load --users 8 --questions 5 --platform slack
"""
