"""The design record lives in the repository: code cites docs/architecture.md by anchor, and every anchor it
cites is a heading there. The brief outside the repository is not cited any more."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURE = ROOT / "docs" / "architecture.md"
SOURCE_SUFFIXES = frozenset({".py", ".js", ".html", ".css", ".md", ".toml", ".yml", ".yaml", ".txt", ".json"})
SKIPPED_DIRS = frozenset({".git", ".venv", "venv", "var", "vendor", "node_modules", "__pycache__", "docs"})
OUTSIDE_BRIEF = "DESIGN" + ".md"  # spelled apart so that this file does not cite it
CITATION = re.compile(r"docs/architecture\.md#([A-Za-z0-9_-]+)")


def slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    """The anchors of every heading, numbered as GitHub numbers repeats (`name`, `name-1`, ...)."""
    seen: dict[str, int] = {}
    found: set[str] = set()
    in_code = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if in_code or not (match := re.match(r"#{1,6} (.+)", line)):
            continue
        base = slug(match.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def citations(text: str) -> list[str]:
    return CITATION.findall(text)


def source_files() -> list[Path]:
    return [
        path
        for path in sorted(ROOT.rglob("*"))
        if path.is_file()
        and path.suffix in SOURCE_SUFFIXES
        and not SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts)
        and path != Path(__file__).resolve()
    ]


def test_slugs_follow_github() -> None:
    assert slug("Capacity") == "capacity"
    assert slug("Data, time and scale") == "data-time-and-scale"
    assert slug("To update after issue 11") == "to-update-after-issue-11"
    assert anchors("# A\n## B c\n```\n# not a heading\n```\n## B c\n") == {"a", "b-c", "b-c-1"}


def test_a_citation_of_a_missing_heading_is_found() -> None:
    cited = citations("see docs/architecture.md#capacity and docs/architecture.md#no-such-section.")
    assert cited == ["capacity", "no-such-section"]
    assert set(cited) - anchors("## Capacity\n") == {"no-such-section"}


def test_nothing_cites_the_brief_outside_the_repository() -> None:
    citing = [str(path.relative_to(ROOT)) for path in source_files() if OUTSIDE_BRIEF in path.read_text("utf-8")]
    assert citing == [], f"cite docs/architecture.md#<section> instead of {OUTSIDE_BRIEF} in {citing}"


def test_every_cited_anchor_is_a_heading_of_the_architecture() -> None:
    headings = anchors(ARCHITECTURE.read_text("utf-8"))
    cited = {
        (str(path.relative_to(ROOT)), anchor)
        for path in [*source_files(), ARCHITECTURE]
        for anchor in citations(path.read_text("utf-8"))
    }
    assert cited, "the code cites docs/architecture.md sections; finding none means the search is broken"
    missing = sorted((path, anchor) for path, anchor in cited if anchor not in headings)
    assert missing == [], f"cited but not a heading of docs/architecture.md: {missing}"


def test_the_architectures_own_links_point_at_its_headings() -> None:
    text = ARCHITECTURE.read_text("utf-8")
    links = set(re.findall(r"\]\(#([A-Za-z0-9_-]+)\)", text))
    assert links, "the architecture links its own sections"
    assert links - anchors(text) == set()
