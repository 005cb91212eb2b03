"""The `callbot` command line (click); each module registers one group of commands."""
