"""The composition root: builds settings, clock, database, HTTP session and services, and passes them in."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from connectors.base import ChannelUnavailable, Connector, OutgoingPost, SettingsProblem, Wiring
from storage import migrate
from storage.engine import make_engine
from syndicator.clock import Clock, SystemClock
from syndicator.config import Settings, load_settings
from syndicator.errors import ConfigError

# The parts are imported where they are built: a command loads only what it uses (`queue list`
# needs no HTTP, parser, publisher or template engine).
if TYPE_CHECKING:
    import requests
    from sqlalchemy import Engine

    from storage.tokens import SqlTokenStore
    from syndicator.ingest.fetch import Fetcher
    from syndicator.ingest.poller import Poller
    from syndicator.ingest.robots import RobotsRules
    from syndicator.posts.maker import PostMaker
    from syndicator.posts.queue import ReviewQueue
    from syndicator.posts.render import Renderer
    from syndicator.publish.publisher import Publisher
    from syndicator.records import FeedParser
    from syndicator.settings_models import FeedSettings


@dataclass
class App:
    """Everything a command needs, built lazily so `--help` and config errors stay fast."""

    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    _migrated: bool = field(default=False, init=False, repr=False)
    # The daemon's jobs run in threads; the first tick must not build two of anything.
    _building: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)
    # What services keep for a while in this process (the channels' token checks, which ask
    # each platform: services/tokens.py), by the service's own key.
    kept: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url())

    def migrated_engine(self) -> Engine:
        """The engine, with the schema upgraded in place first: once per App (a start), not at
        every use, since the daemon's jobs ask for it every tick from several threads."""
        with self._building:
            if not self._migrated:
                migrate.upgrade(self.engine)
                self._migrated = True
        return self.engine

    def feeds(self) -> list[FeedSettings]:
        """The settings file's feeds, then the portals added on the admin page, read from the
        database at each call (one small query), so a daemon polls a new one at its next tick."""
        from syndicator.feed_list import added_feeds

        return [*self.settings.feeds, *added_feeds(self.settings, self.migrated_engine())]

    def settings_with_added_feeds(self) -> Settings:
        """The settings with every feed of `feeds()`, for what takes whole settings (the
        report, `poll --feed`)."""
        from syndicator.feed_list import added_feeds

        return self.settings.with_feeds(added_feeds(self.settings, self.migrated_engine()))

    @cached_property
    def http(self) -> requests.Session:
        from syndicator.http import build_session, user_agent

        polling = self.settings.polling
        hosts = {urlsplit(feed.url).hostname for feed in self.settings.feeds}
        return build_session(
            user_agent=user_agent(polling.contact), pool_size=polling.workers, hosts=len(hosts)
        )

    @cached_property
    def fetcher(self) -> Fetcher:
        from syndicator.ingest.fetch import Fetcher

        polling = self.settings.polling
        return Fetcher(
            self.http,
            timeout=polling.timeout,
            connect_timeout=polling.connect_timeout,
            max_bytes=polling.max_bytes,
            clock=self.clock,
            allow_networks=polling.allow_networks,
        )

    @cached_property
    def robots(self) -> RobotsRules:
        """robots.txt of the portals read as pages (listings, discovery), kept per host."""
        from syndicator.http import user_agent
        from syndicator.ingest.robots import RobotsRules

        agent = user_agent(self.settings.polling.contact)
        return RobotsRules(self.fetcher, user_agent=agent, clock=self.clock)

    @cached_property
    def parser(self) -> FeedParser:
        polling = self.settings.polling
        if polling.parse_processes == 0:
            from syndicator.ingest.parse import parse_feed  # only then does this process parse

            return parse_feed
        from syndicator.ingest.parsepool import ParsePool

        return ParsePool(
            polling.parse_processes, polling.parse_memory_mb, timeout=polling.parse_timeout
        )

    @cached_property
    def renderer(self) -> Renderer:
        from syndicator.posts.render import Renderer, RenderSettings

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
        from syndicator.posts.maker import PostMaker

        settings = self.settings
        return PostMaker(self.renderer, settings.channels, settings.review, settings.reach)

    def review_queue(self) -> ReviewQueue:
        from syndicator.posts.queue import ReviewQueue

        settings = self.settings
        return ReviewQueue(
            self.migrated_engine(), self.renderer, settings.channels, self.feeds(), settings.reach
        )

    def connectors(self) -> tuple[dict[str, Connector], dict[str, str]]:
        """The enabled channels' connectors, and why any enabled channel has none. Built once
        per App: a connector remembers things between ticks (Facebook's self-pause at 90 %
        usage, Zalo's token in hand)."""
        with self._building:
            return self._connectors

    @cached_property
    def _connectors(self) -> tuple[dict[str, Connector], dict[str, str]]:
        from connectors.registry import kind_of

        built: dict[str, Connector] = {}
        missing: dict[str, str] = {}
        for name, channel in self.settings.channels.items():
            if not channel.enabled:
                continue
            try:
                built[name] = kind_of(channel.type).build(channel, self._wiring(name))
            except ChannelUnavailable as why:
                missing[name] = str(why)
            except SettingsProblem as problem:
                raise ConfigError(str(problem)) from None
        return built, missing

    def _wiring(self, name: str) -> Wiring:
        """What a kind needs from here to build the connector of channel `name`."""
        from storage.publishing import SqlStepStore

        return Wiring(
            channel=name,
            session=self.http,
            clock=self.clock.now,
            timeout=self.settings.publishing.request_timeout.total_seconds(),
            resolve_path=self.settings.resolve_path,
            token_store=lambda make_pair: self._token_store(name, make_pair),
            step_store=lambda: SqlStepStore(self.migrated_engine(), self.clock.now),
            preview_page=lambda post: self._preview_page(name, post),
        )

    def _preview_page(self, channel: str, post: OutgoingPost) -> str:
        """The post's card as a page of its own (the sandbox's HTML file), as the admin page
        draws it."""
        from syndicator.posts.cards.page import page_of_outgoing

        return page_of_outgoing(self.migrated_engine(), channel, post)

    def _token_store(
        self, name: str, make_pair: Callable[[str, str, datetime], Any]
    ) -> SqlTokenStore:
        """The channel's encrypted token pair (the kind seeds it from its settings)."""
        from storage.tokens import SqlTokenStore, TokenKeyMismatch
        from syndicator.ops.keys import derived_fernet, master_key

        key = master_key(self.settings.resolve_path("var/secret.key"))
        store = SqlTokenStore(
            self.migrated_engine(),
            name,
            derived_fernet(key, "tokens"),
            self.settings.resolve_path(f"var/{name}.token.lock"),
            make_pair,
            self.clock.now,
        )
        try:
            store.current()
        except TokenKeyMismatch as error:
            raise ConfigError(str(error)) from None
        return store

    def token_lifetimes(self) -> dict[str, timedelta]:
        """How long each channel's stored refresh token lives, for channels whose kind rotates
        tokens (alerts warn before the end)."""
        from connectors.registry import kind_of

        lifetimes = {
            name: kind_of(channel.type).token_lifetime
            for name, channel in self.settings.channels.items()
        }
        return {name: life for name, life in lifetimes.items() if life is not None}

    def publisher(self) -> Publisher:
        """The one publisher of this App (one worker id, the same connectors every tick)."""
        with self._building:
            return self._publisher

    @cached_property
    def _publisher(self) -> Publisher:
        from syndicator.publish.publisher import Publisher

        connectors, _ = self.connectors()
        return Publisher(self.migrated_engine(), connectors, self.settings, self.clock)

    def poller(self) -> Poller:
        from syndicator.ingest.poller import Poller

        return Poller(
            parse=self.parser,
            posts=self.post_maker(),
            engine=self.migrated_engine(),
            fetcher=self.fetcher,
            clock=self.clock,
            polling=self.settings.polling,
            timezone=self.settings.timezone,
            robots=self.robots,
        )

    def close(self) -> None:
        parser = self.__dict__.get("parser")
        if parser is not None:
            from syndicator.ingest.parsepool import ParsePool

            if isinstance(parser, ParsePool):
                parser.close()
        if "http" in self.__dict__:
            self.http.close()
        if "engine" in self.__dict__:
            self.engine.dispose()


def build_app(config: Path, clock: Clock | None = None) -> App:
    return App(load_settings(config), clock or SystemClock())
