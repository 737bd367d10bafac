"""Path confinement under a race: while dcplan reads a scenario whose include goes through a
directory, another thread swaps that directory for a symbolic link to a directory outside the
allowed tree, and back, in a loop. Each of a few hundred runs must either read the real file
(exit 0) or refuse (exit 2): never a byte of the outside file in its output or its error."""
import json
import os
import shutil
import sys
import threading

sys.path.insert(0, os.path.dirname(__file__))
from common import check, check_clean, finish, run, tempdir  # noqa: E402

RUNS = 300
SECRET = "SECRET-5f3a9c"

base = tempdir()
tree = os.path.join(base, "tree")
outside = os.path.join(base, "outside")
os.makedirs(os.path.join(tree, "sub"))
os.makedirs(outside)
minimal = json.load(open("scenarios/examples/minimal.json"))
hardware = {"hardware": minimal.pop("hardware")}
minimal["include"] = ["sub/hw.json"]
json.dump(minimal, open(os.path.join(tree, "s.json"), "w"))
json.dump(hardware, open(os.path.join(tree, "sub", "hw.json"), "w"))
# The outside file: valid JSON whose value is wrong, so a validation error would quote it.
with open(os.path.join(outside, "hw.json"), "w") as f:
    f.write('{"hardware": "' + SECRET + '"}\n')

sub = os.path.join(tree, "sub")
parked = os.path.join(tree, ".sub-real")
link_tmp = os.path.join(tree, ".sub-link")
stop = threading.Event()
swaps = [0]


def swapper():
    while not stop.is_set():
        os.rename(sub, parked)           # the real directory leaves
        os.symlink(outside, link_tmp)
        os.rename(link_tmp, sub)         # a link to the outside takes its name
        os.unlink(sub)
        os.rename(parked, sub)           # and the real directory comes back
        swaps[0] += 1


t = threading.Thread(target=swapper)
t.start()
outcomes = {0: 0, 2: 0}
leaks = []
try:
    for i in range(RUNS):
        rc, out, err = run("run", os.path.join(tree, "s.json"), "--by", "total", "--format", "csv")
        outcomes[rc] = outcomes.get(rc, 0) + 1
        if SECRET in out or SECRET in err:
            leaks.append((i, rc, err[:200]))
        check_clean(err, f"run {i}")
finally:
    stop.set()
    t.join()
    if os.path.exists(parked):
        if os.path.islink(sub):
            os.unlink(sub)
        os.rename(parked, sub)

print(f"{RUNS} runs, {swaps[0]} swaps: {outcomes}")
check(swaps[0] >= RUNS, f"the directory was swapped often ({swaps[0]} swaps)")
check(not leaks, f"never a byte of the outside file: {leaks[:3]}")
check(set(outcomes) <= {0, 2}, f"each run reads the real file or refuses: {outcomes}")
check(outcomes.get(2, 0) > 0 and outcomes.get(0, 0) > 0,
      f"both outcomes seen, so the race was really run: {outcomes}")
shutil.rmtree(base, ignore_errors=True)
finish()
