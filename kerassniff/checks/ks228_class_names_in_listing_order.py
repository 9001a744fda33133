"""KS228 class-names-in-listing-order: a prediction named from an unsorted folder listing.

Keras's folder readers (``flow_from_directory``, ``image_dataset_from_directory``, ``text_dataset_from_directory``)
number the classes in the sorted order of the sub-folder names.  A predict script that names the predicted class
with ``os.listdir(folder)[np.argmax(pred)]`` reads the names in the order the file system keeps them, which Python
leaves arbitrary: when the two orders differ, every name printed is another class's.
"""
from __future__ import annotations

from kerassniff.checks._built import HERE, BuiltHere, reports_elsewhere
from kerassniff.checks._shared import events
from kerassniff.findings import Severity
from kerassniff.registry import Report, across_scripts, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import DataEvent
from kerassniff.semantic.knowledge.datasets import UNORDERED_LISTINGS
from kerassniff.semantic.models import Model

_LONGEST_WRITTEN = 32  # a longer subscript is not repeated in the message


@rule("KS228", "class-names-in-listing-order", Severity.ERROR,
      "a prediction named with os.listdir() or glob.glob() order (unsorted) for a model trained by a folder reader, "
      "which numbers the classes in sorted folder-name order",
      "sort the names as the reader does: sorted(os.listdir(folder)), or use the reader's class_names")
def check(script: Script):
    yield from _named(script)


@across_scripts("KS228")
def check_across(scripts: list[Script]):
    """The same for a model a script loads (``load_model("model.h5")`` in a predict script) that a script beside it
    trained on a folder reader and saved: the finding is the loading script's."""
    yield from reports_elsewhere(scripts, _named)


def _named(script: Script, built: BuiltHere = HERE):
    named: set[int] = set()
    for node, listing, predictions in script.named_predictions.values():
        model = built.model_of(predictions.model)
        read = _sorted_folder_read(built.script_of(script), model) if _in_file_order(listing, named) else None
        if read is not None:
            named.add(id(listing))  # one finding per listing: the names it gives are all wrong alike
            yield _report(script, node, listing.lister, read, built)


def _in_file_order(listing, named: set[int]) -> bool:
    """An unsorted listing of names (not yet reported)."""
    return listing.ordered is False and listing.lister in UNORDERED_LISTINGS and id(listing) not in named


def _sorted_folder_read(script: Script, model: Model | None) -> DataEvent | None:
    """The folder reader fit() trains the model on, when it numbers the classes in sorted folder-name order (labels
    inferred from the sub-folders, no ``class_names=``/``classes=`` list of its own); None otherwise."""
    if model is None:
        return None
    for event in events(script, model, "x", ("fit",)):
        source, labels = event.data.source, event.data.labels
        if source.kind == "directory" and source.class_names is None and labels is not None and \
                labels.encoding not in (None, "input"):
            return event  # (class_mode=None or "input": no classes at all)
    return None


def _report(script: Script, node, lister: str, read: DataEvent, built: BuiltHere) -> Report:
    written = script.code_of(node)
    named = written if len(written) <= _LONGEST_WRITTEN else "the prediction"
    reader = read.data.source.description
    return Report(node, f"{named} names the class in {lister}() order; Keras numbers classes sorted",
                  explanation=(
                      f"{built.sentence('model trains on')} {reader} ({{reader}}), which numbers the classes in the "
                      f"sorted (alphanumeric) order of the sub-folder names: Keras lists them with "
                      f"sorted(os.listdir(directory)). {lister}() returns the entries in the order the file system "
                      f"keeps them, which Python leaves arbitrary (on Linux's ext4, a hash order): whenever the two "
                      f"orders differ, the name given to a prediction is another class's (with two classes, every "
                      f"answer is then flipped)."),
                  facts={"lister": lister, **built.facts()},
                  mentions={"reader": built.mention(read.data.source.node)})
