"""`syndicator repost ITEM_ID|URL`: post an article again, as a new post linked to the last one."""

from __future__ import annotations

import getpass

import click

from syndicator.cli.context import Context
from syndicator.cli.params import UnknownFilter, item_id_or_url
from syndicator.services import repost as service
from syndicator.services.names import UnknownName


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
    actor = by or getpass.getuser()
    try:
        made = service.repost(ctx.app(), target, actor, channel, approve)
    except (UnknownName, service.NoChannel) as error:
        raise UnknownFilter(str(error)) from None
    except service.NothingToRepost as error:
        raise click.ClickException(str(error)) from None
    for post in made:
        state = "approved" if post.approved else "waiting for review"
        click.echo(f"post {post.post_id} on {post.channel}: {state}")
