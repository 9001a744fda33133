"""``kerassniff server``: a Language Server that publishes kerassniff's findings as diagnostics.

Built on pygls (the ``lsp`` extra), imported only when the server starts.  The
server lints the editor's buffer (not the file on disk) on open, on change and
on save, in worker processes (:mod:`kerassniff.lsp_worker`), so its own loop
always answers at once (a code action during a lint does not wait for it).

* Latency: after a keystroke the server waits 5% of what the document's last
  lint took (at most 0.3 s; a few ms for a small script), then lints; open
  and save lint at once.  A keystroke interrupts a lint of an older version, and
  a result for a version the editor has moved past is dropped: the newest
  version wins.  A worker parses only the module-level statements an edit
  changed (:mod:`kerassniff.lsp_reparse`) and lints with the garbage collector
  off, so a keystroke's lint costs about half of a whole one.
* Notebooks (LSP 3.17 ``notebookDocument/*``, as VS Code's Jupyter sends them):
  the Python code cells are linted as one script, as for ``.ipynb`` files, and
  diagnostics are published per cell, with positions inside the cell.
* Code actions: the rule's automatic fix, sent as minimal edits (the changed
  characters, not the whole document), and "disable KSxxx for this line" (a
  ``# noqa: KSxxx`` comment, read and extended as :mod:`kerassniff.suppressions`
  reads it).
* A finding's explanation is the diagnostic's related information.

It reads the same ``[tool.kerassniff]`` configuration as the command line and
never runs dynamic mode.
"""
from __future__ import annotations

import asyncio
import atexit
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from kerassniff import __version__
from kerassniff.api import load_config
from kerassniff.config import Config, ConfigError, find_pyproject
from kerassniff.findings import Finding, Severity
from kerassniff.lsp_worker import Edit, Job, Linter, Outcome
from kerassniff.suppressions import noqa_comment

SOURCE = "kerassniff"
FIX_WAIT_SECONDS = 10.0  # a code action waits this long at most for a fix computed after the diagnostics
NOTEBOOK_TYPE = "jupyter-notebook"
NOTEBOOK_SYNC = types.NotebookDocumentSyncOptions(
    notebook_selector=[types.NotebookDocumentFilterWithNotebook(
        notebook=NOTEBOOK_TYPE, cells=[types.NotebookCellLanguage(language="python")])],
    save=True)
_SEVERITY = {Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning,
             Severity.INFO: types.DiagnosticSeverity.Information}


# ---------------------------------------------------------------- what is linted

@dataclass
class Snapshot:
    """One document (or notebook) as it was sent to a worker."""

    key: str  # the text document's or the notebook's URI
    version: int | None
    job: Job
    documents: list[tuple[str, str, int | None]]  # (uri, text, version): the document, or the Python code cells
    notebook: bool = False

    def uri_of_cell(self, cell: int | None) -> str | None:
        if not self.notebook:  # an .ipynb opened as text: its findings' positions are in cells, not in the JSON
            return self.documents[0][0] if cell is None else None
        return self.documents[cell - 1][0] if cell is not None and 0 < cell <= len(self.documents) else None

    def text_of(self, uri: str) -> str:
        return next((text for u, text, _ in self.documents if u == uri), "")


@dataclass
class Linted:
    snapshot: Snapshot
    outcome: Outcome
    fixes_ready: asyncio.Event = field(default_factory=asyncio.Event)  # slow fix edits arrived (or none due)

    def findings_for(self, uri: str) -> list[tuple[int, Finding]]:
        return [(index, finding) for index, finding in enumerate(self.outcome.findings)
                if self.snapshot.uri_of_cell(finding.cell) == uri]


# ---------------------------------------------------------------- the server

class KerassniffServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(SOURCE, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                         notebook_document_sync=NOTEBOOK_SYNC)
        self.linter = Linter(self.snapshot, self.deliver, self.deliver_fixes)
        self.linted: dict[str, Linted] = {}  # key -> the last lint published
        self.cells_published: dict[str, set[str]] = {}  # notebook URI -> cell URIs given diagnostics
        self.configs: dict[Path, Config] = {}
        self.next_job = 0

    def config_for(self, path: str) -> Config:
        folder = Path(path).parent if path else Path.cwd()
        if folder not in self.configs:
            try:
                self.configs[folder] = load_config(find_pyproject(folder)) if folder.is_dir() else Config()
            except ConfigError as error:
                self.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"kerassniff: {error}"))
                self.configs[folder] = Config()
        return self.configs[folder]

    # -- versions and snapshots

    def open_document(self, uri: str):
        """The open text document (or notebook cell) at ``uri``; None when the editor has not opened it."""
        return self.workspace.text_documents.get(unquote(uri))  # the workspace keys documents by unquoted URI

    def current_version(self, key: str) -> tuple[bool, int | None]:
        """(open, version) of a text document or notebook."""
        notebook = self.workspace.get_notebook_document(notebook_uri=key)
        if notebook is not None:
            return True, notebook.version
        document = self.open_document(key)
        return (document is not None, document.version if document is not None else None)

    def snapshot(self, key: str) -> Snapshot | None:
        self.next_job += 1
        notebook = self.workspace.get_notebook_document(notebook_uri=key)
        if notebook is not None:
            return self._notebook_snapshot(key, notebook)
        document = self.open_document(key)
        if document is None:
            return None
        path = document.path or key
        job = Job(self.next_job, path, document.source, self.config_for(document.path))
        return Snapshot(key, document.version, job, [(key, document.source, document.version)])

    def _notebook_snapshot(self, key: str, notebook: types.NotebookDocument) -> Snapshot:
        cells = []
        for cell in notebook.cells:
            document = self.open_document(cell.document)
            if cell.kind == types.NotebookCellKind.Code and document is not None and \
                    document.language_id in (None, "", "python"):
                cells.append((cell.document, document.source, document.version))
        path = to_fs_path(key) or key
        if not path.lower().endswith(".ipynb"):
            path += ".ipynb"  # an untitled notebook: still linted as one
        # The notebook as nbformat 4 JSON, so that it is read exactly as an .ipynb file is
        text = json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "source": source, "outputs": [],
                                      "execution_count": None} for _, source, _ in cells],
                           "metadata": {"kernelspec": {"language": "python", "name": "python3"},
                                        "language_info": {"name": "python"}},
                           "nbformat": 4, "nbformat_minor": 5})
        config = self.config_for(path if Path(path).is_absolute() else "")
        return Snapshot(key, notebook.version, Job(self.next_job, path, text, config), cells, notebook=True)

    # -- results

    def deliver(self, snapshot: Snapshot, outcome: Outcome) -> None:
        if self.current_version(snapshot.key) != (True, snapshot.version):
            return  # the editor moved on while we worked: a newer lint will publish
        linted = Linted(snapshot, outcome)
        if not outcome.slow:
            linted.fixes_ready.set()
        previous = self.linted.get(snapshot.key)
        if previous is not None:
            previous.fixes_ready.set()  # wake code actions waiting on it: they will find it superseded
        self.linted[snapshot.key] = linted
        published = set()
        for uri, text, version in snapshot.documents:
            lines = text.splitlines()
            diagnostics = [to_diagnostic(f, lines, uri, self.units) for _, f in linted.findings_for(uri)]
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=diagnostics))
            published.add(uri)
        if snapshot.notebook:
            for uri in self.cells_published.get(snapshot.key, set()) - published:  # cells deleted since
                self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
            self.cells_published[snapshot.key] = published

    def deliver_fixes(self, snapshot: Snapshot, edits: dict[int, list[Edit]]) -> None:
        linted = self.linted.get(snapshot.key)
        if linted is not None and linted.snapshot is snapshot:
            linted.outcome.edits.update(edits)
            linted.outcome.slow = []
            linted.fixes_ready.set()

    def clear(self, key: str) -> None:
        self.linter.forget(key)
        linted = self.linted.pop(key, None)
        if linted is not None:
            linted.fixes_ready.set()
        uris = self.cells_published.pop(key, None) or {key}
        for uri in uris:
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def units(self, text: str) -> int:
        return self.workspace.position_codec.client_num_units(text)

    def shutdown(self) -> None:
        self.linter.stop()
        super().shutdown()


# ---------------------------------------------------------------- diagnostics and code actions

def to_diagnostic(finding: Finding, lines: list[str], uri: str, units: Callable[[str], int]) -> types.Diagnostic:
    """The finding as a diagnostic; ``units`` counts a text's length in the client's position units (UTF-16)."""
    def position(line: int, column: int) -> types.Position:
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        return types.Position(line=max(line - 1, 0), character=units(text[: max(column - 1, 0)]))

    where = types.Range(start=position(finding.line, finding.column),
                        end=position(finding.end_line, finding.end_column))
    related = None
    if finding.explanation:
        related = [types.DiagnosticRelatedInformation(location=types.Location(uri=uri, range=where),
                                                      message=finding.explanation)]
    return types.Diagnostic(
        range=where,
        severity=_SEVERITY[finding.severity],
        code=finding.code,
        code_description=types.CodeDescription(href=finding.url),
        source=SOURCE,
        message=finding.message,
        related_information=related,
        data={"fix": finding.fix_message, "applicability": finding.fix_applicability},
    )


def noqa_edit(line_text: str, line: int, code: str, units: Callable[[str], int]) -> types.TextEdit:
    """Add ``code`` to the line's ``# noqa: ...`` comment, or append one."""
    match = noqa_comment(line_text)
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
    return types.TextEdit(range=types.Range(types.Position(line, units(line_text[:start])),
                                            types.Position(line, units(line_text[:end]))), new_text=new_text)


