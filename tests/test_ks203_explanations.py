"""KS203's explanation names the colour order only when the colour order is what differs between the scripts."""
from __future__ import annotations

from kerassniff.api import lint_paths
from kerassniff.config import Config
from tests.conftest import FIXTURES


def explanations(project: str) -> list[str]:
    result = lint_paths([str(FIXTURES / "projects" / project)], Config(select=["KS203"]))
    return [f.explanation for f in result.findings]


def test_grayscale_data_and_the_same_colour_order_are_not_mentioned() -> None:
    [gray] = explanations("click_default_mismatch")  # MNIST digits: grayscale by nature
    [rgb] = explanations("scaling_mismatch")  # both scripts read the same RGB data: only the scaling differs
    for explanation in (gray, rgb):
        assert "'x_train' divided by 255:" in explanation or "'X_train' divided by 255:" in explanation
        assert "GRAY" not in explanation and "RGB" not in explanation


def test_a_colour_order_mismatch_names_the_training_order() -> None:
    [explanation] = explanations("colour_order_mismatch")
    assert "on 'x' divided by 255, in RGB order:" in explanation
