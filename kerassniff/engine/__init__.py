"""The pipeline above the semantic model: lint one file, lint many, the cache, cross-script links, ``--fix``.

- :mod:`~kerassniff.engine.results`: what a run reports (:class:`FileResult`, :class:`Status`, :class:`RunResult`)
  and the transient :class:`Analysis` (the parsed script), dropped when done.
- :mod:`~kerassniff.engine.lint_file`: one file's text -> model -> rule reports -> filtered findings.
- :mod:`~kerassniff.engine.parse_errors`: the KS001 finding that says why a file could not be parsed.
- :mod:`~kerassniff.engine.lint_paths`: many files (cache, worker processes) and the cross-script rules.
- :mod:`~kerassniff.engine.cache`: the content-hash cache of per-file results.
- :mod:`~kerassniff.engine.fixing`: the ``--fix`` driver.

Front ends (the CLI, the editor server) use :mod:`kerassniff.api`, which re-exports what they need.
"""
