"""The sandbox channel: posts written to a folder (client.py), its settings (settings.py) and
its kind for the registry (kind.py). The default when no tokens are configured.
"""
