"""`syndicator repost ITEM_ID|URL`: post an article again, as a new post linked to the last one."""

from __future__ import annotations

import getpass

import click

from storage import posts as post_store
from storage.session import writing
from syndicator.cli.context import Context
from syndicator.cli.params import item_id_or_url
from syndicator.config import Settings
from syndicator.errors import ConfigError
from syndicator.ingest.dedup import digest
from syndicator.ingest.normalize.urls import canonical_url
from syndicator.posts.maker import stored_item
from syndicator.settings_models import FeedSettings


@click.command()
@click.argument("target", metavar="ITEM_ID|URL", callback=item_id_or_url)
@click.option("--channel", metavar="NAME", help="Only this channel (default: the item's channels).")
@click.option(
    "--approve", is_flag=True, help="Approve at once instead of sending it through review."
)
@click.option("--by", metavar="NAME", help="Who asks (default: your user name).")
@click.pass_obj
def repost(
    ctx: Context, target: int | str, channel: str | None, approve: bool, by: str | None
) -> None:
    """Make a new post of an article (through review unless --approve)."""
    app = ctx.app()
    settings, now = app.settings, app.clock.now()
    actor = by or getpass.getuser()
    item_id, url_key = (
        (target, None) if isinstance(target, int) else (None, digest(canonical_url(target)))
    )
    with writing(app.migrated_engine()) as session:
        item = post_store.item_by(session, item_id, url_key)
        if item is None:
            raise click.ClickException(f"no stored article matches {target!r}")
        feed = _feed(settings, item.first_feed_id)
        channels = (
            [channel]
            if channel
            else (post_store.channels_of(session, item.id or 0) or list(feed.channels))
        )
        unknown = [name for name in channels if name not in settings.channels]
        if unknown or not channels:
            raise click.UsageError(f"no such channel: {', '.join(unknown) or '(none given)'}")
        maker = app.post_maker()
        made = [
            maker.repost(session, feed, stored_item(item), name, actor, approve, now)
            for name in channels
        ]
    for post_id, name in zip(made, channels, strict=True):
        click.echo(f"post {post_id} on {name}: {'approved' if approve else 'waiting for review'}")


def _feed(settings: Settings, feed_id: str) -> FeedSettings:
    try:
        return settings.feed(feed_id)
    except ConfigError:
        # The feed was removed from the settings since; the article is still ours to repost.
        return FeedSettings(id=feed_id, name=feed_id, url="https://removed.invalid/")
