"""`[report]` in settings.toml: when a portal counts as quiet, the weekly job, and the categories
of published information with the rules that sort items into them (issue #12).

The category list is settings, not code, so that it can follow the law (Decree 42/2022/NĐ-CP,
replaced from 1/7/2026 by Decree 224/2026/NĐ-CP): the bundled settings.toml ships it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from connectors.settings import Text
from syndicator.settings_models import (
    DAY,
    Duration,
    Section,
    StaleAfter,
    Words,
    at_least,
    check_slug,
)


class CategorySettings(Section):
    """`[[report.categories]]`: one category of published information."""

    id: str  # "thu-tuc-hanh-chinh": what feeds and rules name
    name: Text  # "Thủ tục hành chính, dịch vụ công trực tuyến": what the report shows
    required: bool = False  # every agency must fill it: an empty one is reported

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        return check_slug(value)


class RuleSettings(Section):
    """`[[report.rules]]`: items whose title holds one of `keywords` (whole words, any case,
    accents or not), or whose link's path holds one of `url_paths`, belong to `category`."""

    category: str
    keywords: Words = Field(default_factory=list)
    url_paths: Words = Field(default_factory=list)

    @model_validator(mode="after")
    def _matches_something(self) -> RuleSettings:
        if not (self.keywords or self.url_paths):
            raise ValueError(
                f"the rule for {self.category!r} has neither keywords nor url_paths; "
                "give it one of them or remove it"
            )
        return self


class ReportSettings(Section):
    """`[report]`: the portal activity and coverage report."""

    stale_after: StaleAfter = timedelta(days=7)  # feeds[].stale_after overrides it
    period: Annotated[Duration, at_least(DAY)] = timedelta(days=30)  # CLI, web, weekly job
    folder: Text = "var/reports"  # the weekly job's files, relative to the settings file
    weekly: bool = True  # the daemon writes the report every Monday 07:00 local time
    email: bool = False  # and mails it to alerts.email_to
    categories: list[CategorySettings] = Field(default_factory=list)
    rules: list[RuleSettings] = Field(default_factory=list)

    @model_validator(mode="after")
    def _categories_are_consistent(self) -> ReportSettings:
        seen: set[str] = set()
        for index, category in enumerate(self.categories):
            if category.id in seen:
                raise ValueError(
                    f"report.categories[{index}].id: {category.id!r} is used twice; "
                    "give each category its own id"
                )
            seen.add(category.id)
        for index, rule in enumerate(self.rules):
            if rule.category not in seen:
                raise ValueError(
                    f"report.rules[{index}].category: unknown category {rule.category!r}; "
                    f"add it to [[report.categories]] or use one of: {self.known()}"
                )
        return self

    def category_ids(self) -> list[str]:
        return [category.id for category in self.categories]

    def known(self) -> str:
        """The category ids, for a message that names them."""
        return ", ".join(self.category_ids()) or "none"
