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
from kerassniff.semantic.listings import listed_apart
from kerassniff.semantic.pyvalues import FolderListing


@rule("KS240", "pairs-from-unsorted-listings", Severity.ERROR,
      "inputs and targets read file by file from two folder listings, one at least in the file system's arbitrary "
      "order, then paired row by row by fit(): inputs get other files' targets",
      "sort both listings (sorted(os.listdir(folder)), sorted(glob.glob(pattern))), or build each target's path from "
      "its input's file name")
def check(script: Script):
    reported: set[tuple[int, ...]] = set()
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


def _report(fit: DataEvent, target: DataEvent, listings: list[FolderListing]) -> Report:
    unsorted = [listing for listing in listings if listing.ordered is False]
    lister = unsorted[0].lister.rsplit(".", 1)[-1]
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
    how = "neither sorted" if len(unsorted) == len(listings) else "not all of them sorted"
    return Report(fit.call_node, (
        f"fit() pairs {fit.data.label} and {target.data.label}, read in {len(listings)} {lister}() orders: inputs get "
        f"other files' targets"),
        explanation=(
            f"The rows of {fit.data.label} and of {target.data.label} were read file by file in the order of "
            f"{len(listings)} different folder listings ({', '.join(named)}), {how}. {lister}() returns files in an "
            f"arbitrary order (on ext4, Linux's usual file system, by a hash of each name; NTFS happens to list by "
            f"name), so the i-th input and the i-th target are in general different files' data: the model trains on "
            f"mismatched pairs and nothing fails."),
        facts={"listers": sorted({listing.lister for listing in listings}), "listings": len(listings)},
        mentions=mentions)
