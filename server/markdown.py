"""Organiser-written Markdown rendered to HTML that is safe to show the public."""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def render(text: str) -> str:
    """HTML from Markdown: raw HTML is not passed through, and the result is sanitised once more with nh3."""
    return nh3.clean(_parser.render(text), link_rel="noopener noreferrer nofollow")


def plain_text(text: str) -> str:
    """The words of a Markdown text without its markup, for places that show no HTML (calendar descriptions)."""
    blocks = re.sub(r"</(p|h[1-6]|ul|ol|pre|table|blockquote)>", r"</\1>\n", _parser.render(text))
    stripped = html.unescape(nh3.clean(blocks, tags=set()))
    return re.sub(r"\n{3,}", "\n\n", stripped).strip()
