"""The sandbox post templates run in: Jinja's own, plus limits on work and on value sizes.

It keeps an operator's mistake (a typo, an endless loop, a huge repeat) from hanging or
flooding the service; it does not make a deliberately hostile template harmless.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, nodes, pass_context
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from syndicator.normalize.text import truncate_words

OUTPUT_CAP = 200_000  # characters a template may print; also the largest value it may build
MAX_RANGE = 1_000  # items in one range() (Jinja's sandbox alone allows 100,000)
MAX_STEPS = 100_000  # loop iterations plus calls in one render: stops loops that print nothing
MAX_BITS = 100_000  # size of an integer that arithmetic may build
_SIZED = (str, bytes, list, tuple, dict, set, frozenset)

STEPS: ContextVar[list[int] | None] = ContextVar("render_steps", default=None)


def _spend() -> None:
    steps = STEPS.get()  # None while Jinja folds constants at compile time
    if steps is not None:
        steps[0] -= 1
        if steps[0] < 0:
            raise SecurityError(f"more than {MAX_STEPS} loop steps and calls (endless loop?)")


def _sized(value: Any) -> Any:
    """`value`, unless it is a string or collection too big for any post."""
    if isinstance(value, _SIZED) and len(value) > OUTPUT_CAP:
        raise SecurityError(f"a value of {len(value)} characters or items, over {OUTPUT_CAP}")
    return value


def _check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse arithmetic whose result is too big to build: "x" * 10**9, 9 ** 999999."""
    sized = [len(v) for v in (left, right) if isinstance(v, _SIZED)]
    ints = [abs(v) for v in (left, right) if isinstance(v, int)]
    if operator == "*" and sized and ints and sized[0] * ints[0] > OUTPUT_CAP:
        raise SecurityError(f"a repeat to over {OUTPUT_CAP} characters or items")
    if operator == "*" and len(ints) == 2 and sum(i.bit_length() for i in ints) > MAX_BITS:
        raise SecurityError(f"a product over {MAX_BITS} bits")
    if operator == "**" and len(ints) == 2 and ints[0].bit_length() * right > MAX_BITS:
        raise SecurityError(f"a power over {MAX_BITS} bits")


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


def _guarded_filter(function: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        return _sized(function(*args, **kwargs))

    guarded.__dict__.update(getattr(function, "__dict__", {}))  # keeps pass_context marks
    return guarded


class _LimitedCodeGenerator(CodeGenerator):
    """Compiles every loop through the step counter and every `~` through the size check."""

    def visit_Template(self, node: nodes.Template, frame: Any = None) -> None:
        for loop in node.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, "_counted", [], [], None, None, lineno=loop.lineno)
        for concat in node.find_all(nodes.Concat):
            concat.nodes = [nodes.Filter(n, "_sized", [], [], None, None) for n in concat.nodes]
        super().visit_Template(node, frame)


class _LimitedSandbox(SandboxedEnvironment):
    code_generator_class = _LimitedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return _sized(super().call_binop(context, operator, left, right))

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _spend()
        return _sized(super().call(__context, __obj, *args, **kwargs))


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
    )
    env.filters["truncate_words"] = _truncate_filter
    env.filters = {name: _guarded_filter(f) for name, f in env.filters.items()}
    env.filters |= {"_counted": _counted, "_sized": _sized}
    env.globals["range"] = _capped_range
    del env.globals["lipsum"]  # placeholder text of any size: no use in a post
    return env


class OutputCapError(SecurityError):
    """The template printed more than OUTPUT_CAP characters."""
