"""Thin entry point: `python main.py ...` is the same as `syndicator ...`."""

if __name__ == "__main__":
    # Imported here, not above: parser worker processes re-import this file as their main module.
    from syndicator.cli import main

    main()
