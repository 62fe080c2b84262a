"""The composition root: builds settings, clock, database, HTTP session and services, and passes them in."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

import requests
import structlog
from sqlalchemy import Engine

from connectors.base import Connector
from connectors.sandbox import SandboxConnector
from storage import migrate
from storage.engine import make_engine
from storage.publishing import SqlStepStore
from storage.tokens import SqlTokenStore, TokenKeyMismatch
from syndicator.clock import Clock, SystemClock
from syndicator.config import Settings, load_settings
from syndicator.errors import ConfigError
from syndicator.http import build_session, user_agent
from syndicator.ingest.fetch import Fetcher
from syndicator.ingest.parsepool import ParsePool
from syndicator.ingest.poller import Poller
from syndicator.ops.keys import derived_fernet, master_key
from syndicator.posts.maker import PostMaker
from syndicator.posts.queue import ReviewQueue
from syndicator.posts.render import Renderer, RenderSettings
from syndicator.publish.publisher import Publisher
from syndicator.records import FeedParser
from syndicator.settings_models import ChannelSettings

log = structlog.get_logger("syndicator.app")


@dataclass
class App:
    """Everything a command needs, built lazily so `--help` and config errors stay fast."""

    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    _migrated: bool = field(default=False, init=False, repr=False)
    # The daemon's jobs run in threads; the first tick must not build two of anything.
    _building: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)

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
            allow_networks=polling.allow_networks,
        )

    @cached_property
    def parser(self) -> FeedParser:
        polling = self.settings.polling
        if polling.parse_processes == 0:
            from syndicator.ingest.parse import parse_feed  # only then does this process parse

            return parse_feed
        return ParsePool(
            polling.parse_processes, polling.parse_memory_mb, timeout=polling.parse_timeout
        )

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
        return ReviewQueue(
            self.migrated_engine(), self.renderer, self.settings.channels, self.settings.feeds
        )

    def connectors(self) -> tuple[dict[str, Connector], dict[str, str]]:
        """The enabled channels' connectors, and why any enabled channel has none. Built once
        per App: a connector remembers things between ticks (Facebook's self-pause at 90 %
        usage, Zalo's token in hand)."""
        with self._building:
            return self._connectors

    @cached_property
    def _connectors(self) -> tuple[dict[str, Connector], dict[str, str]]:
        built: dict[str, Connector] = {}
        missing: dict[str, str] = {}
        for name, channel in self.settings.channels.items():
            if not channel.enabled:
                continue
            if channel.type == "sandbox":
                built[name] = SandboxConnector(self.settings.resolve_path(channel.folder))
            elif channel.type == "facebook" and channel.page_token is not None:
                built[name] = self._facebook(name, channel)
            elif channel.type == "facebook":
                missing[name] = (
                    f"no Page token: set SYNDICATOR_CHANNELS__{name.upper()}__PAGE_TOKEN "
                    f"(or ..._PAGE_TOKEN_FILE)"
                )
            elif channel.type == "zalo":
                built[name] = self._zalo(name, channel)
        return built, missing

    def _facebook(self, name: str, channel: ChannelSettings) -> Connector:
        from connectors.facebook import FacebookConnector

        secret = channel.app_secret.get_secret_value() if channel.app_secret else None
        return FacebookConnector(
            self.http,
            graph_url=channel.graph_url,
            api_version=channel.api_version,
            page_id=channel.page_id,
            page_token=channel.page_token.get_secret_value() if channel.page_token else "",
            app_secret=secret,
            clock=self.clock.now,
            channel=name,
            timeout=self.settings.publishing.request_timeout.total_seconds(),
        )

    def _zalo(self, name: str, channel: ChannelSettings) -> Connector:
        from connectors.zalo import ZaloConnector

        if channel.app_secret is None:
            raise ConfigError(
                f"channels.{name}: no app secret; set "
                f"SYNDICATOR_CHANNELS__{name.upper()}__APP_SECRET"
            )
        tokens = self.token_store(name)
        return ZaloConnector(
            self.http,
            api_url=channel.api_url,
            oauth_url=channel.oauth_url,
            app_id=channel.app_id,
            app_secret=channel.app_secret.get_secret_value(),
            tokens=tokens,
            steps=SqlStepStore(self.migrated_engine(), self.clock.now),
            clock=self.clock.now,
            broadcast=channel.broadcast,
            channel=name,
            timeout=self.settings.publishing.request_timeout.total_seconds(),
        )

    def token_store(self, name: str) -> SqlTokenStore:
        """The channel's encrypted token pair, seeded once from the operator's refresh token."""
        from connectors.zalo_tokens import TokenPair

        key = master_key(self.settings.resolve_path("var/secret.key"))
        store = SqlTokenStore(
            self.migrated_engine(),
            name,
            derived_fernet(key, "tokens"),
            self.settings.resolve_path(f"var/{name}.token.lock"),
            TokenPair,
            self.clock.now,
        )
        try:
            store.current()
        except TokenKeyMismatch as error:
            raise ConfigError(str(error)) from None
        seed = self.settings.channels[name].refresh_token
        if seed is not None and store.seed(
            TokenPair("", seed.get_secret_value(), self.clock.now())
        ):
            log.info("token.seeded", channel=name)
        return store

    def publisher(self) -> Publisher:
        """The one publisher of this App (one worker id, the same connectors every tick)."""
        with self._building:
            return self._publisher

    @cached_property
    def _publisher(self) -> Publisher:
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
