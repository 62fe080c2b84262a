"""The admin web page: a front end like the CLI, over the same services (DESIGN.md, "Layout")."""
