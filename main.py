"""Thin entry point: `python main.py ...` is the same as `syndicator ...`."""

from syndicator.cli import main

if __name__ == "__main__":
    main()
