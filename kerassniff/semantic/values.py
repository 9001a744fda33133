"""Every abstract value the interpreter produces, by one name.

The values live beside what they hold, so that the data types import downward only:
:mod:`~kerassniff.semantic.pyvalues` (plain Python: constants, containers, symbols, functions, instances,
call arguments) at the bottom, then :mod:`~kerassniff.semantic.dataflow` (values that hold arrays), then
:mod:`~kerassniff.semantic.models` (layers, tensors, models).  Anything the interpreter cannot follow is
:data:`UNKNOWN`, and rules treat unknown as "stay silent".
"""
from __future__ import annotations

from kerassniff.semantic.dataflow import (
    DataValue, IndexOf, KnownLen, LenValue, RangeValue, ShapeValue, StoredObject, data_of,
)
from kerassniff.semantic.keras_values import (
    Agreement, CopiedLayer, HistoryLog, HistoryValue, LayerList, LayerValue, ModelValue, Predictions, TensorValue,
)
from kerassniff.semantic.pyvalues import (
    UNKNOWN,
    BoundMethod,
    CharacterRows,
    CallArgs,
    ClassValue,
    ComprehensionValue,
    Const,
    DictValue,
    FlatArray,
    FolderListing,
    FormattedValue,
    FunctionValue,
    Instance,
    ItemsOf,
    KnobConst,
    ModuleValue,
    PartialValue,
    Seq,
    SliceValue,
    Strings,
    Symbol,
    TextFile,
    Unknown,
    UnknownFloat,
    UnknownInteger,
    UnknownText,
    Value,
    VersionFlag,
    WordsOfOneText,
    ZipValue,
    const_value,
    int_value,
    is_one_string,
    path_last_part,
    str_value,
    string_ending,
    string_endings,
    typed_number,
    written_strings,
)
from kerassniff.semantic.vocabulary import TokenizerIndex, VocabularySize, WordId, WordIndex

__all__ = [
    "UNKNOWN", "Agreement", "BoundMethod", "CallArgs", "CharacterRows", "ClassValue", "ComprehensionValue", "Const", "CopiedLayer",
    "DataValue", "DictValue", "FlatArray", "FolderListing", "FormattedValue", "FunctionValue", "IndexOf", "Instance", "ItemsOf",
    "KnobConst", "KnownLen", "LayerValue", "LenValue", "HistoryLog", "HistoryValue", "ModelValue", "ModuleValue",
    "PartialValue", "Predictions", "RangeValue", "Seq", "ShapeValue", "SliceValue", "StoredObject", "Strings",
    "Symbol", "TextFile", "TokenizerIndex", "UnknownText", "VocabularySize", "UnknownFloat", "UnknownInteger",
    "LayerList", "TensorValue", "Unknown", "Value", "VersionFlag", "WordId", "WordIndex", "WordsOfOneText",
    "ZipValue", "const_value",
    "data_of", "int_value", "is_one_string", "path_last_part", "str_value", "string_endings", "string_ending", "typed_number",
    "written_strings",
]
