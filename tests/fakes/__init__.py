"""Test doubles that speak real protocols over real sockets (fake platform servers)."""
