"""Organiser-written Markdown rendered to HTML that is safe to show the public."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def render(text: str) -> str:
    """HTML from Markdown: raw HTML is not passed through, and the result is sanitised once more with nh3."""
    return nh3.clean(_parser.render(text), link_rel="noopener noreferrer nofollow")
