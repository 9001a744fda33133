"""The command line: parse options, call :mod:`kerassniff.api`, print, exit.

Exit codes: 0 no findings, 1 findings, 2 usage, configuration or internal
error (a missing path, a link loop, a bad pyproject.toml, a report or fix that
cannot be written, a bug in kerassniff), 130 interrupted (Ctrl-C).  Bad input
gets one line on standard error, never a traceback.
"""
from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Callable

import click

from kerassniff import __version__
from kerassniff.api import (
    Cache,
    RunResult,
    Status,
    internal_error_message,
    known_codes,
    lint_bytes,
    lint_paths,
    load_config,
    print_internal_errors,
    rule_set,
)
from kerassniff.config import Config, ConfigError, find_pyproject, validate_selectors
from kerassniff.findings import Finding
from kerassniff.output import FORMATS
from kerassniff.output.report import Tally, emit, plural, render
from kerassniff.registry import all_rules, get_rule
from kerassniff.rule_docs import rule_document


class KerassniffGroup(click.Group):
    """``kerassniff PATHS`` checks; ``kerassniff rule KS101`` explains; ``kerassniff server`` serves.

    A subcommand's name always means the subcommand, even when the current
    folder holds a folder of that name (an editor that starts ``kerassniff
    server`` in such a project must get the server, not lint output on its
    pipe); such a path is checked as ``./server`` or ``kerassniff check server``.
    Anything else is handed to ``check``.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] not in self.commands:
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            # Ctrl-C: one line and the shell's code for SIGINT (128 + 2), not click's "Aborted!" and exit 1
            click.echo("kerassniff: interrupted", err=True)
            ctx.exit(130)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        check_command = self.commands["check"]
        with click.Context(check_command, info_name=ctx.info_name, parent=None) as check_ctx:
            check_command.format_help(check_ctx, formatter)


def _split_codes(values: tuple[str, ...]) -> list[str]:
    return [code.strip().upper() for value in values for code in value.split(",") if code.strip()]


@dataclass(frozen=True)
class ConfigOptions:
    """Which configuration applies, and the command line's changes to it."""

    select: tuple[str, ...]
    ignore: tuple[str, ...]
    config_path: Path | None
    isolated: bool
    force_exclude: bool


@dataclass(frozen=True)
class RunOptions:
    """How the files are analysed."""

    jobs: int | None
    no_cache: bool
    stdin_filename: str | None


@dataclass(frozen=True)
class FixOptions:
    apply_fix: bool  # --fix
    show_diff: bool  # --diff
    unsafe_fixes: bool


@dataclass(frozen=True)
class DynamicModeOptions:
    dynamic: bool
    device: str
    dynamic_timeout: float


@dataclass(frozen=True)
class ReportOptions:
    """How findings are printed, and what the exit code says."""

    output_format: str
    output_file: str | None
    statistics: bool
    quiet: bool
    exit_zero: bool
    show_model: bool
    unsafe_fixes: bool  # marks findings that --unsafe-fixes would fix [*]


@dataclass(frozen=True)
class CheckOptions:
    """Every option of ``check``, grouped by what reads it (click's keyword arguments, built by
    :func:`_grouped`)."""

    config: ConfigOptions
    run: RunOptions
    fix: FixOptions
    dynamic: DynamicModeOptions
    report: ReportOptions


_GROUP_TYPES = (ConfigOptions, RunOptions, FixOptions, DynamicModeOptions, ReportOptions)


def _grouped(function: Callable[..., None]) -> Callable[..., None]:
    """Let a click command receive one :class:`CheckOptions` instead of a keyword argument per option (an option
    may feed several groups: ``--unsafe-fixes`` both fixes and marks)."""

    @functools.wraps(function)
    def command(paths: tuple[str, ...], explain: str | None, **values: object) -> None:
        groups = [group(**{f.name: values[f.name] for f in fields(group)}) for group in _GROUP_TYPES]
        return function(paths, explain, CheckOptions(*groups))

    return command


