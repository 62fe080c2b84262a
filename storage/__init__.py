"""Persistence: tables, engine set-up, migrations and queries. Imports neither the domain nor connectors."""
