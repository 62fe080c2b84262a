"""The sandbox post templates run in: Jinja's own, plus limits on work and on value sizes.

It keeps an operator's mistake (a typo, an endless loop, a huge repeat) from hanging or
flooding the service; it does not make a deliberately hostile template harmless. Sizes are
checked before an operation runs (template_sizes estimates the result from its arguments), so
`''.center(10**9)` fails at once instead of building a gigabyte first.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, nodes, pass_context
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from syndicator.ingest.normalize.text import truncate_words
from syndicator.posts import sizes

OUTPUT_CAP = 200_000  # characters a template may print; also the largest value it may build
MAX_RANGE = 1_000  # items in one range() (Jinja's sandbox alone allows 100,000)
MAX_STEPS = 100_000  # loop iterations plus calls in one render: stops loops that print nothing
MAX_BITS = 100_000  # size of an integer that arithmetic may build
# Characters all {{ }} of one render may print, counting what macros and {% set %} blocks print
# before it is used (their text is printed again where it is used, hence several times the cap).
MAX_PRINTED = 5 * OUTPUT_CAP
_SIZED = (str, bytes, list, tuple, dict, set, frozenset)


@dataclass(slots=True)
class Budget:
    """What one render may still spend."""

    steps: int = MAX_STEPS
    printed: int = MAX_PRINTED


BUDGET: ContextVar[Budget | None] = ContextVar("render_budget", default=None)


def _spend() -> None:
    budget = BUDGET.get()  # None while Jinja folds constants at compile time
    if budget is not None:
        budget.steps -= 1
        if budget.steps < 0:
            raise SecurityError(f"more than {MAX_STEPS} loop steps and calls (endless loop?)")


def _refuse_over_cap(what: str, size: int) -> None:
    if size > OUTPUT_CAP:
        raise SecurityError(f"{what} would make more than {OUTPUT_CAP} characters")


def _text_size(value: Any) -> int:
    """The size of `value`'s text (a string's, or a collection's written out), if a post may hold it."""
    size = sizes.text_size(value, OUTPUT_CAP)
    if size > OUTPUT_CAP:
        raise SecurityError(f"a value of more than {OUTPUT_CAP} characters")
    return size


def _sized(value: Any) -> Any:
    """`value`, unless its text is too big for a post."""
    _text_size(value)
    return value


def _printable(value: Any) -> Any:
    """Every {{ }} passes here before it is written: its text is checked and counted."""
    size = _text_size(value)
    budget = BUDGET.get()
    if budget is not None:
        budget.printed -= size
        if budget.printed < 0:
            raise SecurityError(f"more than {MAX_PRINTED} characters printed (macros included)")
    return value


def _concat(parts: list[Any]) -> str:
    """`a ~ b ~ c`: the parts' text, checked in total before it is joined."""
    _refuse_over_cap("~", sizes.total_size(parts, OUTPUT_CAP))
    return "".join(str(part) for part in parts)


def _check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse arithmetic whose result is too big to build: "x" * 10**9, 9 ** 999999, "%9999999s" % x."""
    sized = [v for v in (left, right) if isinstance(v, _SIZED)]
    ints = [abs(v) for v in (left, right) if isinstance(v, int)]
    if (
        operator == "*"
        and sized
        and ints
        and sizes.text_size(sized[0], OUTPUT_CAP) * ints[0] > OUTPUT_CAP
    ):
        raise SecurityError(f"a repeat to over {OUTPUT_CAP} characters or items")
    if operator == "*" and len(ints) == 2 and sum(i.bit_length() for i in ints) > MAX_BITS:
        raise SecurityError(f"a product over {MAX_BITS} bits")
    if operator == "**" and len(ints) == 2 and ints[0].bit_length() * right > MAX_BITS:
        raise SecurityError(f"a power over {MAX_BITS} bits")
    if operator == "+" and len(sized) == 2:
        _refuse_over_cap("+", sizes.total_size(sized, OUTPUT_CAP))
    if operator == "%" and isinstance(left, str):
        _refuse_over_cap("%", sizes.percent_size(left, right, OUTPUT_CAP))


def _capped_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise SecurityError(f"range() of {len(numbers)} items, over the {MAX_RANGE} limit")
    return numbers


@pass_context  # also keeps Jinja from calling it at compile time
def _counted(context: Context, iterable: Iterable[Any]) -> Iterator[Any]:
    """Every {% for %} loops through this: each step spends from the render's budget."""
    for value in iterable:
        _spend()
        yield value


