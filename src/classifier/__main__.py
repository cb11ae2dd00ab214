"""``python -m classifier``: the same as the ``classify`` command."""

from .cli import main

if __name__ == "__main__":
    main(prog_name="classify")
