"""Organiser-written Markdown rendered to HTML that is safe to show the public."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
# Hosts whose images a text may show besides the site's own (MARKDOWN_IMAGE_HOSTS); set once by the app.
_image_hosts: frozenset[str] = frozenset()


def allow_image_hosts(hosts: Iterable[str]) -> None:
    global _image_hosts
    _image_hosts = frozenset(hosts)


def image_allowed(src: str) -> bool:
    """A path on this site, or https from an allowed host: a remote image is a tracking pixel unless allowed."""
    if "\\" in src:
        return False  # browsers read `/\host` as `//host`
    parts = urlsplit(src)
    if not parts.scheme and not parts.netloc:
        return True
    return parts.scheme == "https" and parts.netloc.lower() in _image_hosts


def _image(renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    if image_allowed(str(token.attrGet("src") or "")):
        return renderer.image(tokens, idx, options, env)
    return html.escape(renderer.renderInlineAsText(token.children or [], options, env))  # its alt text


_parser.add_render_rule("image", _image)


def render(text: str) -> str:
    """HTML from Markdown: raw HTML is not passed through, images from other hosts only from allowed ones, and the
    result is sanitised once more with nh3."""
    return nh3.clean(_parser.render(text), link_rel="noopener noreferrer nofollow")


def plain_text(text: str) -> str:
    """The words of a Markdown text without its markup, for places that show no HTML (calendar descriptions)."""
    blocks = re.sub(r"</(p|h[1-6]|ul|ol|pre|table|blockquote)>", r"</\1>\n", _parser.render(text))
    stripped = html.unescape(nh3.clean(blocks, tags=set()))
    return re.sub(r"\n{3,}", "\n\n", stripped).strip()