@click.group(cls=KerassniffGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """kerassniff: catch the silent bugs in Keras training scripts."""


@main.command("check", context_settings={"help_option_names": ["-h", "--help"]},
              epilog="Commands: 'kerassniff check PATHS' is 'kerassniff PATHS' spelled out (use it, or './server', "
                     "for a path named like a command); 'kerassniff rule KS101' prints a rule's document and "
                     "'kerassniff rule --all' lists the rules; 'kerassniff server' runs the editor server.")
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
@click.version_option(__version__, "-V", "--version", prog_name="kerassniff")
@_grouped
def check(paths: tuple[str, ...], explain: str | None, options: CheckOptions) -> None:
    """Check Keras training scripts for silent bugs.

    PATHS are files or folders (default: the current folder); '-' reads
    standard input.
    """
    if explain:
        sys.exit(_print_rule(explain))
    try:
        config = _configure(paths, options.config)
        if options.dynamic.dynamic:
            _check_isolation_setting()
    except ConfigError as error:
        click.echo(f"kerassniff: {error}", err=True)
        sys.exit(2)
    if paths == ("-",):
        sys.exit(_check_stdin(config, options.run.stdin_filename or "-", options.report, options.fix))

    fix_failed = not_written = False
    no_cache = options.run.no_cache
    if options.fix.apply_fix or options.fix.show_diff:
        changed, fix_failed, not_written = _fix(list(paths) or ["."], config, options.fix)
        if options.fix.show_diff:
            sys.exit(2 if fix_failed else 1 if changed else 0)
        no_cache = True  # report what is left from the files as they are now
    workers = options.run.jobs if options.run.jobs is not None else config.jobs
    # --show-model and --dynamic need every script's model, which cached results and workers do not carry
    needs_models = options.report.show_model or options.dynamic.dynamic
    use_cache = config.cache and not no_cache and not needs_models
    rules = rule_set(config)
    result = lint_paths(list(paths) or ["."], config, jobs=1 if needs_models else workers or (os.cpu_count() or 1),
                        cache=Cache.for_config(config, rules) if use_cache else None, keep_models=needs_models,
                        rules=rules)
    if options.dynamic.dynamic:
        _run_dynamic(result, config, options.dynamic, options.report.quiet)

    sys.exit(_finish(result, options.report, fix_failed, not_written))


def _finish(result: RunResult, report: ReportOptions, fix_failed: bool, not_written: bool = False) -> int:
    """Report a run (problems on stderr, findings where asked) and return the exit code."""
    for problem in result.problems:
        click.echo(f"kerassniff: {problem}", err=True)
    print_internal_errors(result)
    if not result.files and not result.problems:
        # as ruff does: a warning and exit 0 (nothing was wrong, there was just nothing to check)
        click.echo("kerassniff: warning: no Python files found under the given path(s)", err=True)
    if report.show_model:
        from kerassniff.semantic.show import describe

        for file in result.files:
            if file.script is not None:
                click.echo(describe(file.script))
    findings = result.findings
    checked = sum(1 for f in result.files if not f.skipped)
    # what SARIF records as the invocation's notifications
    problems = [str(p) for p in result.problems]
    problems += [internal_error_message(r).splitlines()[0].removeprefix("kerassniff: ") for r in result.internal_errors]
    not_python = sum(1 for f in result.files if f.status is Status.NOT_PYTHON)
    tally = Tally(checked, len(result.files) - checked - not_python, len(problems), not_python)
    text = render(findings, report.output_format, report.statistics, report.quiet, tally, report.unsafe_fixes,
                  problems, fix_not_written=not_written)
    if not emit(text, report.output_file) or problems or fix_failed:
        return 2
    return 0 if report.exit_zero or not findings else 1


def _configure(paths: tuple[str, ...], options: ConfigOptions) -> Config:
    if options.isolated:
        config = Config()
    else:
        anchor = Path(paths[0]) if paths and paths[0] != "-" and Path(paths[0]).exists() else Path.cwd()
        config = load_config(options.config_path or find_pyproject(anchor))
    if options.select:
        codes = _split_codes(options.select)
        validate_selectors(codes, "--select", known_codes())
        config.select = codes
    if options.ignore:
        codes = _split_codes(options.ignore)
        validate_selectors(codes, "--ignore", known_codes())
        config.ignore = codes
    config.force_exclude = options.force_exclude
    return config


def _check_isolation_setting() -> None:
    """A mistyped KERASSNIFF_ISOLATION is a configuration error before anything runs, not a quiet ``auto``."""
    from kerassniff.dynamic.isolation import IsolationSettingError, requested

    try:
        requested()
    except IsolationSettingError as error:
        raise ConfigError(str(error)) from None


def _run_dynamic(result: RunResult, config: Config, options: DynamicModeOptions, quiet: bool) -> None:
    """Confirm or refute each finding by running the scripts (see kerassniff/dynamic/)."""
    device, timeout = options.device, options.dynamic_timeout
    from kerassniff.dynamic.runner import (
        DynamicOptions,
        annotate,
        dynamic_findings,
        run_all,
    )

    from kerassniff.dynamic.isolation import fallback_warning

    scripts = [f.script for f in result.files if f.script is not None]
    warning = fallback_warning() if scripts else None
    if warning:  # even with --quiet: the user asked for an isolation and does not get it
        click.echo(f"kerassniff: warning: {warning}", err=True)
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
            where = (run.measurements.data.get("device") if run.measurements else None) or "?"
            if device == "gpu" and where == "cpu":
                where += " (no GPU visible to the framework)"
            click.echo(f"kerassniff: ran {file.path} in {run.seconds:.1f} s on {where} (isolation: {run.isolation})"
                       f"{': ' + run.reason if run.reason else ''}", err=True)


def _fix(paths: list[str], config: Config, options: FixOptions) -> tuple[bool, bool, bool]:
    """Apply (or, with --diff, print) the fixes; returns (some file has fixes, some fix failed to be written (an
    error), some file's fixes were not written (a failure or a read-only file))."""
    unsafe, diff_only = options.unsafe_fixes, options.show_diff
    from kerassniff.discovery import collect
    from kerassniff.engine.fixing import FixWriteError, ReadOnlyFile, fix_file, write_fixed

    targets, _ = collect(paths, config)  # the paths' problems are reported by the check that follows
    fixed_files = [f for f in (fix_file(path, config, unsafe) for path in _one_name_per_file(t.path for t in targets))
                   if f is not None]
    written, failed = [], False
    for fixed in fixed_files:
        if diff_only:
            click.echo(fixed.diff(), nl=False)
            continue
        try:
            write_fixed(fixed.path, fixed.fixed, fixed.encoding)
        except ReadOnlyFile as error:  # the user protected it: say so, report its findings as usual
            click.echo(f"kerassniff: {error}", err=True)
        except FixWriteError as error:
            click.echo(f"kerassniff: {error}", err=True)
            failed = True
        else:
            written.append(fixed)
    done = fixed_files if diff_only else written
    count = sum(f.applied for f in done)
    if count:
        verb = "Would fix" if diff_only else "Fixed"
        click.echo(f"{verb} {plural(count, 'finding')} in {plural(len(done), 'file')}.", err=True)
    return bool(fixed_files), failed, len(written) < len(fixed_files) and not diff_only


def _one_name_per_file(paths) -> list[Path]:
    """The paths less those naming a file already named (hard links: one inode, several names), so that each file
    is fixed, and counted, once; the check that follows still reports every name."""
    seen: set[tuple[int, int]] = set()
    unique = []
    for path in paths:
        try:
            status = os.stat(path)
        except OSError:
            unique.append(path)  # the fix reports why it cannot read it
            continue
        if (status.st_dev, status.st_ino) not in seen:
            seen.add((status.st_dev, status.st_ino))
            unique.append(path)
    return unique


def _check_stdin(config: Config, display: str, report: ReportOptions, fixing: FixOptions) -> int:
    """``kerassniff -`` (editors, formatters, pipes).  As ruff does, ``--diff -`` prints the diff of the fixes
    (exit 1 when there are some), and ``--fix -`` prints the whole fixed code on standard output and the findings
    left on standard error (exit 1 when some are left)."""
    data = sys.stdin.buffer.read()
    if not (fixing.apply_fix or fixing.show_diff):
        findings = RunResult([lint_bytes(data, display, config)]).findings
        if not emit(_render(findings, report), report.output_file):
            return 2
        return 0 if report.exit_zero or not findings else 1
    from kerassniff.engine.fixing import FixedFile, fix_text
    from kerassniff.sources import SourceText, decode_source

    source = decode_source(data)
    fixed, applied = (source.text, 0) if not isinstance(source, SourceText) else fix_text(
        source.text, display, config, fixing.unsafe_fixes)
    if fixing.show_diff:
        if isinstance(source, SourceText) and applied:
            click.echo(FixedFile(Path(display), source.text, fixed, source.encoding, applied).diff(), nl=False)
            click.echo(f"Would fix {plural(applied, 'finding')}.", err=True)
        return 1 if applied else 0
    fixed_data = fixed.encode(source.encoding) if isinstance(source, SourceText) else data
    sys.stdout.buffer.write(fixed_data)
    sys.stdout.buffer.flush()
    if applied:
        click.echo(f"Fixed {plural(applied, 'finding')}.", err=True)
    left = RunResult([lint_bytes(fixed_data, display, config)]).findings
    text = _render(left, report)
    if report.output_file:
        if not emit(text, report.output_file):
            return 2
    else:
        click.echo(text, nl=False, err=True)
    return 0 if report.exit_zero or not left else 1


def _render(findings: list[Finding], report: ReportOptions) -> str:
    """One file's report (standard input)."""
    return render(findings, report.output_format, report.statistics, report.quiet, Tally(1), report.unsafe_fixes)


def _print_rule(code: str) -> int:
    rule = get_rule(code)
    if rule is None:
        click.echo(f"kerassniff: unknown rule '{code}'; 'kerassniff rule --all' lists them", err=True)
        return 2
    click.echo(rule_document(rule.code, f"{rule.code} {rule.name}: {rule.summary}"))
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
