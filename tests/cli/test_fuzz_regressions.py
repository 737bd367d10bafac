"""Inputs the fuzzer once crashed on (tests/fuzz/regressions) and the seed corpus: dcplan
validates and runs each without crashing (exit 0, 1 or 2, never 3 or a signal)."""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import check, check_clean, finish, run, tempdir  # noqa: E402

# Each input is run from a copy beside the shipped scenarios, as the fuzz target names it.
d = tempdir()
inputs = []
for folder in ("tests/fuzz/regressions", "tests/fuzz/corpus"):
    for name in sorted(os.listdir(folder)):
        if name != "README":
            inputs.append(os.path.join(folder, name))
check(len(inputs) >= 50, f"seed corpus and regressions: {len(inputs)}")
for path in inputs:
    data = open(path, "rb").read().split(b"\0")[0]
    target = os.path.join("scenarios", f".fuzz-replay.{os.getpid()}.json")
    try:
        open(target, "wb").write(data)
        rc, out, err = run("run", target, "--format", "csv", "--by", "hardware")
    finally:
        os.remove(target)
    check(rc in (0, 1, 2), f"{path}: exit 0, 1 or 2, got {rc}: {err[:300]}")
    check_clean(err, path)
finish()
