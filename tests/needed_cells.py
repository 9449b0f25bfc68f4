"""Which earlier cells of a notebook a cell needs: a static reading of the names it uses.

The practice and browser tests run a lesson's checks and demos without the lesson's long
experiments (nbval runs every cell): they keep the cells that bind a name a kept cell reads,
and the statements that may change such a name in place (``model.train()``, ``train(model)``,
``history[k] = v``).
"""

import ast
import copy

import nbformat

PRACTICE_TAGS = {"practice-blank", "practice-check"}


class _Reads(ast.NodeVisitor):
    """The names code binds, and those it reads before binding them (``free``), visited in the
    order Python evaluates them (an assignment's value before its targets)."""

    def __init__(self, bound: set[str] | None = None) -> None:
        self.bound, self.free = set(bound or ()), set()

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.free |= {node.id} - self.bound
        else:
            self.bound.add(node.id)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            self.visit(target)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        if isinstance(node.target, ast.Name):
            self.free |= {node.target.id} - self.bound
        self.visit(node.target)

    def visit_For(self, node: ast.For) -> None:
        self.visit(node.iter)
        self.visit(node.target)
        for statement in [*node.body, *node.orelse]:
            self.visit(statement)

    def _comprehension(self, node: ast.expr, parts: list[ast.expr]) -> None:
        for generator in node.generators:
            self.visit(generator.iter)
            self.visit(generator.target)
            for condition in generator.ifs:
                self.visit(condition)
        for part in parts:
            self.visit(part)

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._comprehension(node, [node.elt])

    visit_SetComp = visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._comprehension(node, [node.key, node.value])

    def _scope(self, node: ast.AST, body: list[ast.AST], arguments: ast.arguments | None) -> None:
        for decorator in getattr(node, "decorator_list", []):
            self.visit(decorator)
        args = arguments.posonlyargs + arguments.args + arguments.kwonlyargs if arguments else []
        if arguments:
            for default in [*arguments.defaults, *arguments.kw_defaults]:
                if default is not None:
                    self.visit(default)
        extra = [a.arg for a in (arguments.vararg, arguments.kwarg) if a] if arguments else []
        inner = _Reads(self.bound | {a.arg for a in args} | set(extra))
        for statement in body:
            inner.visit(statement)
        self.free |= inner.free

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.bound.add(node.name)
        self._scope(node, node.body, node.args)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for base in node.bases:
            self.visit(base)
        self.bound.add(node.name)
        self._scope(node, node.body, None)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._scope(node, [node.body], node.args)

    def visit_alias(self, node: ast.alias) -> None:
        self.bound.add((node.asname or node.name).split(".")[0])


def _python(source: str) -> str:
    """A cell's source without its IPython lines (``%magic``, ``!shell``)."""
    return "\n".join("" if line.lstrip()[:1] in "%!" else line for line in source.splitlines())


def _base(node: ast.expr) -> str | None:
    """The name an expression starts from: ``model`` in ``model.fc.weight[0]``."""
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def names(source: str) -> tuple[set[str], set[str], set[str]]:
    """(bound, free, acted on) names of one cell: what it binds, what it reads from earlier
    cells, and which of those it may change in place (the object of a method call, the
    arguments of a call whose result is dropped, the object of an item assignment)."""
    tree = ast.parse(_python(source))
    reads = _Reads()
    reads.visit(tree)
    acted = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            call = node.value
            acted |= {_base(call.func) if isinstance(call.func, ast.Attribute) else None}
            acted |= {_base(a) for a in [*call.args, *(k.value for k in call.keywords)]}
        elif isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            acted |= {_base(t) for t in targets if not isinstance(t, ast.Name)}
    return reads.bound, reads.free, acted & reads.free


def _modules(nb: nbformat.NotebookNode) -> set[str]:
    """The names that import statements bind anywhere in ``nb``."""
    found = set()
    for cell in nb.cells:
        if cell.cell_type == "code":
            for node in ast.walk(ast.parse(_python(cell.source))):
                if isinstance(node, ast.alias):
                    found.add((node.asname or node.name).split(".")[0])
    return found


def needed(nb: nbformat.NotebookNode, targets: list[int]) -> list[int]:
    """Indices of the code cells that the cells ``targets`` need, the targets included, in
    order: working back from the last target, a cell is kept if it binds a name that a kept
    cell after it reads, or may change such a name in place (calls on modules do not count)."""
    modules = _modules(nb)
    keep, wanted = set(), set()
    for k in range(max(targets), -1, -1):
        cell = nb.cells[k]
        if cell.cell_type != "code":
            continue
        bound, free, acted = names(cell.source)
        if k in targets or (bound | (acted - modules)) & wanted:
            keep.add(k)
            wanted = (wanted - bound) | free
    return sorted(keep)


def practice_run(nb: nbformat.NotebookNode, last: int) -> nbformat.NotebookNode:
    """A copy of a practice edition ``nb`` down to cell ``last``: every blank and check on the
    way, cell ``last`` itself, and the other cells they need."""
    tagged = [k for k, c in enumerate(nb.cells[:last])
              if PRACTICE_TAGS & set(c.metadata.get("tags", []))]  # fmt: skip
    run = copy.deepcopy(nb)
    run.cells = [nb.cells[k] for k in needed(nb, [*tagged, last])]
    return run
