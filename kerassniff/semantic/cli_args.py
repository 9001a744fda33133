"""Command-line options: a default the author wrote is a known value.

``parser.add_argument("--model", default="fashion.keras")`` then ``args = parser.parse_args()``
makes ``args.model`` the constant ``"fashion.keras"`` (and ``vars(args)["model"]`` too); ``@click.option("--model", default=...)``
and ``typer.Option("fashion.keras")`` give the decorated function's parameter its default;
``flags.DEFINE_string("model", "fashion.keras", "...")`` (absl, ``tf.compat.v1.flags``) makes
``FLAGS.model`` that constant.  Run
without options, the script uses these values, so a model path given this way still links an
evaluation script to the training script that saved the model (KS203).

What the defaults do not tell stays unknown: an option without a default (the user must give it),
and boolean switches (``action="store_true"``, ``default=False``, click's ``is_flag``), which are
configuration knobs like a module-level boolean flag: both branches of ``if args.augment:`` are
interpreted, because the author flips them from run to run.  Known defaults are
:class:`~kerassniff.semantic.values.KnobConst`: a condition on them (``if args.mode == "train":``)
is a knob too, so the evaluation branch of a script whose default mode is training is still read.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kerassniff.semantic.values import (
    UNKNOWN,
    CallArgs,
    Const,
    DictValue,
    Instance,
    KnobConst,
    Seq,
    Symbol,
    Value,
    const_value,
    str_value,
)

PARSERS = frozenset({"argparse.ArgumentParser"})
CLICK_OPTIONS = frozenset({"click.option", "click.argument", "click.decorators.option", "click.decorators.argument"})
TYPER_OPTIONS = frozenset({"typer.Option", "typer.Argument", "typer.params.Option", "typer.params.Argument"})
_TABLE = "__options__"  # the attribute of a parser (and of its groups) that holds the options so far
_CONVERTERS = {"builtins.int": int, "builtins.float": float, "builtins.str": str}


@dataclass(eq=False)
class OptionTable(Value):
    """The options a parser declared so far: destination name -> default value."""

    defaults: dict[str, Value] = field(default_factory=dict)


def option_name(args: CallArgs) -> str | None:
    """The attribute (argparse ``dest``) or parameter (click) an option binds."""
    dest = str_value(args.get("dest"))
    if dest:
        return dest
    names = [name for name in (str_value(a) for a in args.positional) if name]
    plain = [n for n in names if not n.startswith("-")]
    long = [n for n in names if n.startswith("--")]
    chosen = plain[0] if plain else long[0] if long else names[0] if names else None
    if chosen is None:
        return None
    return chosen.lstrip("-").replace("-", "_") or None


def option_default(args: CallArgs, default: Value | None) -> Value:
    """The known default of one option, or UNKNOWN (none given, or a boolean switch)."""
    action = str_value(args.get("action"))
    if default is None or (action is not None and action.startswith("store_") and action != "store"):
        return UNKNOWN
    if const_value(args.get("is_flag")) is True or isinstance(const_value(default), bool):
        return UNKNOWN
    converter = args.get("type")
    text = str_value(default)
    if text is not None and isinstance(converter, Symbol) and converter.name in _CONVERTERS:
        try:
            return KnobConst(_CONVERTERS[converter.name](text))  # argparse converts a string default with type=
        except ValueError:
            return UNKNOWN
    return KnobConst(default.value) if isinstance(default, Const) else default


def parser_method(receiver: Instance, method: str, args: CallArgs) -> Value | None:
    """What a method of an ``argparse`` parser (or argument group) returns; None when not a parser."""
    table = receiver.attrs.get(_TABLE)
    if not isinstance(table, OptionTable):
        if receiver.cls not in PARSERS:
            return None
        table = receiver.attrs[_TABLE] = OptionTable()
    if method == "add_argument":
        name = option_name(args)
        if name is not None:
            table.defaults[name] = option_default(args, args.get("default"))
        return UNKNOWN
    if method in ("add_argument_group", "add_mutually_exclusive_group"):
        return Instance("argparse._ArgumentGroup", args, attrs={_TABLE: table})
    if method == "set_defaults":
        for key, value in args.keywords:
            table.defaults[key] = option_default(CallArgs(), value)
        return UNKNOWN
    if method in ("parse_args", "parse_known_args", "parse_intermixed_args"):
        namespace = Instance("argparse.Namespace", args, attrs=dict(table.defaults))
        return Seq((namespace, UNKNOWN), "tuple") if method == "parse_known_args" else namespace
    return None


def namespace_dict(args: CallArgs) -> Value | None:
    """``vars(parser.parse_args())``: the parsed options as a dict (``args["model"]``), with the same defaults."""
    namespace = args.positional[0] if len(args.positional) == 1 else None
    if not isinstance(namespace, Instance) or namespace.cls != "argparse.Namespace":
        return None
    return DictValue(tuple((Const(name), value) for name, value in namespace.attrs.items()))


def decorator_option(value: Value) -> tuple[str, Value] | None:
    """``@click.option("--model", default="m.keras")``: the parameter it binds and its default."""
    if not isinstance(value, Instance) or value.cls not in CLICK_OPTIONS:
        return None
    name = option_name(value.args)
    if name is None:
        return None
    return name, option_default(value.args, value.args.get("default"))


def parameter_default(value: Value) -> Value:
    """A signature default: ``model: str = typer.Option("m.keras")`` stands for ``"m.keras"``."""
    if isinstance(value, Instance) and value.cls in TYPER_OPTIONS:
        return option_default(value.args, value.args.get("default", 0))  # typer.Option(...): unknown
    return value


def is_flag_definition(name: str) -> bool:
    """``absl.flags.DEFINE_string``, ``tf.compat.v1.flags.DEFINE_integer``, ``tf.app.flags.DEFINE_bool``..."""
    module, _, last = name.rpartition(".")
    return last.startswith("DEFINE_") and module.endswith("flags") and name.startswith(("absl.", "tensorflow."))


def is_flag_values(name: str) -> bool:
    """``absl.flags.FLAGS`` (and TensorFlow's copies of it)."""
    return name.endswith("flags.FLAGS") and name.startswith(("absl.", "tensorflow."))


def define_flag(table: OptionTable, args: CallArgs) -> None:
    """``flags.DEFINE_string(name, default, help)``: the flag's default becomes known."""
    name = str_value(args.get("name", 0))
    if name:
        table.defaults[name] = option_default(CallArgs(), args.get("default", 1))
