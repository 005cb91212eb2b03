"""`python -m bot` is the same as the `callbot` command."""

from bot.cli.main import main

if __name__ == "__main__":
    main()
