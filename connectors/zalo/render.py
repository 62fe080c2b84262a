"""A Zalo article from an item: title, author and description fitted to Zalo's limits, a cover,
and the body as HTML blocks (feed values escaped wherever they go into HTML)."""

from __future__ import annotations

import html

from markupsafe import Markup, escape

from connectors.rendering import Rendered, RenderInput, TextTools
from connectors.zalo.limits import LIMITS


def article_post(
    item: RenderInput, output: str, default_image: str | None, tools: TextTools
) -> Rendered:
    """The article; the template's `output` is its description."""
    flags: list[str] = []
    author = item.author or item.agency or item.feed_name
    title = tools.fit(tools.tidy(item.title), LIMITS["title"], flags)
    author = tools.fit(tools.tidy(author), LIMITS["author"], flags)
    description = tools.fit(tools.tidy(output), LIMITS["description"], flags)
    cover = tools.web_url(item.image) or default_image
    if cover is None:
        flags.append("no_image")
    body = body_blocks(item, tools)
    text = "\n".join(tools.html_to_text(b["content"]) for b in body if b["type"] == "text")
    return Rendered(
        "zalo", tools.tidy(text, keep_newlines=True), tools.web_url(item.url), title=title,
        author=author, description=description, cover=cover, body=body, flags=tuple(flags),
    )  # fmt: skip


def body_blocks(item: RenderInput, tools: TextTools) -> tuple[dict[str, str], ...]:
    """Zalo article blocks: the picture (unless the HTML shows it), the content, the source."""
    content = tools.sanitize_html(item.content_html, item.url)  # again: cheap, safe if skipped
    blocks: list[dict[str, str]] = []
    image = tools.web_url(item.image)
    if image and image not in html.unescape(content):
        blocks.append({"type": "image", "url": image, "caption": ""})
    if not content:
        lines = item.summary.splitlines()
        content = "".join(f"<p>{escape(line.strip())}</p>" for line in lines if line.strip())
    if content:
        blocks.append({"type": "text", "content": content})
    source = escape(item.feed_name)
    if tools.web_url(item.url):
        source = Markup('<a href="{}">{}</a>').format(item.url, item.feed_name)
    blocks.append({"type": "text", "content": f"<p>Nguồn: {source}</p>"})
    return tuple(blocks)


def edited_body(text: str) -> tuple[dict[str, str], ...]:
    """The body for an editor's plain text: one escaped paragraph per non-blank line."""
    return tuple(
        {"type": "text", "content": f"<p>{html.escape(line)}</p>"}
        for line in text.split("\n")
        if line.strip()
    )


def preview(rendered: Rendered) -> tuple[tuple[str, str], ...]:
    """The article's own fields as review screens show them, before its body text."""
    return (
        ("Tiêu đề", rendered.title),
        ("Tác giả", rendered.author),
        ("Mô tả", rendered.description),
        ("Ảnh bìa", rendered.cover or "-"),
    )
