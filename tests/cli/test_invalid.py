"""Every invalid scenario under tests/invalid gives exit 2 and an error naming the file, the JSON
pointer and the key words of the problem; none crashes or shows a C++ exception type."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import check, check_clean, finish, run  # noqa: E402

manifest = json.load(open("tests/invalid/cases.json"))
cases = manifest["cases"]
check(len(cases) >= 40, f"at least 40 invalid scenarios, found {len(cases)}")

for case in cases:
    path = os.path.join("tests/invalid", case["file"])
    rc, out, err = run("validate", path)
    name = case["file"]
    check(rc == 2, f"{name}: exit code 2, got {rc}; stderr: {err[:300]}")
    check_clean(err, name)
    lines = [l for l in err.splitlines() if l.startswith("error: tests/invalid/")]
    check(lines, f"{name}: an error line naming a file under tests/invalid: {err[:300]}")
    # The diagnostic that matches: names the file (or, for a cycle, a file of the cycle),
    # the pointer and every key word.
    want_ptr = case["pointer"]

    def matches(line):
        if "line" in case:
            if f"{path}:{case['line']}:{case['column']}: " not in line:
                return False
        elif want_ptr:
            if f": {want_ptr}: " not in line:
                return False
        return all(w in line for w in case["words"])

    ok = any(matches(l) for l in lines)
    check(ok, f"{name}: an error with pointer {want_ptr!r} and words {case['words']}; got:\n{err}")
    if not case["file"].startswith("cycle"):
        check(any(l.startswith(f"error: {path}") for l in lines),
              f"{name}: the error names the file {path}: {err[:300]}")

finish()
