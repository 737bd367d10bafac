"""The Python module from several threads at once: a sweep on one thread and any dcplan call on
another finish (pytest; PYTHONPATH=build/python). Each scenario runs in a child interpreter with
a timeout, so a deadlock fails the test instead of hanging it."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MINIMAL = os.path.join(ROOT, "scenarios", "examples", "minimal.json")

CALLS = {
    "sweep": "dcplan.sweep(MINIMAL, vary={'/capex/budget*': 'uniform(0.8,1.2)'}, samples=50, "
             "jobs=1)",
    "sweep_summary": "dcplan.sweep(MINIMAL, vary={'/capex/budget*': 'uniform(0.8,1.2)'}, "
                     "samples=50, jobs=2, summary=True, progress=lambda d, t: None)",
    "run": "dcplan.run(MINIMAL)",
    "load": "dcplan.load(MINIMAL).to_json()",
    "validate": "dcplan.validate(MINIMAL)",
    "compare": "dcplan.compare(MINIMAL, MINIMAL)",
    "solve": "dcplan.solve(MINIMAL, vary={'/capex/budget': (1e9, 1e10)}, "
             "targets=['energy_twh@2030>=2.5'], jobs=1)",
    "sensitivity": "dcplan.sensitivity(MINIMAL, vary={'/capex/budget*': '0.8:1.2'}, "
                   "metrics=['energy_twh@2030'], samples=16, bootstrap=10, jobs=1)",
    "bad_input": "refused(lambda: dcplan.run(MINIMAL, set={'/regions/us-east/pue': 0.5}))",
}

SCRIPT = """
import sys, threading
import dcplan
MINIMAL = {minimal!r}
errors = []

def refused(call):
    try:
        call()
    except dcplan.InputError:
        return
    raise AssertionError("not refused")

def work(n):
    try:
        for _ in range(n):
        {call_a}
    except BaseException as e:
        errors.append(repr(e))

def other(n):
    try:
        for _ in range(n):
        {call_b}
    except BaseException as e:
        errors.append(repr(e))

threads = [threading.Thread(target=work, args=(4,), daemon=True) for _ in range(2)]
threads += [threading.Thread(target=other, args=(4,), daemon=True) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join(60)
if any(t.is_alive() for t in threads):
    print("HUNG", flush=True)
    import os
    os._exit(3)
print("ERRORS", errors if errors else "none", flush=True)
"""


def indent(code):
    return "    " + code


@pytest.mark.parametrize("other", sorted(CALLS))
def test_a_sweep_and_another_call_on_two_threads_both_finish(other):
    script = SCRIPT.format(minimal=MINIMAL, call_a=indent(CALLS["sweep"]),
                           call_b=indent(CALLS[other]))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    try:
        p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           env=env, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail(f"sweep and {other} on two threads: no end after 120 s (a deadlock)")
    assert p.returncode == 0 and "ERRORS none" in p.stdout, (p.stdout, p.stderr[-2000:])
