"""Reusing module-level statements' parses: the module must equal a whole parse, node for node."""
from __future__ import annotations

import random
from pathlib import Path

import libcst as cst
import pytest

from kerassniff.lsp_reparse import StatementReuse, split_statements

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

BLOCKY = '''"""Module docstring.

Text at column 0 inside a string is not a statement.
"""
# a comment before the imports

import keras  # trailing comment
from keras import layers
a = 1; b = 2


@keras.saving.register_keras_serializable()
# a comment between decorator and def
def build(units=8):
    x = keras.Input(shape=(4,))
    y = layers.Dense(units)(x)
    return keras.Model(x, y)
    # an indented comment after the body: the block's footer

# a comment at column 0: the next statement's leading line
class Logger(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if logs:
            print(epoch)
        # nested footer
    # outer footer


if __name__ == "__main__":
    model = build()
elif False:
    pass
else:
    model = None
try:
    import tensorflow
except ImportError:
    tensorflow = None
finally:
    done = True
model.compile(loss="mse")
model.compile(loss="mse")
print(
    "a call closed at column 0"
)
x = 1 + \\
    2
# the end
'''


def _same(text: str, reuse: StatementReuse | None = None) -> cst.Module:
    reuse = reuse or StatementReuse(min_chars=0)
    module = reuse(text)
    whole = cst.parse_module(text)
    assert module.deep_equals(whole)
    for attribute in ("default_indent", "default_newline", "has_trailing_newline", "encoding"):
        assert getattr(module, attribute) == getattr(whole, attribute), attribute
    return module


def _nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    found = [node]
    for child in node.children:
        found.extend(_nodes(child))
    return found


def test_the_module_equals_a_whole_parse() -> None:
    reuse = StatementReuse(min_chars=0)
    _same(BLOCKY, reuse)
    assert reuse.parsed > 10  # it was cut into pieces, not parsed whole


def test_a_statement_written_twice_gets_its_own_nodes() -> None:
    module = _same(BLOCKY)
    nodes = _nodes(module)
    assert len({id(n) for n in nodes}) == len(nodes)


@pytest.mark.parametrize("text", [
    BLOCKY.replace("\n", "\r\n"),  # Windows line ends
    BLOCKY.replace("    ", "  "),  # two-space indent
    BLOCKY.replace("    ", "\t"),  # tabs
    BLOCKY.rstrip("\n"),  # no newline at the end
    BLOCKY + "\n\n\n",  # blank lines at the end
    "x = 1\n" + BLOCKY,  # no module header
    "x = 1\nif x:\n  y = 2\ndef f():\n    return 3\n",  # the first block is not the first statement
])
def test_layouts_equal_a_whole_parse(text: str) -> None:
    _same(text)


def test_a_file_mixing_indents_or_line_ends_is_parsed_whole() -> None:
    for text in ("def f():\n  return 1\ndef g():\n    return 2\n", "x = 1\r\ny = 2\n", "x = 1\ry = 2\n"):
        reuse = StatementReuse(min_chars=0)
        _same(text, reuse)
        assert reuse.parsed == -1


def test_an_edit_parses_only_the_statement_it_changed() -> None:
    reuse = StatementReuse(min_chars=0)
    _same(BLOCKY, reuse)
    edited = BLOCKY.replace("Dense(units)", "Dense(units * 2)")
    _same(edited, reuse)
    assert reuse.parsed == 1 and reuse.reused == len(split_statements(edited) or []) - 1


def test_a_syntax_error_raises_as_a_whole_parse_does() -> None:
    with pytest.raises(cst.ParserSyntaxError):
        StatementReuse(min_chars=0)(BLOCKY.replace("def build(units=8):", "def build(units=8)"))


def test_a_short_text_is_parsed_whole() -> None:
    reuse = StatementReuse()
    _same("import keras\nx = 1\n", reuse)
    assert reuse.parsed == -1


def test_the_cache_keeps_at_most_its_share_of_text() -> None:
    reuse = StatementReuse(max_chars=300, min_chars=0)
    _same(BLOCKY, reuse)
    assert reuse.chars <= 300 and sum(len(k) * len(v) for k, v in reuse.pieces.items()) == reuse.chars


def test_fixtures_and_random_edits_equal_a_whole_parse() -> None:
    """Every fixture, then keystrokes at random places (the kinds that move statements' boundaries)."""
    rng = random.Random(13)
    reuse = StatementReuse(min_chars=0)
    checked = 0
    for path in sorted(FIXTURES.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for edit in range(3):
            if edit:
                at = rng.randrange(len(text) + 1)
                text = text[:at] + rng.choice(["x", " ", "\n", "#", "    # c\n", "\n\n", "@", "    "]) + text[at:]
            try:
                cst.parse_module(text)
            except Exception:  # noqa: BLE001 - an edit that breaks the syntax: nothing to compare
                continue
            _same(text, reuse)
            checked += 1
    assert checked > 200


def test_an_edit_is_cut_again_only_where_it_changed_the_text() -> None:
    reuse = StatementReuse(min_chars=0)
    _same(BLOCKY, reuse)
    edited = BLOCKY.replace("Dense(units)", "Dense(units * 2)")
    _same(edited, reuse)
    assert reuse.split_chars == edited.index("class Logger") - edited.index("@keras.saving")  # the edited piece


@pytest.mark.parametrize(("old", "new"), [
    ("# a comment at column 0", "    # a comment at column 0"),  # now the block's footer before it
    ("a = 1; b = 2\n", "a = 1; b = 2  # "),  # the next line joins a comment
    ("a = 1; b = 2", "# a = 1; b = 2"),  # a statement becomes a comment
    ("\nclass Logger", "\nprint(1)\nclass Logger"),  # a statement typed at a piece's start
    ("    # outer footer\n", ""),  # a footer removed
    ("import keras  # trailing comment\n", ""),  # a whole statement removed
    ('"""Module docstring.', '"""Module docstring. """\nx = """'),  # a string opened in the first piece
])
def test_edits_that_move_statements_boundaries_equal_a_whole_parse(old: str, new: str) -> None:
    reuse = StatementReuse(min_chars=0)
    _same(BLOCKY, reuse)
    edited = BLOCKY.replace(old, new, 1)
    assert edited != BLOCKY
    _same(edited, reuse)
    _same(BLOCKY, reuse)  # and back


def test_blank_lines_before_an_indented_comment_after_a_block_are_kept() -> None:
    """LibCST 1.9 parses ``a = 1\\n\\n  # c\\n`` alone without its blank line: such a piece is not used."""
    text = "for i in x:\n    a = 1\n\n  # c\nb = 2\n" * 40
    _same(text)
    _same(text.replace("\n\n  # c", "\n\n\n  # c", 1))


def test_a_line_of_spaces_after_a_blank_line_ending_a_block() -> None:
    """A piece ending ``\\n \\n`` (a blank line, then one of spaces) is not given back as written by LibCST alone."""
    text = "def load(path):\n    return open(path).read()\n\n \ndef model(width):\n    return width\n"
    _same(text)
