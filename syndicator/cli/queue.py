"""`syndicator queue list|show|approve|reject|edit|rerender`: the review queue from the command
line. Parses arguments, calls syndicator.services.queue, formats what it returns."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from syndicator.cli.context import Context
from syndicator.cli.output import emit_json, local_time, short_title
from syndicator.cli.params import ROW_ID, UnknownFilter
from syndicator.services import queue as service
from syndicator.services.names import UnknownName
from syndicator.services.posts import Preview
from syndicator.services.queue import (
    PENDING,
    STATUSES,
    ActionResult,
    Failure,
    PostDetail,
    QueueRow,
)

TITLE_WIDTH = 70


@click.group()
def queue() -> None:
    """Review posts before they are published."""


def _actor(by: str | None) -> str:
    return by or getpass.getuser()


@queue.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only posts in this state.")
@click.option("--feed", metavar="ID", help="Only posts from this feed.")
@click.option("--channel", metavar="NAME", help="Only posts for this channel.")
@click.option(
    "--flagged",
    is_flag=True,
    help='Only posts waiting with a reason to check besides the feed\'s review = "required".',
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per post on stdout.")
@click.pass_obj
def list_posts(
    ctx: Context,
    status: str | None,
    feed: str | None,
    channel: str | None,
    flagged: bool,
    as_json: bool,
) -> None:
    """Posts, newest first, with the next publishing slot of approved ones."""
    app = ctx.app()
    try:
        rows = service.list_posts(app, status=status, feed=feed, channel=channel, flagged=flagged)
    except UnknownName as error:
        raise UnknownFilter(str(error)) from None
    if as_json:
        for row in rows:
            emit_json(_record(row))
        return
    if not rows:
        click.echo("no posts")
    for row in rows:
        click.echo(_line(row, app.settings.timezone))


def _record(row: QueueRow) -> dict[str, object]:
    return {
        "id": row.id,
        "item_id": row.item_id,
        "channel": row.channel,
        "status": row.status,
        "feed": row.feed,
        "title": row.title,
        "url": row.url,
        "flags": list(row.flags),
        "next_slot": row.next_slot,
    }


def _line(row: QueueRow, timezone: str) -> str:
    slot = f"  next slot {local_time(row.next_slot, timezone)}" if row.next_slot else ""
    reasons = f"  [{', '.join(row.reasons)}]" if row.reasons else ""
    return (
        f"{row.id:>6}  {row.status:<15} {row.channel:<10} {row.feed:<16} "
        f"{short_title(row.title, TITLE_WIDTH)}{reasons}{slot}"
    )


@queue.command("show")
@click.argument("post_id", type=ROW_ID)
@click.pass_obj
def show(ctx: Context, post_id: int) -> None:
    """The post as it will appear, why it waits, and its history."""
    app = ctx.app()
    post = service.show_post(app, post_id)
    timezone = app.settings.timezone
    click.echo(_header(post, timezone))
    click.echo(_appearance(post.id, post.preview))
    if post.failure is not None:
        click.echo(_failure(post, post.failure))
    if post.reasons:
        click.echo("\nCần kiểm tra (why it waits):")
        for reason in post.reasons:
            click.echo(f"  - {reason.text}  [{reason.code}]")
    click.echo("\nHistory:")
    for event in post.history:
        click.echo(
            f"  {local_time(event.at, timezone, seconds=True)}  {event.actor:<16} "
            f"{event.action:<8} {event.from_status or '-'} -> {event.to_status}"
            + (f"  ({event.reason})" if event.reason else "")
        )


def _header(post: PostDetail, timezone: str) -> str:
    header = (
        f"Post {post.id} · {post.channel} · {post.status} · version {post.version} · "
        f"feed {post.feed} · item {post.item_id}\nSource: {post.source_url or '-'}"
    )
    if post.next_slot is not None:
        header += f"\nNext slot: {local_time(post.next_slot, timezone)}"
    if post.status != PENDING:
        return header
    return f"{header}\n(to approve this text: syndicator queue approve {post.id} --version {post.version})"


def _failure(post: PostDetail, failure: Failure) -> str:
    """Why publishing failed, and what an editor can do: Vietnamese first."""
    if failure.refused:
        return (
            f"\nNền tảng từ chối bài: {failure.error}\n"
            f"  Sửa bài (`syndicator queue edit {post.id}`) rồi duyệt lại (`syndicator queue "
            f"approve {post.id} --version {post.version}`); bài chưa được đăng.\n"
            "  (the platform refused the post: edit it and approve it again; nothing was published)"
        )
    return (
        f"\nĐăng không thành công sau nhiều lần thử: {failure.error}\n"
        "  Bài có thể đã lên nền tảng nên không được gửi lại; kiểm tra trang, rồi dùng "
        f"`syndicator repost {post.item_id}` nếu cần.\n"
        "  (publishing gave up after errors; the post may be on the platform, so it is not resent)"
    )


def _appearance(post_id: int, preview: Preview) -> str:
    lines = ["", "── As it will appear ──"]
    if preview.template_error:
        lines += [
            f"(Mẫu bài đăng bị lỗi / template error: {preview.template_error})",
            f"(Sửa mẫu rồi chạy `syndicator queue rerender {post_id}`, hoặc tự viết nội dung "
            f"bằng `syndicator queue edit {post_id}`; đến lúc đó bài không được duyệt hay đăng.)",
        ]
    if preview.fields:
        lines += [f"{label}: {value}" for label, value in preview.fields] + [""]
    lines.append(preview.text)
    if preview.link:
        lines.append(f"Link: {preview.link}")
    if preview.original_text is not None:
        lines += [
            "",
            f"── Original rendering (edited by {preview.edited_by}) ──",
            preview.original_text,
        ]
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
    _report(service.approve(ctx.app(), post_ids, _actor(by), version), "approved")


@queue.command("reject")
@click.argument("post_ids", type=ROW_ID, nargs=-1, required=True)
@click.option("--reason", required=True, help="Why (kept in the post's history).")
@click.option("--by", metavar="NAME", help="Who rejects (default: your user name).")
@click.pass_obj
def reject(ctx: Context, post_ids: tuple[int, ...], reason: str, by: str | None) -> None:
    """Reject posts; the article will not come back from its feed."""
    if not reason.strip():
        raise click.UsageError("--reason must say why the post is rejected")
    _report(service.reject(ctx.app(), post_ids, _actor(by), reason), "rejected")


def _report(results: list[ActionResult], done: str) -> None:
    """Report each post; exit 1 if any failed (the others still happened)."""
    for result in results:
        if result.ok:
            click.echo(f"post {result.post_id}: {done}")
        else:
            click.echo(f"post {result.post_id}: {result.error}", err=True)
    if not all(result.ok for result in results):
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
    text = _read_text(text_file) if text_file else _from_editor(service.text_to_edit(app, post_id))
    if text is None:
        click.echo("no change")
        return
    service.edit(app, post_id, _actor(by), text)
    click.echo(f"post {post_id}: edited; it waits for approval")


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8").strip()
    except UnicodeDecodeError as error:
        raise click.UsageError(
            f"{path} is not valid UTF-8 (byte {error.start}); save it as UTF-8"
        ) from None


def _from_editor(current: str) -> str | None:
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
    ids = service.template_failures(app) if every else list(post_ids)
    if not ids:
        click.echo("no waiting post has a template error")
        return
    _report(service.rerender(app, ids, _actor(by)), "rendered again; it waits for approval")
