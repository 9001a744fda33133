"""``kerassniff server``: a Language Server that publishes kerassniff's findings as diagnostics.

Built on pygls (the ``lsp`` extra), imported only when the server starts.  The
server lints the editor's buffer (not the file on disk) on open, on change
(debounced: a burst of keystrokes gives one lint) and on save; results for a
document version the editor has already moved past are dropped.  It reads the
same ``[tool.kerassniff]`` configuration as the command line and never runs
dynamic mode.  Code actions: the rule's automatic fix where it has one, and
"disable KSxxx for this line" (a ``# noqa: KSxxx`` comment).
"""
from __future__ import annotations

import asyncio
import re
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from kerassniff import __version__
from kerassniff.api import FileResult, lint_source
from kerassniff.config import Config, ConfigError, find_pyproject, load_config
from kerassniff.findings import Finding, Severity
from kerassniff.fixes import Fix, apply_fixes

DEBOUNCE_SECONDS = 0.25
SOURCE = "kerassniff"
_SEVERITY = {Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning,
             Severity.INFO: types.DiagnosticSeverity.Information}
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+\d+(?:\s*,\s*[A-Z]+\d+)*))?", re.IGNORECASE)


class KerassniffServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(SOURCE, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.pending: dict[str, asyncio.Task] = {}
        self.linted: dict[str, tuple[int | None, FileResult]] = {}  # uri -> (document version, last published lint)
        self.configs: dict[Path, Config] = {}

    def config_for(self, path: str) -> Config:
        folder = Path(path).parent if path else Path.cwd()
        if folder not in self.configs:
            try:
                self.configs[folder] = load_config(find_pyproject(folder)) if folder.is_dir() else Config()
            except ConfigError as error:
                self.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"kerassniff: {error}"))
                self.configs[folder] = Config()
        return self.configs[folder]

    def lint(self, uri: str) -> None:
        document = self.workspace.get_text_document(uri)
        version = document.version
        result = lint_source(document.source, document.path or uri, self.config_for(document.path), explicit=True)
        if self.workspace.get_text_document(uri).version != version:
            return  # the editor moved on while we worked: a newer lint will publish
        self.linted[uri] = (version, result)
        lines = document.source.splitlines()
        diagnostics = [to_diagnostic(f, lines, self) for f in result.findings if f.cell is None]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=diagnostics))

    def schedule(self, uri: str) -> None:
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()

        async def later() -> None:
            await asyncio.sleep(DEBOUNCE_SECONDS)
            self.pending.pop(uri, None)
            self.lint(uri)

        self.pending[uri] = asyncio.get_running_loop().create_task(later())


def _units(server: LanguageServer, text: str) -> int:
    return server.workspace.position_codec.client_num_units(text)


def to_diagnostic(finding: Finding, lines: list[str], server: LanguageServer) -> types.Diagnostic:
    def position(line: int, column: int) -> types.Position:
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        return types.Position(line=max(line - 1, 0), character=_units(server, text[: max(column - 1, 0)]))

    return types.Diagnostic(
        range=types.Range(start=position(finding.line, finding.column), end=position(finding.end_line, finding.end_column)),
        severity=_SEVERITY[finding.severity],
        code=finding.code,
        code_description=types.CodeDescription(href=finding.url),
        source=SOURCE,
        message=finding.message,
        data={"fix": finding.fix_message, "applicability": finding.fix_applicability},
    )


def noqa_edit(line_text: str, line: int, code: str, server: LanguageServer) -> types.TextEdit:
    """Add ``code`` to the line's ``# noqa: ...`` comment, or append one."""
    match = _NOQA.search(line_text)
    if match and match.group("codes"):
        start, end = match.span("codes")
        new_text = f"{match.group('codes')}, {code}"
    elif match:
        start, end = match.span()
        new_text = f"# noqa: {code}"  # a bare '# noqa' would already silence it; keep it explicit
    else:
        stripped = line_text.rstrip()
        start = end = len(stripped)
        new_text = f"  # noqa: {code}"
    return types.TextEdit(range=types.Range(types.Position(line, _units(server, line_text[:start])),
                                            types.Position(line, _units(server, line_text[:end]))), new_text=new_text)


def code_actions(server: KerassniffServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    document = server.workspace.get_text_document(uri)
    lines = document.source.splitlines()
    actions: list[types.CodeAction] = []
    findings = server.linted[uri][1].findings if uri in server.linted else []
    for diagnostic in params.context.diagnostics:
        if diagnostic.source != SOURCE or not isinstance(diagnostic.code, str):
            continue
        line = diagnostic.range.start.line
        finding = next((f for f in findings if f.code == diagnostic.code and f.line - 1 == line), None)
        if finding is not None and isinstance(finding.fix, Fix):
            fixed = _fixed_source(server, uri, finding.fix)
            if fixed is not None:
                whole = types.Range(types.Position(0, 0), types.Position(len(lines) + 1, 0))
                actions.append(types.CodeAction(
                    title=f"Fix {finding.code}: {finding.fix.description}"
                          + ("" if finding.fix.safe else " (unsafe: review the change)"),
                    kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic], is_preferred=finding.fix.safe,
                    edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(range=whole, new_text=fixed)]})))
        line_text = lines[line] if line < len(lines) else ""
        actions.append(types.CodeAction(
            title=f"Disable {diagnostic.code} for this line", kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            edit=types.WorkspaceEdit(changes={uri: [noqa_edit(line_text, line, diagnostic.code, server)]})))
    return actions


def _fixed_source(server: KerassniffServer, uri: str, fix: Fix) -> str | None:
    """The buffer with one fix applied, if the fix was computed on the buffer as it is now."""
    version, result = server.linted.get(uri, (None, None))
    if result is None or result.script is None or version != server.workspace.get_text_document(uri).version:
        return None
    return apply_fixes(result.script.module, [fix])


def create_server() -> KerassniffServer:
    server = KerassniffServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: KerassniffServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: KerassniffServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: KerassniffServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.configs.clear()  # pyproject.toml may have been the file saved
        ls.lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: KerassniffServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        task = ls.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        ls.linted.pop(uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    def code_action(ls: KerassniffServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return code_actions(ls, params)

    return server


def main() -> None:
    create_server().start_io()
