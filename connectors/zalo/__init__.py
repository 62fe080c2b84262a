"""Zalo Official Accounts: the article client (client.py, article.py), its errors (errors.py),
the rotating OAuth tokens (tokens.py), the channel's settings (settings.py), the article body
(render.py) and its kind for the registry (kind.py).

Kept free of imports, so the registry loads the kind without the HTTP client.
"""
