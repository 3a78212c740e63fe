"""Every event is recorded, and every subscriber listens, by a member of the one catalogue.

A kind spelt as a plain string would be checked only when the line runs; a member of
EventKind is checked by the type checker and found by a search for its name.
"""

import ast
import typing
from pathlib import Path

from lean.shared import events
from lean.shared.events import EventKind

ROOT = Path(__file__).resolve().parents[2]

# The functions that take an event kind, and the position of that argument.
KIND_TAKERS = {"record_event": 1, "record_admin_event": 1, "subscribe": 0, "unsubscribe": 0}


def _modules() -> dict[str, ast.Module]:
    return {
        path.relative_to(ROOT).as_posix(): ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted((ROOT / "lean").rglob("*.py"))
        if path.relative_to(ROOT).as_posix() != "lean/shared/events.py"
    }


def _kind_argument(call: ast.Call, takers: dict[str, int]) -> ast.expr | None:
    name = call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", None)
    if name not in takers:
        return None
    keyword = next((k.value for k in call.keywords if k.arg == "kind"), None)
    position = takers[name]
    return keyword or (call.args[position] if len(call.args) > position else None)


def _takers(modules: dict[str, ast.Module]) -> dict[str, int]:
    """The record functions and every helper that hands its own `kind` parameter on to one."""
    takers = dict(KIND_TAKERS)
    while True:
        found = {}
        for tree in modules.values():
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef) or function.name in takers:
                    continue
                parameters = [argument.arg for argument in function.args.args]
                for call in ast.walk(function):
                    argument = isinstance(call, ast.Call) and _kind_argument(call, takers)
                    if isinstance(argument, ast.Name) and argument.id in parameters:
                        found[function.name] = parameters.index(argument.id)
        if not found:
            return takers
        takers.update(found)


def _strings_in(expression: ast.expr, function: ast.AST) -> list[str]:
    """String literals the expression is, contains, or (a local name) was assigned."""
    nodes = [expression]
    if isinstance(expression, ast.Name):
        nodes += [
            assignment.value
            for assignment in ast.walk(function)
            if isinstance(assignment, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == expression.id for t in assignment.targets)
        ]
    return [
        node.value
        for top in nodes
        for node in ast.walk(top)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_no_event_is_recorded_or_subscribed_to_by_a_plain_string():
    modules = _modules()
    takers = _takers(modules)
    assert {"_record"} <= set(takers)  # the network's helper is found, not only the two
    found = []
    for path, tree in modules.items():
        for function in [tree, *ast.walk(tree)]:
            if not isinstance(function, ast.FunctionDef | ast.Module):
                continue
            for call in ast.walk(function):
                argument = isinstance(call, ast.Call) and _kind_argument(call, takers)
                if argument and (strings := _strings_in(argument, function)):
                    found.append(f"{path}:{call.lineno} {strings}")
    assert sorted(set(found)) == []


def test_the_record_functions_take_only_a_catalogue_member():
    for taker in (events.record_event, events.record_admin_event, events.subscribe):
        assert typing.get_type_hints(taker)["kind"] is EventKind, taker.__name__
