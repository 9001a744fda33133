"""KS240 pairs-from-unsorted-listings: inputs and targets read file by file from two folder listings (``os.listdir``,
``glob.glob``) of which one at least is not sorted, then paired row by row by ``fit()``.

``for name in os.listdir("images"): x.append(read(...))`` and ``for name in os.listdir("masks"): y.append(read(...))``
pair the i-th image with the i-th mask of another listing.  Python documents the order of ``os.listdir`` as arbitrary,
and ``glob`` as depending on the file system: ext4 (most Linux machines, Colab) lists by a hash of each name, so two
folders of differently named files come back in unrelated orders (NTFS happens to list by name, which hides the bug
on Windows).  Each image is then trained against another image's mask or target: the model learns noise, and
nothing fails.  Sorting both listings, or deriving each target's path from its input's name, pairs them.
"""
from __future__ import annotations

from kerassniff.checks._shared import events
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import DataEvent
from kerassniff.semantic.knowledge.datasets import ROW_PAIRING_CALLS
from kerassniff.semantic.library.sequences import is_sequence_class
from kerassniff.semantic.listings import listed_apart, paired_listings
from kerassniff.semantic.pyvalues import ClassValue, FolderListing


@rule("KS240", "pairs-from-unsorted-listings", Severity.ERROR,
      "inputs and targets read file by file from two folder listings, one at least in the file system's arbitrary "
      "order, then paired row by row (by fit(), a train_test_split of both, a Sequence): inputs get other files' "
      "targets",
      "sort both listings (sorted(os.listdir(folder)), sorted(glob.glob(pattern))), or build each target's path from "
      "its input's file name")
def check(script: Script):
    if not script.folder_listings:
        return  # (most scripts list no folder, nor do the helper modules they read)
    reported: set[tuple[int, ...]] = set()
    yield from _read_apart(script, reported)
    yield from _paired_by_position(script, reported)


def _read_apart(script: Script, reported: set[tuple[int, ...]]):
    """fit(x, y) of arrays whose rows were read file by file in the orders of different listings."""
    for model in script.models:
        targets = {id(event.call_node): event for event in events(script, model, "y") if event.kind == "fit"}
        for fit in events(script, model, "x"):
            target = targets.get(id(fit.call_node))
            if fit.kind != "fit" or target is None or fit.data.conditional or target.data.conditional:
                continue
            listings = listed_apart(fit.data.listed_from, target.data.listed_from)
            key = tuple(sorted(id(listing.call) for listing in listings or ()))
            if listings is not None and key not in reported:
                reported.add(key)
                yield _report(fit, target, listings)


def _paired_by_position(script: Script, reported: set[tuple[int, ...]]):
    """A call that pairs the files of different listings by position: ``zip(images, masks)``,
    ``train_test_split(images, masks)``, ``tf.data.Dataset.from_tensor_slices((images, masks))``, a DataFrame of the
    two as columns, or the script's own ``keras.utils.Sequence`` built with both."""
    for call in script.calls:
        if call.callee not in ROW_PAIRING_CALLS and not (isinstance(call.receiver, ClassValue) and call.callee is None
                                                         and call.method is None and is_sequence_class(call.receiver)):
            continue
        given = paired_listings([*call.args.positional, *(value for _, value in call.args.keywords)])
        listings = listed_apart(given[:1], given[1:]) if len(given) >= 2 else None
        key = tuple(sorted(id(listing.call) for listing in listings or ()))
        if listings is not None and key not in reported:
            reported.add(key)
            yield _pairing_report(call.node, _called(call), listings)


def _called(call) -> str:
    """How a message names the pairing call: ``zip()``, ``train_test_split()``, ``DataGen()``."""
    if isinstance(call.receiver, ClassValue):
        return f"{call.receiver.node.name.value}()"
    return f"{call.callee.rsplit('.', 1)[-1]}()"


def _listings_named(listings: list[FolderListing]) -> tuple[dict[str, object], str]:
    """Mentions of the listing calls (one per call) and the listings described for an explanation: the folder or
    pattern when it is known, and where it was listed."""
    mentions: dict[str, object] = {}
    named: list[str] = []
    for listing in listings:
        mention = next((name for name, call in mentions.items() if call is listing.call), None)
        if mention is None and listing.call is not None:
            mention = f"listing{len(mentions)}"
            mentions[mention] = listing.call
        folder = listing.folder[0] if isinstance(listing.folder, tuple) else None
        named.append(" ".join(part for part in (
            f"'{folder}'" if isinstance(folder, str) else "", f"({{{mention}}})" if mention else "") if part))
    return mentions, ", ".join(named)


_ORDER = ("{lister} {verb} files in an arbitrary order (Python's documentation), the order each folder's file system "
          "keeps: on ext4, Linux's usual one, a hash of each name, so files named differently (`x.jpg`, "
          "`x_mask.png`) list in unrelated orders (NTFS happens to list by name, which hides it on Windows)")


def _order(lister: str) -> str:
    return _ORDER.format(lister=lister, verb="return" if " and " in lister else "returns")


def _listers(listings: list[FolderListing]) -> str:
    """The functions that made the listings, as a message names them: ``listdir()``, ``listdir() and glob()``."""
    names = sorted({f"{listing.lister.rsplit('.', 1)[-1]}()" for listing in listings})
    return " and ".join(names)


def _pairing_report(node, called: str, listings: list[FolderListing]) -> Report:
    named, how, order, facts, mentions = _described(listings)
    return Report(node, f"{called} pairs the entries of {len(listings)} folder listings by position: their orders "
                        f"need not match",
                  explanation=(f"{called} pairs the i-th entry of each of {len(listings)} different folder listings "
                               f"({named}), {how}. {order}: each input is then trained or scored against another "
                               f"file's target, and nothing fails."),
                  facts=facts, mentions=mentions)


def _report(fit: DataEvent, target: DataEvent, listings: list[FolderListing]) -> Report:
    named, how, order, facts, mentions = _described(listings)
    return Report(fit.call_node, (
        f"fit() pairs {fit.data.label} and {target.data.label}, read in the orders of {len(listings)} folder listings "
        f"that need not match"),
        explanation=(
            f"The rows of {fit.data.label} and of {target.data.label} were read file by file in the order of "
            f"{len(listings)} different folder listings ({named}), {how}. {order}: the i-th input and the i-th target "
            f"are then different files' data, the model trains on mismatched pairs, and nothing fails."),
        facts=facts, mentions=mentions)


def _described(listings: list[FolderListing]) -> tuple[str, str, str, dict, dict]:
    """What both reports say of the listings: each named (folder and line), whether any is sorted, why their orders
    differ, the facts and the mentions of their calls."""
    unsorted = [listing for listing in listings if listing.ordered is False]
    mentions, named = _listings_named(listings)
    how = "neither sorted" if len(unsorted) == len(listings) else "not all of them sorted"
    facts = {"listers": sorted({listing.lister for listing in listings}), "listings": len(listings)}
    return named, how, _order(_listers(listings)), facts, mentions
