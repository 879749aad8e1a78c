"""Read recipe and component files (YAML or JSON) and validate them.

Every failure becomes a :class:`~brainc.errors.RecipeError` naming the file and
the path inside it, e.g. ``recipes/x.yaml: layers[2].components[0].count: must
be >= 1``.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import RecipeError, format_path
from .recipe import ComponentSpec, Recipe

M = TypeVar("M", bound=BaseModel)

#: folder with the shipped component library (repo layout: <root>/components)
LIBRARY = Path(__file__).resolve().parent.parent / "components"


def _no_dup_loader() -> type[yaml.SafeLoader]:
    # libyaml's C parser when available (~5x faster on large component libraries)
    class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        pass

    def construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return yaml.SafeLoader.construct_mapping(loader, node, deep)

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return Loader


_LOADER = _no_dup_loader()


def parse_text(text: str, file: str) -> Any:
    """Parse YAML or JSON text (by extension; YAML is a superset for the rest)."""
    try:
        if file.endswith(".json"):
            return json.loads(text)
        return yaml.load(text, Loader=_LOADER)
    except json.JSONDecodeError as exc:
        raise RecipeError(file, "", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RecipeError(file, "", f"not valid YAML: {problem}{where}") from None


def read_file(path: Path) -> tuple[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RecipeError(str(path), "", "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RecipeError(str(path), "", f"cannot read: {exc}") from None
    return text, parse_text(text, str(path))


def _explain(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        op = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}[kind]
        limit = next(iter(ctx.values())) if ctx else "?"
        return f"must be {op} {limit}"
    msg = str(err.get("msg", "invalid"))
    return msg[len("Value error, "):] if msg.startswith("Value error, ") else msg


def _best_error(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """Pick the most telling error: union branches produce noise such as
    'input should be a valid number' next to the real cause."""
    def rank(e: dict[str, Any]) -> tuple[int, int]:
        generic = e.get("type", "") in ("float_type", "string_type", "list_type", "model_type",
                                         "dict_type", "literal_error", "int_type", "bool_type")
        return (1 if generic else 0, -len(e.get("loc", ())))
    return sorted(errors, key=rank)[0]


def validate(model: type[M], data: Any, file: str, prefix: tuple = ()) -> M:
    """Validate ``data`` into ``model``; errors name file and path."""
    if not isinstance(data, dict):
        raise RecipeError(file, format_path(prefix), f"expected a mapping, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errs = exc.errors()
        err = _best_error(errs)
        loc = tuple(x for x in err.get("loc", ()) if not _is_union_tag(x))
        more = f" (and {len(errs) - 1} more)" if len(errs) > 1 and len({e['loc'][:1] for e in errs}) > 1 else ""
        raise RecipeError(file, format_path(prefix + loc), _explain(err) + more) from None


def _is_union_tag(x: Any) -> bool:
    # pydantic inserts the union branch name (e.g. 'float', 'Distribution',
    # 'list[float]', "literal['a','b']") into locations; users never wrote those.
    return isinstance(x, str) and (x in ("float", "str", "int", "Distribution", "Rule", "list[float]")
                                   or x.startswith(("literal[", "function-", "list[function-")))


def load_recipe(path: str | Path) -> tuple[Recipe, str, Path]:
    """Load and validate a recipe, merging ``include`` fragments (cycles are
    errors). Returns (recipe, canonical text, resolved path). An error inside
    an included fragment names the fragment's file and its own path there."""
    recipe, text, path, _ = load_recipe_traced(path)
    return recipe, text, path


def load_recipe_traced(path: str | Path) -> tuple[Recipe, str, Path, "Origins"]:
    """:func:`load_recipe` plus the :class:`Origins` of the merged entries, for
    later stages to name the fragment an error comes from."""
    path = Path(path).resolve()
    data, where = _load_with_includes(path, [])
    origins = Origins(str(path), where)
    text = json.dumps(data, sort_keys=True, indent=1)
    try:
        recipe = validate(Recipe, data, str(path))
    except RecipeError as exc:
        raise origins.relocate(exc) from None
    return recipe, text, path, origins


#: where a merged top-level entry was written: a list's items as (file, index
#: in that file's list), a mapping's keys as file, anything else as file
Where = dict[str, "list[tuple[str, int]] | dict[str, str] | str"]


class Origins:
    """Where each entry of a merged recipe was written (built by the same
    merge as the recipe itself). :meth:`relocate` turns an error about the
    merged recipe into one about the fragment (``frag.yaml: populations[0].size``),
    not ``populations[3].size`` of the top recipe."""

    def __init__(self, top: str, where: Where) -> None:
        self.top = top
        self.where = where

    def relocate(self, exc: RecipeError) -> RecipeError:
        """``exc`` about the merged recipe, re-aimed at the file that wrote the entry."""
        if exc.file != self.top or not exc.path:
            return exc
        m = re.match(r"([A-Za-z_]\w*)(?:\[(\d+)\])?(.*)$", exc.path, re.S)
        if not m:
            return exc
        key, idx, rest = m.group(1), m.group(2), m.group(3)
        src = self.where.get(key)
        file, path = self.top, exc.path
        if isinstance(src, list):
            if idx is None or int(idx) >= len(src):
                return exc
            file, i = src[int(idx)]
            path = f"{key}[{i}]{rest}"
        elif isinstance(src, dict):
            sub = re.match(r"\.([^.\[]+)", rest)
            file = src.get(sub.group(1), self.top) if sub else self.top
        elif isinstance(src, str):
            file = src
        if file == self.top:  # the top recipe's own entry: its own index there
            return exc if path == exc.path else RecipeError(self.top, path, exc.message)
        return RecipeError(f"{file} (included by {Path(self.top).name})", path, exc.message)


