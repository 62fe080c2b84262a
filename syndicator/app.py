"""The composition root: builds settings, clock, database, HTTP session and services, and passes them in."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

import requests
from sqlalchemy import Engine

from connectors.base import Connector
from connectors.sandbox import SandboxConnector
from storage import migrate
from storage.engine import make_engine
from syndicator.clock import Clock, SystemClock
from syndicator.config import Settings, load_settings
from syndicator.fetch import Fetcher
from syndicator.http import build_session, user_agent
from syndicator.parsepool import ParsePool
from syndicator.poller import Poller
from syndicator.posts import PostMaker, ReviewQueue
from syndicator.publisher import Publisher
from syndicator.records import FeedParser
from syndicator.render import Renderer, RenderSettings


@dataclass
class App:
    """Everything a command needs, built lazily so `--help` and config errors stay fast."""

    settings: Settings
    clock: Clock = field(default_factory=SystemClock)

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url())

    def migrated_engine(self) -> Engine:
        """The engine, with the schema upgraded in place first (applied at every start)."""
        migrate.upgrade(self.engine)
        return self.engine

    @cached_property
    def http(self) -> requests.Session:
        polling = self.settings.polling
        hosts = {urlsplit(feed.url).hostname for feed in self.settings.feeds}
        return build_session(
            user_agent=user_agent(polling.contact), pool_size=polling.workers, hosts=len(hosts)
        )

    @cached_property
    def fetcher(self) -> Fetcher:
        polling = self.settings.polling
        return Fetcher(
            self.http,
            timeout=polling.timeout,
            connect_timeout=polling.connect_timeout,
            max_bytes=polling.max_bytes,
            clock=self.clock,
        )

    @cached_property
    def parser(self) -> FeedParser:
        polling = self.settings.polling
        if polling.parse_processes == 0:
            from syndicator.parse import parse_feed  # only then does this process parse

            return parse_feed
        return ParsePool(polling.parse_processes, polling.parse_memory_mb)

    @cached_property
    def renderer(self) -> Renderer:
        config = self.settings.render
        return Renderer(
            self.settings.resolve_path(config.templates),
            RenderSettings(
                hashtags=tuple(config.hashtags),
                agency_hashtag=config.agency_hashtag,
                default_image=config.default_image,
                timezone=self.settings.timezone,
            ),
        )

    def post_maker(self) -> PostMaker:
        return PostMaker(self.renderer, self.settings.channels, self.settings.review)

    def review_queue(self) -> ReviewQueue:
        return ReviewQueue(self.migrated_engine(), self.renderer, self.settings.channels)

    def connectors(self) -> tuple[dict[str, Connector], dict[str, str]]:
        """The enabled channels' connectors, and why any enabled channel has none."""
        built: dict[str, Connector] = {}
        missing: dict[str, str] = {}
        for name, channel in self.settings.channels.items():
            if not channel.enabled:
                continue
            if channel.type == "sandbox":
                built[name] = SandboxConnector(self.settings.resolve_path(channel.folder))
            else:
                missing[name] = f"the {channel.type} connector is not available in this version"
        return built, missing

    def publisher(self) -> Publisher:
        connectors, _ = self.connectors()
        return Publisher(self.migrated_engine(), connectors, self.settings, self.clock)

    def poller(self) -> Poller:
        return Poller(
            parse=self.parser,
            posts=self.post_maker(),
            engine=self.migrated_engine(),
            fetcher=self.fetcher,
            clock=self.clock,
            polling=self.settings.polling,
            timezone=self.settings.timezone,
        )

    def close(self) -> None:
        parser = self.__dict__.get("parser")
        if isinstance(parser, ParsePool):
            parser.close()
        if "http" in self.__dict__:
            self.http.close()
        if "engine" in self.__dict__:
            self.engine.dispose()


def build_app(config: Path, clock: Clock | None = None) -> App:
    return App(load_settings(config), clock or SystemClock())