def fix_edits(snapshot: Snapshot, edits: list[Edit],
              units: Callable[[str], int]) -> dict[str, list[types.TextEdit]] | None:
    """A fix's edits (code-point columns of the linted text) as LSP edits per document (UTF-16 columns)."""
    changes: dict[str, list[types.TextEdit]] = {}
    for cell, line, column, end_line, end_column, new_text in edits:
        uri = snapshot.uri_of_cell(cell)
        if uri is None:
            return None
        lines = snapshot.text_of(uri).splitlines()

        def position(row: int, col: int) -> types.Position:
            text = lines[row] if row < len(lines) else ""
            return types.Position(row, units(text[:col]))

        changes.setdefault(uri, []).append(types.TextEdit(
            range=types.Range(position(line, column), position(end_line, end_column)), new_text=new_text))
    return changes


async def code_actions(server: KerassniffServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    notebook = server.workspace.get_notebook_document(cell_uri=uri)
    key = notebook.uri if notebook is not None else uri
    document = server.workspace.get_text_document(uri)
    lines = document.source.splitlines()
    actions: list[types.CodeAction] = []
    for diagnostic in params.context.diagnostics:
        if diagnostic.source != SOURCE or not isinstance(diagnostic.code, str):
            continue
        line = diagnostic.range.start.line
        fix = await _fix_action(server, key, uri, diagnostic)
        if fix is not None:
            actions.append(fix)
        line_text = lines[line] if line < len(lines) else ""
        actions.append(types.CodeAction(
            title=f"Disable {diagnostic.code} for this line", kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            edit=types.WorkspaceEdit(changes={uri: [noqa_edit(line_text, line, diagnostic.code, server.units)]})))
    return actions


async def _fix_action(server: KerassniffServer, key: str, uri: str,
                      diagnostic: types.Diagnostic) -> types.CodeAction | None:
    """The finding's automatic fix, if it was computed on the buffer as it is now."""
    linted = server.linted.get(key)
    if linted is None or server.current_version(key) != (True, linted.snapshot.version):
        return None
    line = diagnostic.range.start.line
    found = next(((i, f) for i, f in linted.findings_for(uri)
                  if f.code == diagnostic.code and f.line - 1 == line and f.fix_message), None)
    if found is None:
        return None
    index, finding = found
    if index not in linted.outcome.edits and index in linted.outcome.slow:
        try:
            await asyncio.wait_for(linted.fixes_ready.wait(), FIX_WAIT_SECONDS)
        except asyncio.TimeoutError:
            return None
        if server.linted.get(key) is not linted:
            return None
    edits = linted.outcome.edits.get(index)
    changes = fix_edits(linted.snapshot, edits, server.units) if edits else None
    if not changes:
        return None
    safe = finding.fix_applicability == "safe"
    return types.CodeAction(
        title=f"Fix {finding.code}: {finding.fix_message}" + ("" if safe else " (unsafe: review the change)"),
        kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic], is_preferred=safe,
        edit=types.WorkspaceEdit(changes=changes))


# ---------------------------------------------------------------- input and wiring

class LenientInput:
    """The server's input, with a message body that is not valid UTF-8 repaired instead of failing.

    pygls would log a traceback and drop the message (and a dropped change puts
    the document out of step with the editor); a bad byte becomes U+FFFD and
    one line on stderr says so.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream

    def readline(self) -> bytes:
        return self.stream.readline()

    def read(self, size: int) -> bytes:
        data = self.stream.read(size)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            print(f"kerassniff: a message from the editor is not valid UTF-8 (byte {data[error.start]:#04x} at "
                  f"offset {error.start}); the bad bytes were replaced with U+FFFD", file=sys.stderr, flush=True)
            return data.decode("utf-8", errors="replace").encode("utf-8")
        return data


def create_server() -> KerassniffServer:
    server = KerassniffServer()

    @server.feature(types.INITIALIZED)
    def initialized(ls: KerassniffServer, params: types.InitializedParams) -> None:
        ls.linter.start()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: KerassniffServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.linter.request(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: KerassniffServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.linter.request(uri, ls.linter.debounce(uri, len(ls.workspace.get_text_document(uri).source)))

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: KerassniffServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.configs.clear()  # pyproject.toml may have been the file saved
        ls.linter.request(params.text_document.uri, 0, supersedes=False)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: KerassniffServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.clear(params.text_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def notebook_did_open(ls: KerassniffServer, params: types.DidOpenNotebookDocumentParams) -> None:
        ls.linter.request(params.notebook_document.uri, 0)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def notebook_did_change(ls: KerassniffServer, params: types.DidChangeNotebookDocumentParams) -> None:
        uri = params.notebook_document.uri
        linted = ls.linted.get(uri)
        size = len(linted.snapshot.job.text) if linted is not None else 0
        ls.linter.request(uri, ls.linter.debounce(uri, size))

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def notebook_did_save(ls: KerassniffServer, params: types.DidSaveNotebookDocumentParams) -> None:
        ls.configs.clear()
        ls.linter.request(params.notebook_document.uri, 0, supersedes=False)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def notebook_did_close(ls: KerassniffServer, params: types.DidCloseNotebookDocumentParams) -> None:
        ls.clear(params.notebook_document.uri)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    async def code_action(ls: KerassniffServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return await code_actions(ls, params)

    atexit.register(server.linter.stop)
    return server


def main() -> None:
    create_server().start_io(stdin=LenientInput(sys.stdin.buffer))
