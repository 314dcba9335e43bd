"""Static integrity scan of a lab submission: what a reviewer should look at before trusting a score.

Students work in Colab, where nbgrader's cell locks do not exist, so a submission may contain
code that changes how it is graded. This scan parses (never runs) every code cell that differs
from the released notebook and flags:

- ``patches-module``: assignment to an attribute of an imported module or class
  (``torch.allclose = ...``, ``setattr(grading, ...)``), or to ``sys.modules``;
- ``patches-builtins``: touching ``builtins``/``__builtins__``;
- ``patches-ipython``: hooking IPython's input or execution machinery (input transformers,
  AST transformers, events, magics, ``sys.settrace``);
- ``touches-checks``: any use of the grading module other than what the released cells do;
- ``ignores-interrupts``: installing a signal handler (a loop that ignores SIGINT cannot be
  stopped by the grader's per-cell timeout);
- ``files-or-processes``: writing or deleting files, spawning processes;
- ``delegates``: calling a function the exercise asks the student to write themselves
  (the lab lists them in its notebook metadata ``dlcourse.forbidden_calls``).

A flag sends the submission to manual review; it never changes a score by itself.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import nbformat

_IPYTHON_HOOKS = {"input_transformers_cleanup", "input_transformers_post", "input_transformer_manager",
                  "ast_transformers", "events", "register_magic_function", "register_magics", "run_cell",
                  "showtraceback", "set_custom_exc", "displayhook", "display_pub"}
_FILE_CALLS = {"remove", "unlink", "rmtree", "rmdir", "rename", "replace", "system", "popen", "Popen", "run",
               "call", "check_call", "check_output", "write_text", "write_bytes", "copy", "copyfile", "move",
               "chmod", "makedirs", "mkdir", "kill", "fork", "execv", "spawnv", "_exit", "abort"}
_GRADING_NAMES = {"grading", "Checker", "CheckFailed", "check_function", "check_close", "verify_integrity"}


@dataclass(frozen=True)
class Flag:
    """One finding: its kind, the cell index, the line in that cell, and the code."""

    kind: str
    cell: int
    line: int
    code: str

    def __str__(self) -> str:
        return f"{self.kind} (cell {self.cell}, line {self.line}): {self.code}"


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


class _Scanner(ast.NodeVisitor):
    def __init__(self, cell: int, lines: list[str], forbidden: set[str], allowed_grading: set[str],
                 aliases: dict[str, str]):
        self.cell, self.lines, self.forbidden, self.allowed_grading = cell, lines, forbidden, allowed_grading
        self.aliases = aliases
        self.flags: list[Flag] = []

    def flag(self, kind: str, node: ast.AST) -> None:
        line = getattr(node, "lineno", 1)
        code = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        self.flags.append(Flag(kind, self.cell, line, code))

    def _check_target(self, target: ast.AST, node: ast.AST) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for t in target.elts:
                self._check_target(t, node)
        elif isinstance(target, ast.Attribute):
            name = _dotted(target)
            root = name.split(".")[0]
            if root in ("builtins", "__builtins__"):
                self.flag("patches-builtins", node)
            elif root in _GRADING_NAMES or ".grading." in f".{name}.":
                self.flag("touches-checks", node)
            elif root not in ("self",):
                self.flag("patches-module", node)
        elif isinstance(target, ast.Subscript):
            name = _dotted(target.value)
            if name in ("sys.modules", "__builtins__") or name.startswith("builtins"):
                self.flag("patches-module" if name == "sys.modules" else "patches-builtins", node)
        elif isinstance(target, ast.Name) and target.id in _GRADING_NAMES | {"__builtins__"}:
            self.flag("touches-checks" if target.id != "__builtins__" else "patches-builtins", node)

    def visit_Assign(self, node):
        for target in node.targets:
            self._check_target(target, node)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._check_target(node.target, node)
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        self._check_target(node.target, node)
        self.generic_visit(node)

    def visit_Delete(self, node):
        for target in node.targets:
            self._check_target(target, node)
        self.generic_visit(node)

    def visit_FunctionDef(self, node):
        if node.name in _GRADING_NAMES:
            self.flag("touches-checks", node)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

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
        for alias in node.names:
            if f"{module}.{alias.name}" in self.forbidden:
                self.flag("delegates", node)
        self.generic_visit(node)

    def visit_Attribute(self, node):
        if node.attr in _IPYTHON_HOOKS and isinstance(node.ctx, ast.Load):
            root = _dotted(node).split(".")[0]
            if root in ("get_ipython()", "ip", "ipython", "shell", "IPython"):
                self.flag("patches-ipython", node)
        if _dotted(node).split(".")[0] == "grading" and node.attr not in self.allowed_grading:
            self.flag("touches-checks", node)
        self.generic_visit(node)

    def visit_Call(self, node):
        name = _dotted(node.func)
        last = name.split(".")[-1]
        if name in ("setattr", "delattr") and node.args:
            target = _dotted(node.args[0]).split(".")[0]
            self.flag("touches-checks" if target in _GRADING_NAMES else
                      ("patches-builtins" if target in ("builtins", "__builtins__") else "patches-module"), node)
        elif name in ("sys.settrace", "sys.setprofile", "threading.settrace") or name.endswith("register_magic_function"):
            self.flag("patches-ipython", node)
        elif name in ("signal.signal", "signal.setitimer", "signal.pthread_sigmask") or name == "signal":
            self.flag("ignores-interrupts", node)
        elif name in ("exec", "eval", "compile", "__import__", "importlib.reload", "importlib.import_module"):
            self.flag("patches-module", node)
        elif name == "open" and _opens_for_writing(node):
            self.flag("files-or-processes", node)
        elif last in _FILE_CALLS and name.split(".")[0] in ("os", "shutil", "subprocess", "pathlib", "Path", "sys") \
                or name.endswith((".write_text", ".write_bytes", ".unlink", ".rmdir")):
            self.flag("files-or-processes", node)
        if _resolve(name, self.aliases) in self.forbidden:
            self.flag("delegates", node)
        self.generic_visit(node)


def _opens_for_writing(node: ast.Call) -> bool:
    mode = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "mode"), None)
    return isinstance(mode, ast.Constant) and isinstance(mode.value, str) and any(c in mode.value for c in "wax+")


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
    """Map every name bound by an import in ``sources`` to the dotted name it stands for."""
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
    return aliases


def scan_source(source: str, cell: int = 0, *, forbidden: set[str] = frozenset(),
                allowed_grading: set[str] = frozenset({"Checker"}), aliases: dict[str, str] | None = None) -> list[Flag]:
    """Flags for one cell's Python source (IPython magics and shell lines are skipped)."""
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        return [Flag("syntax-error", cell, exc.lineno or 1, str(exc.msg))]
    aliases = import_aliases([source]) if aliases is None else aliases
    scanner = _Scanner(cell, source.splitlines(), set(forbidden), set(allowed_grading), aliases)
    scanner.visit(tree)
    return scanner.flags


def scan_submission(submission: nbformat.NotebookNode, release: nbformat.NotebookNode) -> list[Flag]:
    """Flags for every code cell of ``submission`` that is not identical to a cell of ``release``.

    The forbidden calls come from the release's metadata ``dlcourse.forbidden_calls``.
    """
    released = {c.source for c in release.cells if c.cell_type == "code"}
    forbidden = set(release.metadata.get("dlcourse", {}).get("forbidden_calls", []))
    code_cells = [c.source for c in submission.cells if c.cell_type == "code"]
    aliases = import_aliases(code_cells)
    flags: list[Flag] = []
    for index, cell in enumerate(submission.cells):
        if cell.cell_type == "code" and cell.source not in released:
            flags += scan_source(cell.source, index, forbidden=forbidden, aliases=aliases)
    return flags
