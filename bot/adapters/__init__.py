"""Chat-platform adapters: platform events in, core calls, platform messages out."""
