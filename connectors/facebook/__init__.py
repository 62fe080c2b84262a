"""Facebook Pages: the Graph API client (client.py), its errors (errors.py), the channel's
settings (settings.py) and its kind for the registry (kind.py: limits, rendering, preview).

Kept free of imports, so the registry loads the kind without the HTTP client.
"""
