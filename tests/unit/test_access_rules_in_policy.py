"""Who may do what is decided in lean/shared/policy.py and nowhere else.

The models hold a person's roles; pages and queries ask the policy, which names each rule
once. A template or a view that read the roles itself would be a second copy of a rule that
could drift from the policy's.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROLE_ATTRIBUTES = {"is_admin", "is_coordinator", "role_in"}

# Where the roles are data rather than a rule: the models define them, the seeds and the
# forms set them, the personal-data download lists them, and a member is looked up by role.
NOT_RULES = {
    ("lean/admin/services.py", "personal_data", "user.is_coordinator"),
    ("lean/admin/views.py", "_member_of", "person.role_in"),
}
DATA_PACKAGES = ("lean/models/", "lean/seeds/")


class _RoleReads(ast.NodeVisitor):
    """Each read of a role attribute, with the function it is read in."""

    def __init__(self):
        self.functions: list[str] = []
        self.found: list[tuple[str, str, int]] = []

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    def visit_Attribute(self, node: ast.Attribute) -> None:
        # A form's field of the same name, or the model itself, is not a person's role.
        if node.attr in ROLE_ATTRIBUTES and not (
            isinstance(node.value, ast.Name) and node.value.id in {"form", "self"}
        ):
            function = self.functions[-1] if self.functions else ""
            self.found.append((function, ast.unparse(node), node.lineno))
        self.generic_visit(node)


def _role_reads(path: Path) -> list[tuple[str, str, int]]:
    reads = _RoleReads()
    reads.visit(ast.parse(path.read_text(encoding="utf-8")))
    return reads.found


def test_no_code_outside_the_policy_reads_a_persons_roles():
    found = []
    for path in sorted((ROOT / "lean").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative == "lean/shared/policy.py" or relative.startswith(DATA_PACKAGES):
            continue
        for function, expression, line in _role_reads(path):
            if (relative, function, expression) not in NOT_RULES:
                found.append(f"{relative}:{line} {expression}")
    assert found == []


def test_no_template_decides_by_the_current_users_roles():
    role_check = re.compile(r"\bcurrent_user\.(is_admin|is_coordinator|is_supervisor)\b")
    found = [
        f"{path.relative_to(ROOT).as_posix()}:{number} {line.strip()}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if role_check.search(line)
    ]
    assert found == []
