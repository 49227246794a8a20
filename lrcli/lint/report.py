"""Findings as text: one line each (`path:line:col: LEVEL CODE message (fix: …)`), JSON, or GitHub Actions
workflow commands (`::error file=…,line=…,col=…,title=…::…`), which annotate the pull request's diff."""

from __future__ import annotations

import json
from collections.abc import Sequence

from lrcli.lint.finding import LEVELS, Finding

FORMATS = ("text", "json", "github")
GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _where(finding: Finding) -> str:
    return f"{finding.path}:{finding.line}:{finding.column}" if finding.line else finding.path


def text_lines(findings: Sequence[Finding], checked: int) -> list[str]:
    """One line per finding, then a summary line: counts by level and how many configs were checked."""
    lines = [f"{_where(f)}: {f.level} {f.code} {f.message} (fix: {f.fix})" for f in findings]
    counts = {level: sum(1 for f in findings if f.level == level) for level in LEVELS}
    summary = ", ".join(f"{count} {level}{'s' if count != 1 else ''}" for level, count in counts.items())
    lines.append(f"{checked} config{'s' if checked != 1 else ''} checked: {summary}")
    return lines


def json_text(findings: Sequence[Finding], checked: int) -> str:
    """{"checked": N, "findings": [{code, level, path, line, column, message, fix}, …]}."""
    records = [
        {"code": f.code, "level": f.level, "path": f.path, "line": f.line or None, "column": f.column or None,
         "message": f.message, "fix": f.fix}
        for f in findings
    ]
    return json.dumps({"checked": checked, "findings": records}, indent=2, ensure_ascii=False)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_lines(findings: Sequence[Finding]) -> list[str]:
    """GitHub Actions workflow commands, escaped as the runner expects (`%`, CR, LF; also `:` and `,` in properties)."""
    lines = []
    for f in findings:
        props = [f"file={_escape_property(f.path)}"]
        if f.line:
            props += [f"line={f.line}", f"col={f.column}"]
        props.append(f"title={_escape_property(f'lrcli {f.code}')}")
        lines.append(f"::{GITHUB_LEVEL[f.level]} {','.join(props)}::{_escape_data(f'{f.message} (fix: {f.fix})')}")
    return lines