# What each size-making filter would build, from its arguments (named as the filter names them).
_FILTER_SIZES: dict[str, Callable[[dict[str, Any]], int]] = {
    "replace": lambda a: sizes.replaced_size(str(a["s"]), str(a["old"]), str(a["new"]), a["count"]),
    "format": lambda a: sizes.percent_size(str(a["value"]), a["kwargs"] or a["args"], OUTPUT_CAP),
    "center": lambda a: sizes.padded_size(str(a["value"]), a["width"]),
    "indent": lambda a: sizes.indented_size(str(a["s"]), a["width"]),
    "wordwrap": lambda a: sizes.wrapped_size(str(a["s"]), a["width"], a["wrapstring"] or "\n"),
    "join": lambda a: sizes.joined_size(str(a["d"]), a["value"], OUTPUT_CAP),
    "batch": lambda a: sizes.filled_size(a["value"], a["linecount"], a["fill_with"], OUTPUT_CAP),
    "slice": lambda a: sizes.filled_size(a["value"], a["slices"], a["fill_with"], OUTPUT_CAP),
    "sum": lambda a: sizes.summed_size(a["iterable"], a["start"], OUTPUT_CAP),
}
# The same for methods of strings (and bytes), from their arguments in order.
_METHOD_SIZES: dict[str, Callable[[Any, list[Any]], int]] = {
    "center": lambda text, a: sizes.padded_size(text, a[0]),
    "ljust": lambda text, a: sizes.padded_size(text, a[0]),
    "rjust": lambda text, a: sizes.padded_size(text, a[0]),
    "zfill": lambda text, a: sizes.padded_size(text, a[0]),
    "expandtabs": lambda text, a: sizes.tabs_size(text, a[0]),
    "replace": lambda text, a: sizes.replaced_size(text, a[0], a[1], a[2]),
    "join": lambda text, a: sizes.joined_size(text, a[0], OUTPUT_CAP),
    "translate": lambda text, a: sizes.translated_size(text, a[0]),
}
# Arguments that may be one-pass iterators (map, select): read into a list first, so they can be
# measured and still be used; reading stops as soon as the items pass the cap.
_ITERABLES = {"join": ("value", "iterable", "iterable_of_bytes"), "sum": ("iterable",)}
_CONTEXT_ARGS = ("context", "eval_ctx", "environment", "env")


def _listed(name: str, bound: inspect.BoundArguments) -> None:
    for key in _ITERABLES.get(name, ()):
        if key in bound.arguments:
            items, size = [], 0
            for item in bound.arguments[key]:
                size += sizes.text_size(item, OUTPUT_CAP)
                _refuse_over_cap(f"{name}()", size)
                items.append(item)
            bound.arguments[key] = items


def _arguments(function: Callable[..., Any]) -> inspect.Signature:
    """The filter's own arguments: without the context Jinja passes first to some filters."""
    signature = inspect.signature(function)
    parameters = list(signature.parameters.values())
    if parameters and parameters[0].name in _CONTEXT_ARGS:
        parameters = parameters[1:]
    return signature.replace(parameters=parameters)


def _guarded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """The filter, refused before it runs when its result would be too big, and checked after."""
    estimate = _FILTER_SIZES.get(name)
    signature = _arguments(function) if estimate else None
    passes_context = getattr(function, "jinja_pass_arg", None) is not None

    def guarded(*args: Any, **kwargs: Any) -> Any:
        if estimate is not None and signature is not None:
            context, args = (args[:1], args[1:]) if passes_context else ((), args)
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            _listed(name, bound)
            _refuse_over_cap(f"{name}()", estimate(bound.arguments))
            args, kwargs = (*context, *bound.args), bound.kwargs
        return _sized(function(*args, **kwargs))

    guarded.__dict__.update(getattr(function, "__dict__", {}))  # keeps pass_context marks
    return guarded


def _checked_method(
    method: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """A string method's arguments, refused when the result would be too big, else bound."""
    name, owner = getattr(method, "__name__", ""), getattr(method, "__self__", None)
    estimate = _METHOD_SIZES.get(name)
    if estimate is None or not isinstance(owner, str | bytes):
        return args, kwargs
    bound = inspect.signature(method).bind(*args, **kwargs)
    bound.apply_defaults()
    _listed(name, bound)
    _refuse_over_cap(f"{name}()", estimate(owner, list(bound.arguments.values())))
    return bound.args, bound.kwargs


class _LimitedCodeGenerator(CodeGenerator):
    """Compiles every loop through the step counter and every `~` through the size check."""

    def visit_Template(self, node: nodes.Template, frame: Any = None) -> None:
        for loop in node.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, "_counted", [], [], None, None, lineno=loop.lineno)
        for concat in node.find_all(nodes.Concat):
            parts = nodes.List(concat.nodes, lineno=concat.lineno)
            concat.nodes = [
                nodes.Filter(parts, "_concat", [], [], None, None, lineno=concat.lineno)
            ]
        super().visit_Template(node, frame)


class _LimitedSandbox(SandboxedEnvironment):
    code_generator_class = _LimitedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return _sized(super().call_binop(context, operator, left, right))

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _spend()
        args, kwargs = _checked_method(__obj, args, kwargs)
        return _sized(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """`"…".format(...)` and `format_map`: refused before formatting when too big."""
        formatter = super().wrap_str_format(value)
        if formatter is None:
            return None
        template, by_map = value.__self__, value.__name__ == "format_map"

        def checked(*args: Any, **kwargs: Any) -> str:
            values = args[0] if by_map and args else kwargs
            named = values if isinstance(values, Mapping) else {"": values}
            positional = () if by_map else args
            _refuse_over_cap("format()", sizes.format_size(template, positional, named, OUTPUT_CAP))
            return formatter(*args, **kwargs)

        return checked


def _truncate_filter(text: Any, limit: int) -> str:
    if limit < 1:
        raise ValueError("truncate_words needs a limit of at least 1")
    return truncate_words(str(text), limit)


def make_environment(folders: list[Path]) -> SandboxedEnvironment:
    """The sandbox templates run in: plain text out, a missing variable is an error."""
    env = _LimitedSandbox(
        loader=FileSystemLoader(folders),  # the first folder holding a name wins
        autoescape=False,  # templates write plain text; the Zalo HTML is built and escaped here
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_printable,
    )
    env.filters["truncate_words"] = _truncate_filter
    env.filters = {name: _guarded_filter(name, f) for name, f in env.filters.items()}
    env.filters |= {"_counted": _counted, "_concat": _concat}
    env.globals["range"] = _capped_range
    del env.globals["lipsum"]  # placeholder text of any size: no use in a post
    return env


class OutputCapError(SecurityError):
    """The template printed more than OUTPUT_CAP characters."""
