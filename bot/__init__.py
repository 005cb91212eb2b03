"""callbot: answers questions about the Paris Call for Trust and Security in Cyberspace."""

__version__ = "0.1.0"
