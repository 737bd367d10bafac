"""Helpers for the CLI tests: run the real dcplan binary and check what it says."""
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
