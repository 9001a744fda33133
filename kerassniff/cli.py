"""The command line: parse options, call :mod:`kerassniff.api`, print, exit.

Exit codes: 0 no findings, 1 findings, 2 usage, configuration or internal
error (a missing path, a bad pyproject.toml, a bug in kerassniff).
"""
from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

import click

from kerassniff import __version__
from kerassniff.api import RunResult, lint_bytes, print_internal_errors
from kerassniff.batch import lint_paths
from kerassniff.cache import Cache
from kerassniff.config import (
    Config,
    ConfigError,
    find_pyproject,
    load_config,
    validate_selectors,
)
from kerassniff.findings import Finding
from kerassniff.output import FORMATS
from kerassniff.registry import all_rules, get_rule
from kerassniff.rule_docs import rule_document


class KerassniffGroup(click.Group):
    """``kerassniff PATHS`` checks; ``kerassniff rule KS101`` explains.

    A first argument that names a subcommand but is also an existing path is
    treated as a path, so ``kerassniff rule`` still checks a folder named
    ``rule`` when there is one.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] not in self.commands or Path(args[0]).exists():
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        check_command = self.commands["check"]
        with click.Context(check_command, info_name=ctx.info_name, parent=None) as check_ctx:
            check_command.format_help(check_ctx, formatter)


def _split_codes(values: tuple[str, ...]) -> list[str]:
    return [code.strip().upper() for value in values for code in value.split(",") if code.strip()]


@click.group(cls=KerassniffGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """kerassniff: catch the silent bugs in Keras training scripts."""


@main.command("check", context_settings={"help_option_names": ["-h", "--help"]},
              epilog="Other commands: 'kerassniff rule KS101' prints a rule's document; 'kerassniff server' runs the editor server; "
                     "'kerassniff rule --all' lists the rules.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--output-format", type=click.Choice(sorted(FORMATS)), default="concise", show_default=True,
              help="How to print findings.")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write findings to this file instead of standard output.")
@click.option("--select", multiple=True, metavar="CODES", help="Only these rule codes or prefixes (comma-separated).")
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rule codes or prefixes (comma-separated).")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of the findings.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings and nothing else.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--stdin-filename", default=None, help="The path to report for source read from '-'.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Read [tool.kerassniff] from this pyproject.toml instead of the nearest one.")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option("--explain", metavar="CODE", default=None, help="Print the document of a rule and exit.")
@click.option("--show-model", is_flag=True, help="Print the semantic model kerassniff built of each file (debugging).")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=None,
              help="Worker processes for large runs (default: one per CPU core; 1: no workers).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the .kerassniff_cache folder.")
@click.option("--fix", "apply_fix", is_flag=True, help="Apply safe fixes to the files (written atomically).")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff, also apply fixes that change the model or loss (review them); "
                   "alone, mark those findings [*].")
@click.option("--diff", "show_diff", is_flag=True, help="Print the fixes as a unified diff; write nothing.")
@click.option("--dynamic", is_flag=True,
              help="Also run each training script for a few steps in a sandboxed child process to confirm findings.")
@click.option("--device", type=click.Choice(["auto", "cpu", "gpu"]), default="auto", show_default=True,
              help="Where dynamic mode builds and steps the model.")
@click.option("--dynamic-timeout", type=click.FloatRange(min=1), default=120.0, show_default=True,
              help="Seconds each script may run in dynamic mode.")
@click.option("--force-exclude", is_flag=True,
              help="Apply exclude settings to files named on the command line too (for pre-commit and editors).")
@click.version_option(__version__, "--version", prog_name="kerassniff")
def check(paths: tuple[str, ...], output_format: str, output_file: str | None, select: tuple[str, ...],
          ignore: tuple[str, ...], statistics: bool, quiet: bool, exit_zero: bool, stdin_filename: str | None,
          config_path: Path | None, isolated: bool, explain: str | None, show_model: bool, jobs: int | None,
          no_cache: bool, force_exclude: bool, apply_fix: bool, unsafe_fixes: bool, show_diff: bool, dynamic: bool,
          device: str, dynamic_timeout: float) -> None:
    """Check Keras training scripts for silent bugs.

    PATHS are files or folders (default: the current folder); '-' reads
    standard input.
    """
    if explain:
        sys.exit(_print_rule(explain))
    try:
        config = _configure(paths, select, ignore, config_path, isolated)
        config.force_exclude = force_exclude
    except ConfigError as error:
        click.echo(f"kerassniff: {error}", err=True)
        sys.exit(2)

    if (apply_fix or show_diff) and paths != ("-",):
        code = _fix(list(paths) or ["."], config, unsafe_fixes, show_diff)
        if show_diff:
            sys.exit(code)
        no_cache = True  # report what is left from the files as they are now
    if paths == ("-",):
        data = sys.stdin.buffer.read()
        result = RunResult([lint_bytes(data, stdin_filename or "-", config)], [])
    else:
        workers = jobs if jobs is not None else config.jobs
        # --show-model and --dynamic need every script's model, which cached results and workers do not carry
        needs_models = show_model or dynamic
        use_cache = config.cache and not no_cache and not needs_models
        result = lint_paths(list(paths) or ["."], config, jobs=1 if needs_models else workers or (os.cpu_count() or 1),
                            cache=Cache.for_config(config) if use_cache else None, keep_models=needs_models)
        if dynamic:
            _run_dynamic(result, config, device, dynamic_timeout, quiet)

    for missing in result.missing:
        click.echo(f"kerassniff: {missing}: no such file or directory", err=True)
    print_internal_errors(result)
    if show_model:
        from kerassniff.semantic.show import describe

        for file in result.files:
            if file.script is not None:
                click.echo(describe(file.script))
    findings = result.findings
    checked = sum(1 for f in result.files if not f.skipped)
    text = _render(findings, output_format, statistics, quiet, checked, unsafe_fixes)
    if output_file:
        Path(output_file).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    if result.missing or result.internal_errors:
        sys.exit(2)
    sys.exit(0 if exit_zero or not findings else 1)


def _configure(paths: tuple[str, ...], select: tuple[str, ...], ignore: tuple[str, ...], config_path: Path | None,
               isolated: bool) -> Config:
    if isolated:
        config = Config()
    else:
        anchor = Path(paths[0]) if paths and paths[0] != "-" and Path(paths[0]).exists() else Path.cwd()
        config = load_config(config_path or find_pyproject(anchor))
    if select:
        codes = _split_codes(select)
        validate_selectors(codes, "--select")
        config.select = codes
    if ignore:
        codes = _split_codes(ignore)
        validate_selectors(codes, "--ignore")
        config.ignore = codes
    return config


def _run_dynamic(result: RunResult, config: Config, device: str, timeout: float, quiet: bool) -> None:
    """Confirm or refute each finding by running the scripts (see kerassniff/dynamic/)."""
    from kerassniff.dynamic.runner import (
        DynamicOptions,
        annotate,
        dynamic_findings,
        run_all,
    )

    scripts = [f.script for f in result.files if f.script is not None]
    if not quiet:
        click.echo(f"kerassniff: dynamic mode runs {len(scripts)} script(s) in a sandbox "
                   f"(device {device}, up to {timeout:g} s each)...", err=True)
    runs = run_all(scripts, DynamicOptions(device=device, timeout=timeout))
    for file in result.files:
        run = runs.get(file.path)
        if run is None:
            continue
        extra = dynamic_findings(file.path, run, file.findings, config)
        file.findings = annotate(file.findings, run) + extra
        if not quiet:
            where = (run.report.data.get("device") if run.report else None) or "?"
            if device == "gpu" and where == "cpu":
                where += " (no GPU visible to the framework)"
            click.echo(f"kerassniff: ran {file.path} in {run.seconds:.1f} s on {where} (isolation: {run.isolation})"
                       f"{': ' + run.reason if run.reason else ''}", err=True)


def _fix(paths: list[str], config: Config, unsafe: bool, diff_only: bool) -> int:
    """Apply (or, with --diff, print) the fixes; returns the exit code --diff uses (1: there are fixes)."""
    from kerassniff.discovery import collect
    from kerassniff.fixes import fix_file, write_atomically

    targets, _ = collect(paths, config)
    fixed_files = [f for f in (fix_file(t.path, config, unsafe) for t in targets) if f is not None]
    for fixed in fixed_files:
        if diff_only:
            click.echo(fixed.diff(), nl=False)
        else:
            write_atomically(fixed.path, fixed.fixed, fixed.encoding)
    count = sum(f.applied for f in fixed_files)
    verb = "Would fix" if diff_only else "Fixed"
    if count:
        click.echo(f"{verb} {count} finding{'s' if count != 1 else ''} in {len(fixed_files)} "
                   f"file{'s' if len(fixed_files) != 1 else ''}.", err=True)
    return 1 if diff_only and fixed_files else 0


def _render(findings: list[Finding], output_format: str, statistics: bool, quiet: bool, checked: int,
            unsafe_fixes: bool = False) -> str:
    if statistics:
        counts = Counter(f.code for f in findings)
        lines = []
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            rule = get_rule(code)
            lines.append(f"{count:>5}  {code}  {rule.name if rule else ''}")
        return "\n".join(lines) + ("\n" if lines else "")
    text = FORMATS[output_format](findings, unsafe_fixes=unsafe_fixes)
    if output_format in ("concise", "full") and not quiet:
        files = len({f.path for f in findings})
        plural = "s" if checked != 1 else ""
        if findings:
            text += (f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''} in {files} "
                     f"file{'s' if files != 1 else ''} ({checked} file{plural} checked).\n")
        else:
            text += f"All checks passed ({checked} file{plural} checked).\n"
        safe = sum(1 for f in findings if f.fix_applicability == "safe")
        unsafe = sum(1 for f in findings if f.fix_applicability == "unsafe")
        if safe or (unsafe and unsafe_fixes):
            fixable = safe + (unsafe if unsafe_fixes else 0)
            text += f"[*] {fixable} fixable with --fix{' --unsafe-fixes' if unsafe_fixes and unsafe else ''}.\n"
        if unsafe and not unsafe_fixes:
            text += f"({unsafe} more fixable with --unsafe-fixes; review those changes.)\n"
    return text


def _print_rule(code: str) -> int:
    rule = get_rule(code)
    if rule is None:
        click.echo(f"kerassniff: unknown rule '{code}'; 'kerassniff rule --all' lists them", err=True)
        return 2
    click.echo(rule_document(rule.code))
    return 0


@main.command("server")
def server_command() -> None:
    """Run the Language Server (LSP over stdio) for editors; needs the 'lsp' extra."""
    try:
        from kerassniff.lsp_server import main as serve
    except ImportError as error:
        click.echo(f"kerassniff: the editor server needs pygls ({error.name} is missing): "
                   f"pip install 'kerassniff[lsp]'", err=True)
        sys.exit(2)
    serve()


@main.command("rule")
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="List every rule.")
def rule_command(code: str | None, show_all: bool) -> None:
    """Print the document of rule CODE, or list every rule with --all."""
    if show_all or not code:
        for rule in all_rules():
            click.echo(f"{rule.code}  {rule.name:<38} {rule.severity.value:<8} {rule.summary}")
        return
    sys.exit(_print_rule(code))


if __name__ == "__main__":  # pragma: no cover
    main()
