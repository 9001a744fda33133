"""The semantic model of one script: what every rule reads.

``build_script(module, path)`` walks the LibCST tree once (interpreting the
bodies of functions where they are called) and returns a :class:`Script`.
"""
from kerassniff.semantic.interpreter import AnalysisTimeout, build_script
from kerassniff.semantic.script import Script

__all__ = ["AnalysisTimeout", "Script", "build_script"]
