"""Folder listings and the files read in their order.

``for name in os.listdir(images): x.append(cv2.imread(os.path.join(images, name)))`` reads its rows in the order
the file system lists one folder; a second loop over ``os.listdir(masks)`` reads the targets in the order of
another.  Python documents that order as arbitrary (ext4 lists by hash of the names), so two folders of different
names list their files in unrelated orders, unless the script sorts them.  This module names a listing (so that two
can be told apart) and tags a file read inside a loop over listings with them (:attr:`Data.listed_from`); rules
compare the tags of arrays that a script pairs row by row.
"""
from __future__ import annotations

from dataclasses import replace

import libcst as cst

from kerassniff.semantic.loops import LoopContext
from kerassniff.semantic.knowledge.datasets import UNORDERED_LISTINGS
from kerassniff.semantic.pyvalues import (
    ComprehensionValue, Const, DictValue, FolderListing, FormattedValue, Seq, Value, ZipValue,
)
from kerassniff.semantic.dataflow import DataValue
from kerassniff.semantic.syntax import rendered


def named_listing(listing: FolderListing, node: cst.Call, folder: Value | None,
                  loop: LoopContext | None) -> FolderListing:
    """The listing a call made, told apart from others by the folder it was given: its known text, how it is
    written (``os.listdir(folder)`` in a helper lists another folder for each value ``folder`` holds), and, when the
    folder is not a known constant, the listings the loops around walk (``for d in glob.glob("images/"):
    glob.glob(os.path.join(d, "*.tif"))`` lists a sub-folder of another folder than the same line under
    ``glob.glob("masks/")``)."""
    if listing.call is not None:
        return listing
    if isinstance(folder, Const) and isinstance(folder.value, str):
        return replace(listing, folder=(_listed_folder(folder.value), ()), call=node)
    known = ("joined", folder.text) if isinstance(folder, FormattedValue) else None
    written = _written(node.args[0].value) if node.args else ()
    around = tuple(outer.folder for outer in listings_around(loop)) if loop is not None else ()
    return replace(listing, folder=(known, written, around), call=node)


def _listed_folder(path: str) -> str:
    """A folder or glob pattern, with a pattern of every entry of one folder (``data/*``) read as the folder itself:
    ``os.listdir("data")`` and ``glob.glob("data/*")`` list the same entries in the same order."""
    path = path.replace("\\", "/").rstrip("/")
    head, _, last = path.rpartition("/")
    return (head or ".") if last == "*" else path or "."


def unlisted(value: Value) -> Value:
    """A list whose items were sorted (``pairs.sort()``): its arrays no longer in any listing's order."""
    if type(value) is DataValue and value.data.listed_from:
        return DataValue(replace(value.data, listed_from=()))
    if type(value) is Seq:
        return Seq(tuple(unlisted(item) for item in value.items), value.kind)
    if type(value) is ComprehensionValue:
        return replace(value, element=unlisted(value.element))
    return value


def _written(node: cst.BaseExpression) -> str:
    """How an expression is written, spaces and line breaks aside: two listings of one text list one folder when the
    names in it hold the same values (told apart otherwise by the loops around, :func:`named_listing`)."""
    return " ".join(rendered(node).split())


def listings_around(loop: LoopContext | None) -> tuple[FolderListing, ...]:
    """The listings whose entries the innermost loop over listings walks: one for ``for name in os.listdir(d)``
    (``enumerate()`` of it too), each listing zipped for ``zip(os.listdir(a), os.listdir(b))``; () when no loop
    around walks a listing."""
    while loop is not None:
        iterable = loop.iterable
        if type(iterable) is FolderListing:
            return (iterable,)
        if type(iterable) is ZipValue:
            listed = tuple(part for part in iterable.parts if type(part) is FolderListing)
            if listed:
                return listed
        loop = loop.parent
    return ()


def read_in_listing_order(result: Value, node: cst.Call, loop: LoopContext | None) -> Value:
    """A file read at ``node`` (one sample: an image, an array) inside a loop over listings, tagged with them."""
    if type(result) is not DataValue or not result.data.is_sample or result.data.source.node is not node:
        return result
    listed = listings_around(loop)
    return DataValue(replace(result.data, listed_from=listed)) if listed else result


def listed_apart(first: tuple[FolderListing, ...], second: tuple[FolderListing, ...]) -> list[FolderListing] | None:
    """The listings two arrays read row by row were paired through, when the pairing rests on the order of two or
    more different listings of which one at least is in the file system's order (and none in an order not known);
    None when the rows share one listing (or one zip of equal listings), when either was not read from a listing, or
    when every listing is sorted."""
    if not first or not second:
        return None
    listings = list({listing.folder: listing for listing in (*first, *second)}.values())
    if len(listings) < 2 or any(listing.folder is None or listing.ordered is None for listing in listings):
        return None
    return listings if any(listing.ordered is False and listing.lister in UNORDERED_LISTINGS
                           for listing in listings) else None


def paired_listings(values: list[Value]) -> tuple[FolderListing, ...]:
    """The listings among values a call pairs by position (``zip(images, masks)``, ``from_tensor_slices((images,
    masks))``, a dict of columns): each listing given, in a tuple or list or as a dict's value too."""
    found: list[FolderListing] = []
    for value in values:
        if type(value) is FolderListing:
            found.append(value)
        elif isinstance(value, Seq):
            found.extend(item for item in value.items if type(item) is FolderListing)
        elif isinstance(value, DictValue):
            found.extend(item for _, item in value.items if type(item) is FolderListing)
    return tuple(found)
