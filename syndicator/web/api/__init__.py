"""The JSON API under /api/v1: the review operations for scripts, authorized by per-user bearer
tokens (`syndicator users token create`), never by the page's session cookie."""
