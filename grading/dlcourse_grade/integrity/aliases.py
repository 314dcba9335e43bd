"""What a name in a submission stands for: dotted names followed through the notebook's imports and plain
assignments (``F.relu`` is ``torch.nn.functional.relu``, ``g = grading``)."""

from __future__ import annotations

import ast

__all__ = ["DEFAULT_ALIASES", "import_aliases"]


#: Modules a lab may reach without importing them under that name in the submission.
_MODULES = {"torch", "numpy", "math", "sys", "os", "builtins", "dlcourse", "IPython", "matplotlib", "sklearn"}
_GRADING_NAMES = {"grading", "Checker", "CheckFailed", "check_function", "check_close", "verify_integrity"}


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    elif isinstance(node, ast.Call):
        parts.append(_dotted(node.func) + "()")
    return ".".join(reversed(parts))


#: Conventional import names, used when the notebook itself does not say what a prefix is.
DEFAULT_ALIASES = {"F": "torch.nn.functional", "np": "numpy", "nn": "torch.nn"}


def _resolve(called: str, aliases: dict[str, str]) -> str:
    """The full dotted name of ``called`` (``F.relu`` -> ``torch.nn.functional.relu``), via import aliases."""
    parts = called.split(".")
    for cut in range(len(parts), 0, -1):
        head = ".".join(parts[:cut])
        if head in aliases:
            return ".".join([aliases[head]] + parts[cut:])
    return called


def import_aliases(sources) -> dict[str, str]:
    """Map every name bound by an import in ``sources`` to the dotted name it stands for.

    Parameters
    ----------
    sources : iterable of str
        The code cells' sources; a cell that does not parse is skipped.

    Returns
    -------
    dict of str to str
        Name -> dotted name, starting from :data:`DEFAULT_ALIASES`; plain assignments of a known module,
        ``get_ipython()`` or a name of the checks (``g = grading``) are followed too.
    """
    aliases = dict(DEFAULT_ALIASES)
    for source in sources:
        code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module:
                for a in node.names:
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
            elif (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Subscript)
                and _resolve(_dotted(node.value.value), aliases) == "sys.modules"
                and isinstance(node.value.slice, ast.Constant)
            ):
                for target in node.targets:  # m = sys.modules["torch"]: m is torch
                    if isinstance(target, ast.Name):
                        aliases[target.id] = _resolve(str(node.value.slice.value), aliases)
            elif isinstance(node, ast.Assign) and isinstance(node.value, (ast.Name, ast.Attribute, ast.Call)):
                # g = grading, sh = get_ipython(), C = grading.Checker: the new name stands for the old one
                value = _resolve(_dotted(node.value), aliases)
                modules = {v.split(".")[0] for v in aliases.values()}
                if value == "get_ipython()" or value.split(".")[0] in modules | _GRADING_NAMES | {"IPython"}:
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            aliases[target.id] = value
    return aliases
