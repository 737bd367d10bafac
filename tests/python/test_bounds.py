"""Every numeric argument of the Python functions has the command line's bounds: a value outside
them is an InputError naming the argument and the range, before any run (pytest;
PYTHONPATH=build/python)."""
import os
import subprocess
import sys

import pytest

import dcplan

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MINIMAL = os.path.join(ROOT, "scenarios", "examples", "minimal.json")

SOBOL = dict(vary={"/capex/budget*": "0.8:1.2"}, metrics=["energy_twh@2030"], method="sobol",
             samples=16, bootstrap=10)
MORRIS = dict(vary={"/capex/budget*": "0.8:1.2"}, metrics=["energy_twh@2030"], method="morris",
              trajectories=4)
SOLVE = dict(vary={"/capex/budget": (1e9, 1e10)}, targets=["energy_twh@2030>=2.5"])
OPTIMIZE = dict(objective="energy_twh@2030", vary={"/capex/budget*": (0.8, 1.2)}, max_runs=20)
SWEEP = dict(vary={"/capex/budget*": [1, 2]})

# (function, arguments that work, the argument, a bad value, the words of the message)
CASES = [
    (dcplan.sensitivity, SOBOL, "bootstrap", -1, "0 to 100000"),
    (dcplan.sensitivity, SOBOL, "bootstrap", 100001, "0 to 100000"),
    (dcplan.sensitivity, SOBOL, "samples", 1, "2 to 1000000"),
    (dcplan.sensitivity, SOBOL, "samples", 10**7, "2 to 1000000"),
    (dcplan.sensitivity, SOBOL, "jobs", 10**6, "to 1024 threads"),
    (dcplan.sensitivity, SOBOL, "jobs", -1, "to 1024 threads"),
    (dcplan.sensitivity, SOBOL, "seed", -1, "0 to 18446744073709551615"),
    (dcplan.sensitivity, SOBOL, "seed", 2**64, "0 to 18446744073709551615"),
    (dcplan.sensitivity, SOBOL, "samples", 2.5, "whole number"),
    (dcplan.sensitivity, MORRIS, "levels", 10**6, "2 to 100"),
    (dcplan.sensitivity, MORRIS, "levels", 3, "even"),
    (dcplan.sensitivity, MORRIS, "trajectories", 1, "2 to 100000"),
    (dcplan.sensitivity, MORRIS, "trajectories", 10**12, "2 to 100000"),
    (dcplan.solve, SOLVE, "jobs", 10**6, "to 1024 threads"),
    (dcplan.solve, SOLVE, "grid", 1, "2 to 100000"),
    (dcplan.solve, SOLVE, "grid", 10**10, "2 to 100000"),
    (dcplan.solve, SOLVE, "tolerance", 0.0, "(0, 1)"),
    (dcplan.solve, SOLVE, "tolerance", float("nan"), "(0, 1)"),
    (dcplan.optimize, OPTIMIZE, "jobs", 10**6, "to 1024 threads"),
    (dcplan.optimize, OPTIMIZE, "starts", 10**5, "1 to 10000"),
    (dcplan.optimize, OPTIMIZE, "max_runs", 2**40, "10 to 1000000"),
    (dcplan.optimize, OPTIMIZE, "xtol", 1.0, "(0, 1)"),
    (dcplan.optimize, OPTIMIZE, "seed", -5, "0 to 18446744073709551615"),
    (dcplan.sweep, SWEEP, "jobs", 10**6, "to 256 threads"),
    (dcplan.sweep, SWEEP, "samples", 0, "1 to 1000000000"),
    (dcplan.sweep, SWEEP, "seed", -1, "0 to 18446744073709551615"),
    (dcplan.sweep, SWEEP, "shard", (3, 2), "0 <= k < n"),
]


@pytest.mark.parametrize("function, args, name, bad, words", CASES,
                         ids=[f"{c[0].__name__}-{c[2]}={c[3]!r}" for c in CASES])
def test_an_argument_outside_the_command_lines_bounds_is_an_input_error(function, args, name,
                                                                        bad, words):
    with pytest.raises(dcplan.InputError) as e:
        function(MINIMAL, **{**args, name: bad})
    assert name in e.value.file.replace("-", "_"), (e.value.file, str(e.value))
    assert words in str(e.value), str(e.value)


def test_a_bool_is_not_a_number():
    with pytest.raises(dcplan.InputError) as e:
        dcplan.sensitivity(MINIMAL, **{**SOBOL, "jobs": True})
    assert "jobs" in e.value.file


def test_the_bounds_themselves_are_accepted():
    dcplan.sensitivity(MINIMAL, **{**MORRIS, "levels": 100, "trajectories": 2, "jobs": 1024})
    dcplan.sensitivity(MINIMAL, **{**SOBOL, "samples": 2, "bootstrap": 0, "seed": 2**64 - 1})
    dcplan.solve(MINIMAL, **{**SOLVE, "grid": 2, "jobs": 0})
    dcplan.optimize(MINIMAL, **{**OPTIMIZE, "max_runs": 10, "seed": 0, "jobs": 1024})
    dcplan.sweep(MINIMAL, **{**SWEEP, "jobs": 256, "seed": 2**64 - 1})


def test_a_billion_trajectories_are_refused_before_any_run():
    # The reported command: it took 8.9 GB and kept running. In a child, with a timeout.
    code = ("import dcplan\n"
            "try:\n"
            f"    dcplan.sensitivity({MINIMAL!r}, vary={{'/capex/budget*': '0.8:1.2'}},\n"
            "                       metrics=['energy_twh@2030'], method='morris',\n"
            "                       trajectories=10**9)\n"
            "except dcplan.InputError as e:\n"
            "    print('refused', e.file, e, flush=True)\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    try:
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                           timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("trajectories=10**9 ran for a minute instead of being refused")
    assert p.stdout.startswith("refused") and "2 to 100000" in p.stdout, p.stdout + p.stderr
