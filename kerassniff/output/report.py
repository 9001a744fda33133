"""The whole report: findings in the chosen format, the summary line, and where it goes.

The summary never says "All checks passed" about nothing: it counts the files
checked, those skipped for having no Keras in them, the notebooks skipped for
a kernel in another language, and the paths that could not be checked at all.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import click

from kerassniff.findings import Finding
from kerassniff.output import FORMATS
from kerassniff.registry import get_rule


@dataclass(frozen=True)
class Tally:
    """What the summary line counts."""

    checked: int  # files analysed
    skipped: int = 0  # found by walking a folder, but with no Keras in them
    problems: int = 0  # paths that could not be checked, internal errors
    not_python: int = 0  # notebooks whose kernel is another language (R, Julia)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render(findings: list[Finding], output_format: str, statistics: bool, quiet: bool, tally: Tally,
           unsafe_fixes: bool = False, problems: list[str] | None = None, fix_not_written: bool = False) -> str:
    """The report; ``fix_not_written`` (a ``--fix`` that could not write some file) replaces the advice to run
    ``--fix`` with the news that it could not be applied."""
    if statistics:
        counts = Counter(f.code for f in findings)
        lines = []
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            rule = get_rule(code)
            lines.append(f"{count:>5}  {code}  {rule.name if rule else ''}")
        return "\n".join(lines) + ("\n" if lines else "")
    text = FORMATS[output_format](findings, unsafe_fixes=unsafe_fixes, problems=problems or [])
    if output_format in ("concise", "full") and not quiet:
        text += summary(findings, tally)
        safe = sum(1 for f in findings if f.fix_applicability == "safe")
        unsafe = sum(1 for f in findings if f.fix_applicability == "unsafe")
        if safe or (unsafe and unsafe_fixes):
            fixable = safe + (unsafe if unsafe_fixes else 0)
            if fix_not_written:
                text += f"[*] {fixable} fixable, but the fix could not be applied (see above).\n"
            else:
                text += f"[*] {fixable} fixable with --fix{' --unsafe-fixes' if unsafe_fixes and unsafe else ''}.\n"
        if unsafe and not unsafe_fixes:
            text += f"({unsafe} more fixable with --unsafe-fixes; review those changes.)\n"
    return text


def summary(findings: list[Finding], tally: Tally) -> str:
    """The last line: what was found in how many files, and what could not be checked."""
    checked = f"{plural(tally.checked, 'file')} checked"
    if tally.skipped:
        checked += f"; {plural(tally.skipped, 'file')} without Keras skipped"
    if tally.not_python:
        checked += f"; {plural(tally.not_python, 'notebook')} with a non-Python kernel skipped"
    if findings:
        files = len({f.path for f in findings})
        line = f"Found {plural(len(findings), 'finding')} in {plural(files, 'file')} ({checked})"
    elif tally.problems:
        line = f"No findings in the {checked}"
    elif tally.checked == 0 and tally.skipped == 0 and tally.not_python == 0:
        return "No Python files checked.\n"
    else:
        line = f"All checks passed ({checked})"
    if tally.problems:
        line += f"; {plural(tally.problems, 'path')} could not be checked (see above)"
    return line + ".\n"


def emit(text: str, output_file: str | None) -> bool:
    """Print or write the report; False (after one line on stderr) when the output file cannot be written."""
    if not output_file:
        click.echo(text, nl=False)
        return True
    try:
        with open(output_file, "w", encoding="utf-8") as stream:
            stream.write(text)
    except OSError as error:
        click.echo(f"kerassniff: cannot write the report to {output_file}: {error.strerror or error}", err=True)
        return False
    return True
