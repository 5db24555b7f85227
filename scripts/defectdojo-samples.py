#!/usr/bin/env python3
"""
Copies DefectDojo's parser-test sample reports for Scan Ledger's 13 formats into
test/fixtures/defectdojo-samples/<tool>/ and writes expected.json there: for every test method
of unittests/tools/test_<tool>_parser.py that opens exactly one sample file, the finding count
DefectDojo's test asserts for it. test/unit/defectdojo-samples.test.ts reads both.

Usage: scripts/defectdojo-samples.py <bare DefectDojo git dir> [commit]
"""
import ast
import json
import textwrap
import re
import subprocess
import sys
from pathlib import Path

TOOLS = ["sarif", "semgrep", "gitleaks", "trivy", "bandit", "checkov", "zap", "dependency_check",
         "npm_audit", "npm_audit_7_plus", "gosec", "spotbugs", "generic"]
# Files over this size are not copied (the expected count is still recorded, marked skipped), so
# the repository does not grow by megabytes for a few large samples.
MAX_BYTES = 700_000

git_dir, commit = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "HEAD")
root = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "defectdojo-samples"


def git(*args: str) -> bytes:
    return subprocess.run(["git", f"--git-dir={git_dir}", *args], check=True, capture_output=True).stdout


commit = git("rev-parse", commit).decode().strip()
FILE_PATTERNS = [
    r'get_unit_tests_scans_path\("(?P<tool>[\w]+)"\)\s*/\s*"(?P<file>[^"]+)"',
    r'sample_path\("(?P<file>[^"]+)"\)',
    r'"unittests/scans/(?P<tool>[\w]+)/(?P<file>[^"]+)"',
    r'get_unit_tests_path\(\)\s*\+\s*"/scans/(?P<tool>[\w]+)/(?P<file>[^"]+)"',
    r'get_unit_tests_scans_path\("(?P<tool>[\w]+)"\)\s*/\s*"(?P<dir>[^"]+)"\s*/\s*"(?P<file>[^"]+)"',
]
COUNT_PATTERNS = [r"assertEqual\(\s*(\d+)\s*,\s*len\((?:findings|items|test\.findings|parsed_findings)\)\s*\)", r"assertEqual\(\s*len\((?:findings|items|test\.findings|parsed_findings)\)\s*,\s*(\d+)\s*\)"]

FINDING_LISTS = {"findings", "items"}
SORTS = ("sorted(", ".sort(")


def field_assertions(source: str) -> list:
    """
    The `assertEqual(literal, <finding>.<field>)` assertions of one test method, in order, as
    [index, field, value]: `<finding>` is `findings[N]`, `items[N]`, or a name assigned one of
    them (or `items[i]` with `i = N`). Methods that sort or filter the list first are skipped.
    """
    if any(sort in source for sort in SORTS):
        return []
    try:
        tree = ast.parse(textwrap.dedent(source))
    except SyntaxError:
        return []
    names: dict = {}
    ints: dict = {}
    result = []

    def index_of(node):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in FINDING_LISTS:
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, int):
                return key.value
            if isinstance(key, ast.Name) and key.id in ints:
                return ints[key.id]
        if isinstance(node, ast.Name) and node.id in names:
            return names[node.id]
        return None

    def visit(node):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            target = node.targets[0].id
            index = index_of(node.value)
            if index is not None:
                names[target] = index
            elif isinstance(node.value, ast.Constant) and isinstance(node.value.value, int):
                ints[target] = node.value.value
            else:
                names.pop(target, None)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "assertEqual" and len(node.args) == 2:
            for attribute, literal in ((node.args[1], node.args[0]), (node.args[0], node.args[1])):
                if isinstance(attribute, ast.Attribute):
                    index = index_of(attribute.value)
                    if index is None:
                        continue
                    try:
                        value = ast.literal_eval(literal)
                    except ValueError:
                        continue
                    if isinstance(value, (str, int, float, bool, type(None), list)):
                        result.append([index, attribute.attr, value])
                    break
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return result


manifest = {"source": "https://github.com/DefectDojo/django-DefectDojo", "commit": commit, "licence": "BSD-3-Clause", "tools": {}}
for tool in TOOLS:
    test_text = git("show", f"{commit}:unittests/tools/test_{tool}_parser.py").decode()
    files = git("ls-tree", "-r", "-l", commit, f"unittests/scans/{tool}/").decode().splitlines()
    sizes = {line.split("\t")[1].split(f"unittests/scans/{tool}/", 1)[1]: int(line.split()[3]) for line in files}
    methods = re.split(r"\n    def ", test_text)
    cases = []
    for method in methods[1:]:
        name = method.split("(", 1)[0]
        found = []
        for pattern in FILE_PATTERNS:
            for match in re.finditer(pattern, method):
                groups = match.groupdict()
                if groups.get("tool", tool) != tool:
                    continue
                path = f"{groups['dir']}/{groups['file']}" if groups.get("dir") else groups["file"]
                if path not in found:
                    found.append(path)
        counts = [int(m.group(1)) for p in COUNT_PATTERNS for m in re.finditer(p, method)]
        if len(found) != 1 or not counts or found[0] not in sizes:
            continue
        # The first count asserted is the parser's output; later ones may follow filtering.
        first = min((m.start(), int(m.group(1))) for p in COUNT_PATTERNS for m in re.finditer(p, method))[1]
        cases.append({"test": name, "file": found[0], "count": first, "copied": sizes[found[0]] <= MAX_BYTES,
                      "fields": field_assertions("    def " + method)})
    manifest["tools"][tool] = cases
    # Every sample of the folder is copied (within the size bound), including the ones DefectDojo
    # uses in importer tests or expects to be refused, so the test can check those too.
    for file, size in sorted(sizes.items()):
        if size <= MAX_BYTES:
            target = root / tool / file
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(git("show", f"{commit}:unittests/scans/{tool}/{file}"))
    manifest.setdefault("files", {})[tool] = {file: size <= MAX_BYTES for file, size in sorted(sizes.items())}
(root / "expected.json").write_text(json.dumps(manifest, indent=1) + "\n")
licence = git("show", f"{commit}:LICENSE.md").decode()
(root / "LICENSE.md").write_text(licence)
print(json.dumps({tool: len(cases) for tool, cases in manifest["tools"].items()}))
