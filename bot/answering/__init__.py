"""The answer pipeline: from a cleaned question to a cited Answer with its one-line answer."""
