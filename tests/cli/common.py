"""Helpers for the CLI tests: run the real dcplan binary and check what it says."""
import json
import os
import subprocess
import sys
import tempfile

DCPLAN = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "build/dcplan"
FAILURES = []
CHECKS = [0]

# Text that must never reach a user: C++ exception types and library internals.
FORBIDDEN = ["std::", "nlohmann", "json.exception", "terminate called", "what():", "Aborted",
             "Segmentation", "basic_string", "AddressSanitizer", "runtime error:"]


def run(*args, stdin=None, cwd=None, env=None):
    p = subprocess.run([DCPLAN, *args], input=stdin, capture_output=True, text=True, cwd=cwd,
                       env=env, timeout=120)
    return p.returncode, p.stdout, p.stderr


def check(cond, what):
    CHECKS[0] += 1
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what, file=sys.stderr)


def check_clean(stderr, what):
    for bad in FORBIDDEN:
        check(bad not in stderr, f"{what}: stderr shows {bad!r}: {stderr[:300]}")


def finish():
    failed = len(FAILURES)
    print(f"{CHECKS[0] - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def tempdir():
    return tempfile.mkdtemp(prefix="dcplan-test-")


MINIMAL_PATH = "scenarios/examples/minimal.json"


def write_in(directory, name, doc):
    """Writes doc (text, or a JSON value) to directory/name, making its folders; the path."""
    path = os.path.join(directory, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(doc if isinstance(doc, str) else json.dumps(doc))
    return path


def minimal_variant(directory, name, **patch):
    """scenarios/examples/minimal.json with top-level keys replaced, written to directory/name."""
    doc = json.load(open(MINIMAL_PATH))
    doc.update(patch)
    return write_in(directory, name, doc)


def temporaries(directory):
    """What an interrupted or failed write may have left in directory."""
    return [f for f in os.listdir(directory) if f.startswith(".dcplan-") or ".tmp." in f]