def _load_with_includes(path: Path, stack: list[Path]) -> tuple[dict[str, Any], Where]:
    """The recipe at ``path`` with its fragments merged in, and where each
    merged entry came from."""
    if path in stack:
        chain = " -> ".join(p.name for p in stack + [path])
        raise RecipeError(str(stack[-1]), "include", f"include cycle: {chain}")
    _, data = read_file(path)
    if not isinstance(data, dict):
        raise RecipeError(str(path), "", f"expected a mapping at the top level, got {type(data).__name__}")
    includes = data.get("include", [])
    if not isinstance(includes, list):
        raise RecipeError(str(path), "include", "expected a list of file names")
    merged: dict[str, Any] = {}
    where: Where = {}
    for i, inc in enumerate(includes):
        if not isinstance(inc, str):
            raise RecipeError(str(path), f"include[{i}]", "expected a file name")
        target = (path.parent / inc).resolve()
        if not target.is_relative_to(path.parent.resolve()) and not target.is_relative_to(LIBRARY.parent):
            raise RecipeError(str(path), f"include[{i}]", f"{inc!r} escapes the recipe's folder")
        if not target.is_file():
            raise RecipeError(str(path), f"include[{i}]", f"no such file {inc!r}")
        _merge(merged, where, *_load_with_includes(target, stack + [path]))
    body = {k: v for k, v in data.items() if k != "include"}
    own: Where = {k: [(str(path), j) for j in range(len(v))] if isinstance(v, list)
                  else {str(s): str(path) for s in v} if isinstance(v, dict) else str(path)
                  for k, v in body.items()}
    _merge(merged, where, body, own)
    return merged, where


def _merge(into: dict[str, Any], into_where: Where, frag: dict[str, Any], frag_where: Where) -> None:
    """Lists are appended, mappings merged, anything else replaced; the
    entries' origins follow the same rule."""
    for key, val in frag.items():
        if key in into and isinstance(into[key], list) and isinstance(val, list):
            into[key] = into[key] + val
            into_where[key] = into_where[key] + frag_where[key]  # type: ignore[operator]
        elif key in into and isinstance(into[key], dict) and isinstance(val, dict):
            into[key] = {**into[key], **val}
            into_where[key] = {**into_where[key], **frag_where[key]}  # type: ignore[dict-item]
        else:
            into[key] = val
            into_where[key] = frag_where[key]


class ComponentLibrary:
    """Resolves component names to validated specs, only inside ``roots``."""

    def __init__(self, roots: list[Path], inline: dict[str, ComponentSpec], recipe_file: str) -> None:
        self.roots = [r.resolve() for r in roots]
        self.inline = inline
        self.recipe_file = recipe_file
        self._cache: dict[str, tuple[ComponentSpec, str]] = {}

    def get(self, name: str, where: str) -> tuple[ComponentSpec, str]:
        """(spec, file it came from); ``where`` is the referencing recipe path."""
        if name in self.inline:
            return self.inline[name], self.recipe_file
        if name in self._cache:
            return self._cache[name]
        if "\\" in name or name.startswith("/") or ".." in Path(name).parts:
            raise RecipeError(self.recipe_file, where,
                              f"component path {name!r} escapes the component search path")
        for root in self.roots:
            for ext in (".yaml", ".yml", ".json"):
                cand = (root / f"{name}{ext}").resolve()
                if not cand.is_relative_to(root):
                    raise RecipeError(self.recipe_file, where,
                                      f"component path {name!r} escapes the component search path")
                if cand.is_file():
                    _, data = read_file(cand)
                    spec = validate(ComponentSpec, data, str(cand))
                    self._cache[name] = (spec, str(cand))
                    return self._cache[name]
        searched = ", ".join(str(r) for r in self.roots)
        raise RecipeError(self.recipe_file, where, f"unknown component {name!r} (searched {searched})")


def component_roots(recipe: Recipe, recipe_path: Path) -> list[Path]:
    """The configured search path: the recipe's own ``search_path`` entries
    (relative to its folder), then its folder, then the shipped library."""
    base = recipe_path.parent
    roots = [(base / p).resolve() for p in recipe.search_path]
    for i, r in enumerate(roots):
        if not (r.is_relative_to(base.resolve()) or r.is_relative_to(LIBRARY.parent)):
            raise RecipeError(str(recipe_path), f"search_path[{i}]",
                              f"{recipe.search_path[i]!r} is outside the recipe's folder and the project")
    for extra in (base, base / "components", LIBRARY, LIBRARY / "sub"):
        if extra.is_dir() and extra.resolve() not in roots:
            roots.append(extra.resolve())
    return roots
