"""What the database says about the portals: activity (which went quiet), coverage of the
categories the law requires, and later reach (DESIGN.md, "Layout")."""

from pathlib import Path

# The report's Jinja templates: its file's, and the admin page's /report (through services).
TEMPLATES = Path(__file__).parent / "templates"
