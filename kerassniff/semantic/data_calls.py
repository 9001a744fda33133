"""The array handlers the interpreter calls, by the names it has always used.

The handlers live in :mod:`kerassniff.semantic.library.arrays` (library functions; their table is
:mod:`kerassniff.semantic.library.array_table`),
:mod:`kerassniff.semantic.library.array_methods` (methods, attributes, subscripts),
:mod:`kerassniff.semantic.library.array_arithmetic` (arithmetic) and
:mod:`kerassniff.semantic.library.datasets` (generators and tf.data) and
:mod:`kerassniff.semantic.library.tokenizers` (a Tokenizer's vocabulary dicts); they see the interpreter only through
:class:`kerassniff.semantic.effects.Effects`.
"""
from kerassniff.semantic.library.array_arithmetic import arithmetic
from kerassniff.semantic.library.array_methods import data_attribute, flattened_unknown, data_method, instance_method
from kerassniff.semantic.library.array_subscripts import subscript
from kerassniff.semantic.library.array_table import call_library, may_handle
from kerassniff.semantic.library.arrays import Statistic
from kerassniff.semantic.library.datasets import batch_of
from kerassniff.semantic.library.tokenizers import index_method, instance_attribute
from kerassniff.semantic.loaders import DatasetSplits, opaque_elements, opaque_results, opaque_splits

__all__ = ["DatasetSplits", "Statistic", "arithmetic", "batch_of", "call_library", "data_attribute", "data_method", "flattened_unknown", "index_method", "instance_attribute", "instance_method",
           "may_handle", "opaque_elements", "opaque_results", "opaque_splits", "subscript"]
