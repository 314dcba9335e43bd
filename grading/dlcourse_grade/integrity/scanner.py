"""The scan of one cell's syntax tree: the :class:`Flag` it reports and the visitor that decides, node by node,
what patches modules, builtins or IPython, touches the checks, handles signals, files or processes, or delegates
an answer to the function it replaces."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .aliases import _GRADING_NAMES, _MODULES, _dotted, _resolve

__all__ = ["Flag"]


_IPYTHON_HOOKS = {
    "input_transformers_cleanup",
    "input_transformers_post",
    "input_transformer_manager",
    "ast_transformers",
    "events",
    "register_magic_function",
    "register_magics",
    "run_cell",
    "showtraceback",
    "set_custom_exc",
    "displayhook",
    "display_pub",
}
#: Hook names no student code has another reason to touch: flagged on any object.
_DISTINCT_HOOKS = _IPYTHON_HOOKS - {"events", "run_cell", "displayhook", "display_pub"}
_IPYTHON_ROOTS = {"get_ipython()", "ip", "ipython", "shell", "IPython"}
_FILE_CALLS = {
    "remove",
    "unlink",
    "rmtree",
    "rmdir",
    "rename",
    "replace",
    "system",
    "popen",
    "Popen",
    "run",
    "call",
    "check_call",
    "check_output",
    "write_text",
    "write_bytes",
    "copy",
    "copyfile",
    "move",
    "chmod",
    "makedirs",
    "mkdir",
    "kill",
    "fork",
    "execv",
    "spawnv",
    "_exit",
    "abort",
}


@dataclass(frozen=True)
class Flag:
    """One finding: its kind, the cell index, the line in that cell, and the code.

    Parameters
    ----------
    kind : str
        What was found: ``patches-module``, ``patches-builtins``, ``patches-ipython``, ``touches-checks``,
        ``ignores-interrupts``, ``files-or-processes``, ``delegates`` or ``syntax-error``.
    cell : int
        The cell's index in the notebook.
    line : int
        The line in the cell, from 1.
    code : str
        That line, stripped.
    """

    kind: str
    cell: int
    line: int
    code: str

    def __str__(self) -> str:
        return f"{self.kind} (cell {self.cell}, line {self.line}): {self.code}"


class _Scanner(ast.NodeVisitor):
    def __init__(
        self, cell: int, lines: list[str], forbidden: set[str], allowed_grading: set[str], aliases: dict[str, str]
    ):
        self.cell, self.lines, self.forbidden, self.allowed_grading = cell, lines, forbidden, allowed_grading
        self.aliases = aliases
        self.flags: list[Flag] = []
        self.in_function = 0
        self.type_reference = 0  # inside isinstance's type argument or an identity test: naming is not using
        self.forbidden_methods = {name.split(".")[-1] for name in forbidden}
        self.forbidden_classes = {m.replace("_", "").lower() for m in self.forbidden_methods}
        self.modules = {v.split(".")[0] for v in aliases.values()} | _MODULES

    def flag(self, kind: str, node: ast.AST) -> None:
        line = getattr(node, "lineno", 1)
        code = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        self.flags.append(Flag(kind, self.cell, line, code))

    def name(self, node: ast.AST) -> str:
        """The dotted name of ``node`` with aliases resolved (``g.Checker`` -> ``dlcourse.grading.Checker``)."""
        return _resolve(_dotted(node), self.aliases)

    def _kind_of_object(self, name: str) -> str:
        """The flag for changing something of the object named ``name`` (resolved)."""
        parts = name.split(".")
        if parts[0] in ("builtins", "__builtins__"):
            return "patches-builtins"
        if parts[0] in _GRADING_NAMES or "grading" in parts or any(p in _GRADING_NAMES for p in parts):
            return "touches-checks"
        if parts[:2] == ["dlcourse", "labs"]:  # the visible checks' module (`lab01.part_a = ...`)
            return "touches-checks"
        if parts[0] in _IPYTHON_ROOTS:
            return "patches-ipython"
        return "patches-module"

    def _check_target(self, target: ast.AST, node: ast.AST) -> None:
        if isinstance(target, (ast.Tuple, ast.List, ast.Starred)):
            for t in getattr(target, "elts", [getattr(target, "value", None)]):
                self._check_target(t, node)
        elif isinstance(target, ast.Attribute):
            owner = self._owner(target.value)
            kind = self._kind_of_object(f"{owner}.{target.attr}")
            # the checks, builtins and IPython on any path; otherwise only a module's (or its class's)
            # attribute: `w.grad = g`, `model.training = False` change the student's own objects
            if kind != "patches-module" or self._is_module_path(owner):
                self.flag(kind, node)
        elif isinstance(target, ast.Subscript):
            name = self.name(target.value)
            if name in ("sys.modules", "__builtins__") or name.startswith("builtins"):
                self.flag("patches-module" if name == "sys.modules" else "patches-builtins", node)
            elif name.endswith("__dict__") or name.startswith("vars()"):  # a module's namespace, written by key
                self.flag(self._kind_of_object(_namespace_owner(target.value, self)), node)
        elif isinstance(target, ast.Name) and target.id in _GRADING_NAMES | {"__builtins__"}:
            self.flag("touches-checks" if target.id != "__builtins__" else "patches-builtins", node)

    def _owner(self, node: ast.AST) -> str:
        """The resolved name of the object an attribute is written on, also reached through
        ``getattr(torch, "nn")`` or ``sys.modules["torch"]``."""
        if isinstance(node, ast.Attribute):
            return f"{self._owner(node.value)}.{node.attr}"
        if (
            isinstance(node, ast.Call)
            and _dotted(node.func) == "getattr"
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
        ):
            return f"{self._owner(node.args[0])}.{node.args[1].value}"
        if isinstance(node, ast.Subscript) and self.name(node.value) == "sys.modules":
            key = node.slice.value if isinstance(node.slice, ast.Constant) else "?"
            return _resolve(str(key), self.aliases) if key != "?" else "sys.modules"
        return self.name(node)

    def _is_module_path(self, owner: str) -> bool:
        """``torch.nn`` or ``torch.Tensor``, not ``torch.zeros()`` (an object the student made)."""
        return "()" not in owner and owner.split(".")[0] in self.modules

    def _check_binding(self, targets: list[ast.AST], value: ast.AST | None, node: ast.AST) -> None:
        """``relu = F.relu`` or ``relu = nn.ReLU()`` binds an answer's name to the function it replaces."""
        if value is None:
            return
        bound = value.func if isinstance(value, ast.Call) else value
        if (
            isinstance(bound, (ast.Name, ast.Attribute))
            and self.delegated(self.name(bound))
            and any(isinstance(t, ast.Name) and t.id in self.forbidden_methods for t in targets)
        ):
            self.flag("delegates", node)

    def is_forbidden(self, name: str) -> bool:
        """Whether ``name`` is a forbidden function, reached by its listed path or from a submodule of the
        listed module (``dlcourse.activations.elementwise.sigmoid`` for ``dlcourse.activations.sigmoid``: a
        package re-exports its submodules' functions, and the scan cannot import the package to find out)."""
        if name in self.forbidden:
            return True
        module, _, last = name.rpartition(".")
        return any(
            module.startswith(listed.rpartition(".")[0] + ".")
            for listed in self.forbidden
            if listed.rpartition(".")[2] == last
        )

    def delegated(self, name: str) -> bool:
        """Whether the resolved ``name`` is a forbidden function or torch's module class for one."""
        if self.is_forbidden(name):
            return True
        last = name.split(".")[-1]
        return name.startswith("torch.nn.") and last[:1].isupper() and last.lower() in self.forbidden_classes

    def visit_Assign(self, node):
        for target in node.targets:
            self._check_target(target, node)
        self._check_binding(node.targets, node.value, node)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._check_target(node.target, node)
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        self._check_target(node.target, node)
        self._check_binding([node.target], node.value, node)
        self.generic_visit(node)

    def visit_Delete(self, node):
        for target in node.targets:
            self._check_target(target, node)
        self.generic_visit(node)

    def visit_FunctionDef(self, node):
        if getattr(node, "name", None) in _GRADING_NAMES:
            self.flag("touches-checks", node)
        self.in_function += 1
        self.generic_visit(node)
        self.in_function -= 1

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_Lambda = visit_FunctionDef

    def visit_ClassDef(self, node):
        if node.name in _GRADING_NAMES:
            self.flag("touches-checks", node)
        self.generic_visit(node)

    def visit_Import(self, node):
        for alias in node.names:
            if alias.name.split(".")[0] in ("builtins", "ctypes"):
                self.flag("patches-builtins" if alias.name == "builtins" else "patches-module", node)
            if alias.name.endswith("grading") and "grading" not in self.allowed_grading:
                self.flag("touches-checks", node)
        self.generic_visit(node)

    def visit_ImportFrom(self, node):
        module = node.module or ""
        if module.split(".")[0] in ("builtins", "ctypes"):
            self.flag("patches-builtins", node)
        if module.endswith("grading") or any(a.name == "grading" for a in node.names):
            self.flag("touches-checks", node)
        for alias in node.names:  # binding an answer's own name to the function it replaces
            if self.is_forbidden(f"{module}.{alias.name}") and (alias.asname or alias.name) in self.forbidden_methods:
                self.flag("delegates", node)
        self.generic_visit(node)

    def visit_Name(self, node):
        if (
            self.in_function
            and not self.type_reference
            and isinstance(node.ctx, ast.Load)
            and self.delegated(self.name(node))
        ):
            self.flag("delegates", node)  # an alias of F.relu used inside an answer

    def _visit_as_type(self, node: ast.AST) -> None:
        """Visit ``node``, a class or tuple of classes only named (``isinstance(layer, nn.ReLU)``), never run."""
        if isinstance(node, (ast.Name, ast.Attribute, ast.Tuple)):
            self.type_reference += 1
            self.visit(node)
            self.type_reference -= 1
        else:
            self.visit(node)

    def visit_Compare(self, node):
        # `type(layer) is nn.ReLU`: a type compared, not a function used
        for operand in (node.left, *node.comparators):
            self._visit_as_type(operand)

    def visit_Attribute(self, node):
        name = self.name(node)
        if node.attr in _DISTINCT_HOOKS or (node.attr in _IPYTHON_HOOKS and name.split(".")[0] in _IPYTHON_ROOTS):
            self.flag("patches-ipython", node)
        parts = name.split(".")
        if "grading" in parts and parts.index("grading") == len(parts) - 2 and node.attr not in self.allowed_grading:
            self.flag("touches-checks", node)
        if self.in_function and not self.type_reference and isinstance(node.ctx, ast.Load) and self.delegated(name):
            self.flag("delegates", node)  # F.relu passed or called inside an answer
        self.generic_visit(node)

    def visit_Call(self, node):
        name = _dotted(node.func)
        last = name.split(".")[-1]
        if name in ("setattr", "delattr") and node.args:
            owner = self._owner(node.args[0])
            kind = self._kind_of_object(owner)
            if kind != "patches-module" or self._is_module_path(owner):
                self.flag(kind, node)
        elif name == "getattr" and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
            attribute = str(node.args[1].value)
            owner = self.name(node.args[0])
            if attribute in _DISTINCT_HOOKS or (attribute in _IPYTHON_HOOKS and owner.split(".")[0] in _IPYTHON_ROOTS):
                self.flag("patches-ipython", node)
            elif self._kind_of_object(owner) == "touches-checks" and attribute not in self.allowed_grading:
                self.flag("touches-checks", node)
        elif (
            last in ("update", "setdefault", "pop", "__setitem__", "__delitem__")
            and isinstance(node.func, ast.Attribute)
            and (name.endswith("__dict__." + last) or _dotted(node.func.value).startswith("vars()"))
        ):
            self.flag(self._kind_of_object(_namespace_owner(node.func.value, self)), node)
        elif name in ("sys.settrace", "sys.setprofile", "threading.settrace") or name.endswith(
            "register_magic_function"
        ):
            self.flag("patches-ipython", node)
        elif name in ("signal.signal", "signal.setitimer", "signal.pthread_sigmask") or name == "signal":
            self.flag("ignores-interrupts", node)
        elif name in ("exec", "eval", "compile", "__import__", "importlib.reload", "importlib.import_module"):
            self.flag("patches-module", node)
        elif name == "open" and _opens_for_writing(node):
            self.flag("files-or-processes", node)
        elif (
            last in _FILE_CALLS
            and name.split(".")[0] in ("os", "shutil", "subprocess", "pathlib", "Path", "sys")
            or name.endswith((".write_text", ".write_bytes", ".unlink", ".rmdir"))
        ):
            self.flag("files-or-processes", node)
        if (
            self.in_function
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in self.forbidden_methods
            and not self.delegated(self.name(node.func))
            and not _is_module(self.name(node.func.value), self.aliases)
        ):
            self.flag("delegates", node)  # x.relu(), x.softmax(-1): torch's tensor method
        if name in ("isinstance", "issubclass") and len(node.args) == 2 and not node.keywords:
            self.visit(node.func)
            self.visit(node.args[0])
            self._visit_as_type(node.args[1])
        else:
            self.generic_visit(node)


def _namespace_owner(node: ast.AST, scanner: _Scanner) -> str:
    """``torch`` for ``torch.__dict__`` or ``vars(torch)``: whose namespace is written."""
    if isinstance(node, ast.Call) and _dotted(node.func) == "vars" and node.args:
        return scanner.name(node.args[0])
    if isinstance(node, ast.Attribute) and node.attr == "__dict__":
        return scanner.name(node.value)
    return scanner.name(node)


def _is_module(name: str, aliases: dict[str, str]) -> bool:
    """Whether ``name`` (resolved) is a module the notebook imported (``torch``, ``F``), not an object."""
    modules = set(aliases.values())
    return name in modules or any(m.startswith(name + ".") for m in modules) or name in _MODULES


def _opens_for_writing(node: ast.Call) -> bool:
    mode = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "mode"), None)
    return isinstance(mode, ast.Constant) and isinstance(mode.value, str) and any(c in mode.value for c in "wax+")
