"""`syndicator queue list|show|approve|reject|edit|rerender`: the review queue from the command
line."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from pathlib import Path

import click

from storage import posts as post_store
from storage.models import Item, Post
from storage.session import reading
from syndicator.app import App
from syndicator.cli.context import Context
from syndicator.cli.output import emit_json
from syndicator.cli.params import ROW_ID
from syndicator.errors import SyndicatorError
from syndicator.posts.maker import FAILED, PENDING, STATUSES, refused_by_platform
from syndicator.posts.render import Rendered
from syndicator.posts.review import describe
from syndicator.posts.slots import next_slots


@click.group()
def queue() -> None:
    """Review posts before they are published."""


def _actor(by: str | None) -> str:
    return by or getpass.getuser()


@queue.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only posts in this state.")
@click.option("--feed", metavar="ID", help="Only posts from this feed.")
@click.option("--channel", metavar="NAME", help="Only posts for this channel.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per post on stdout.")
@click.pass_obj
def list_posts(
    ctx: Context, status: str | None, feed: str | None, channel: str | None, as_json: bool
) -> None:
    """Posts, newest first, with the next publishing slot of approved ones."""
    app = ctx.app()
    engine = app.migrated_engine()
    with reading(engine) as session:
        rows = post_store.listing(session, status=status, feed=feed, channel=channel)
    slots = next_slots(engine, app.settings, app.clock.now())
    for post, item in rows:
        record = {
            "id": post.id,
            "item_id": post.item_id,
            "channel": post.channel,
            "status": post.status,
            "feed": post.feed_id,
            "title": item.title,
            "url": item.link,
            "flags": post.flags,
            "next_slot": slots.get(post.id or 0),
        }
        if as_json:
            emit_json(record)
        else:
            slot = (
                f"  next slot {record['next_slot']:%Y-%m-%d %H:%M} UTC"
                if record["next_slot"]
                else ""
            )
            flags = f"  [{', '.join(post.flags)}]" if post.flags else ""
            click.echo(
                f"{post.id:>6}  {post.status:<15} {post.channel:<10} {post.feed_id:<16} "
                f"{item.title[:70]}{flags}{slot}"
            )


@queue.command("show")
@click.argument("post_id", type=ROW_ID)
@click.pass_obj
def show(ctx: Context, post_id: int) -> None:
    """The post as it will appear, why it waits, and its history."""
    app = ctx.app()
    with reading(app.migrated_engine()) as session:
        found = post_store.with_items(session, [post_id])
        if not found:
            raise SyndicatorError(f"no post {post_id}; `syndicator queue list` shows the ids")
        post, item = found[0]
        events = post_store.trail(session, post_id)
    click.echo(_header(post, item))
    click.echo(_appearance(post))
    if post.status == FAILED:
        click.echo(_failure(post, refused_by_platform(events)))
    if post.flags:
        click.echo("\nCần kiểm tra (why it waits):")
        for flag in post.flags:
            click.echo(f"  - {describe(flag)}  [{flag.partition(':')[0]}]")
    click.echo("\nHistory:")
    for event in events:
        click.echo(
            f"  {event.at:%Y-%m-%d %H:%M:%S} UTC  {event.actor:<16} {event.action:<8} "
            f"{event.from_status or '-'} -> {event.to_status}"
            + (f"  ({event.reason})" if event.reason else "")
        )


def _header(post: Post, item: Item) -> str:
    header = (
        f"Post {post.id} · {post.channel} · {post.status} · version {post.version} · "
        f"feed {post.feed_id} · item {post.item_id}\nSource: {item.link or '-'}"
    )
    if post.status != PENDING:
        return header
    return f"{header}\n(to approve this text: syndicator queue approve {post.id} --version {post.version})"


def _failure(post: Post, refused: bool) -> str:
    """Why publishing failed, and what an editor can do: Vietnamese first."""
    if refused:
        return (
            f"\nNền tảng từ chối bài: {post.last_error}\n"
            f"  Sửa bài (`syndicator queue edit {post.id}`) rồi duyệt lại (`syndicator queue "
            f"approve {post.id} --version {post.version}`); bài chưa được đăng.\n"
            "  (the platform refused the post: edit it and approve it again; nothing was published)"
        )
    return (
        f"\nĐăng không thành công sau nhiều lần thử: {post.last_error}\n"
        "  Bài có thể đã lên nền tảng nên không được gửi lại; kiểm tra trang, rồi dùng "
        f"`syndicator repost {post.item_id}` nếu cần.\n"
        "  (publishing gave up after errors; the post may be on the platform, so it is not resent)"
    )


def _appearance(post: Post) -> str:
    rendered = Rendered.from_json(post.rendered)
    lines = ["", "── As it will appear ──"]
    if rendered.error:
        lines += [
            f"(Mẫu bài đăng bị lỗi / template error: {rendered.error})",
            f"(Sửa mẫu rồi chạy `syndicator queue rerender {post.id}`, hoặc tự viết nội dung "
            f"bằng `syndicator queue edit {post.id}`; đến lúc đó bài không được duyệt hay đăng.)",
        ]
    if rendered.channel_type == "zalo":
        lines += [
            f"Tiêu đề: {rendered.title}",
            f"Tác giả: {rendered.author}",
            f"Mô tả: {rendered.description}",
            f"Ảnh bìa: {rendered.cover or '-'}",
            "",
        ]
    lines.append(post.edited_text if post.edited_text is not None else rendered.text)
    if rendered.link:
        lines.append(f"Link: {rendered.link}")
    if post.edited_text is not None:
        lines += ["", f"── Original rendering (edited by {post.edited_by}) ──", rendered.text]
    return "\n".join(lines)


@queue.command("approve")
@click.argument("post_ids", type=ROW_ID, nargs=-1, required=True)
@click.option(
    "--version",
    type=click.IntRange(0),
    metavar="N",
    help="The version `queue show` printed: refused if the post changed since (one post only).",
)
@click.option("--by", metavar="NAME", help="Who approves (default: your user name).")
@click.pass_obj
def approve(ctx: Context, post_ids: tuple[int, ...], version: int | None, by: str | None) -> None:
    """Approve posts for publishing (the text as `queue show` printed it)."""
    if version is not None and len(post_ids) > 1:
        raise click.UsageError("--version names the version of one post: approve one id with it")
    app = ctx.app()
    queue_ = app.review_queue()
    _each(
        post_ids,
        lambda pid: queue_.approve(pid, _actor(by), app.clock.now(), version),
        "approved",
    )


@queue.command("reject")
@click.argument("post_ids", type=ROW_ID, nargs=-1, required=True)
@click.option("--reason", required=True, help="Why (kept in the post's history).")
@click.option("--by", metavar="NAME", help="Who rejects (default: your user name).")
@click.pass_obj
def reject(ctx: Context, post_ids: tuple[int, ...], reason: str, by: str | None) -> None:
    """Reject posts; the article will not come back from its feed."""
    if not reason.strip():
        raise click.UsageError("--reason must say why the post is rejected")
    app = ctx.app()
    queue_ = app.review_queue()
    _each(post_ids, lambda pid: queue_.reject(pid, _actor(by), reason, app.clock.now()), "rejected")


def _each(post_ids: tuple[int, ...], action: Callable[[int], object], done: str) -> None:
    """Apply to every id; report each; exit 1 if any failed (the others still happen)."""
    failed = 0
    for post_id in post_ids:
        try:
            action(post_id)
            click.echo(f"post {post_id}: {done}")
        except SyndicatorError as error:
            failed += 1
            click.echo(f"post {post_id}: {error}", err=True)
    if failed:
        raise SystemExit(1)


@queue.command("edit")
@click.argument("post_id", type=ROW_ID)
@click.option(
    "--text-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The new text (UTF-8); without it, $EDITOR opens the current text.",
)
@click.option("--by", metavar="NAME", help="Who edits (default: your user name).")
@click.pass_obj
def edit(ctx: Context, post_id: int, text_file: Path | None, by: str | None) -> None:
    """Change a post's text; the original rendering is kept beside it."""
    app = ctx.app()
    text = _read_text(text_file) if text_file else _from_editor(app, post_id)
    if text is None:
        click.echo("no change")
        return
    app.review_queue().edit(post_id, _actor(by), text, app.clock.now())
    click.echo(f"post {post_id}: edited; it waits for approval")


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8").strip()
    except UnicodeDecodeError as error:
        raise click.UsageError(
            f"{path} is not valid UTF-8 (byte {error.start}); save it as UTF-8"
        ) from None


