"""`@documented`: how a service's dataclass reads as a JSON schema, for the JSON API, which
answers with the dataclasses as they are (syndicator/web/api/routes.py).

FastAPI builds a pydantic schema from a frozen dataclass by itself; this only says where the
words come from: the dataclass's docstring and its fields' docstrings (the string under a
field) become the schema's descriptions, and a field with a default is still listed as
always present in an answer. A property meant for the answer carries pydantic's
`@computed_field`. Nothing changes for Python callers.
"""

from __future__ import annotations

from pydantic import ConfigDict, with_config

documented = with_config(
    ConfigDict(use_attribute_docstrings=True, json_schema_serialization_defaults_required=True)
)
