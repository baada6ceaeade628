"""Docs that must stay in step with the code."""

from __future__ import annotations

from pathlib import Path

from hawker.core.config import Settings, reference_markdown

DEPLOY = Path(__file__).parent.parent / "docs" / "deploy.md"


def test_every_setting_says_what_it_does() -> None:
    assert [n for n, f in Settings.model_fields.items() if not f.description] == []


def test_the_configuration_reference_in_deploy_md_is_current() -> None:
    text = DEPLOY.read_text()
    start_marker = "<!-- config-reference:start -->\n"
    start = text.index(start_marker) + len(start_marker)
    end = text.index("<!-- config-reference:end -->")
    assert text[start:end] == reference_markdown(), "run `hawker config-reference` into the doc"