def _from_editor(app: App, post_id: int) -> str | None:
    with reading(app.migrated_engine()) as session:
        post = post_store.get(session, post_id)
    if post is None:
        raise SyndicatorError(f"no post {post_id}; `syndicator queue list` shows the ids")
    current = post.edited_text or Rendered.from_json(post.rendered).text
    edited = click.edit(current)
    return None if edited is None or edited.strip() == current.strip() else edited.strip()


@queue.command("rerender")
@click.argument("post_ids", type=ROW_ID, nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every waiting post whose template failed.")
@click.option("--by", metavar="NAME", help="Who asks (default: your user name).")
@click.pass_obj
def rerender(ctx: Context, post_ids: tuple[int, ...], every: bool, by: str | None) -> None:
    """Render posts again with the templates as they are now (after fixing one)."""
    if bool(post_ids) == every:
        raise click.UsageError("name the posts to render again, or use --all (not both)")
    app = ctx.app()
    queue_ = app.review_queue()
    if every:
        with reading(app.migrated_engine()) as session:
            waiting = post_store.in_status(session, PENDING)
        post_ids = tuple(post.id or 0 for post in waiting if post.rendered.get("error"))
        if not post_ids:
            click.echo("no waiting post has a template error")
            return
    done = "rendered again; it waits for approval"
    _each(post_ids, lambda pid: queue_.rerender(pid, _actor(by), app.clock.now()), done)
