"""Ctrl-C stops a long sensitivity, solve or optimize within a second with KeyboardInterrupt,
as it stops a sweep (pytest; PYTHONPATH=build/python)."""
import os
import signal
import subprocess
import sys
import time

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ALIBABA = os.path.join(ROOT, "scenarios", "alibaba-380b.json")

# Each runs for minutes (or hours) when nothing stops it.
LONG = {
    "sensitivity_sobol": "dcplan.sensitivity(A, vary={'/capex/budget*': '0.8:1.2'}, "
                         "metrics=['energy_twh@2032'], method='sobol', samples=1000000)",
    "sensitivity_morris": "dcplan.sensitivity(A, vary={'/capex/budget*': '0.8:1.2'}, "
                          "metrics=['energy_twh@2032'], method='morris', trajectories=100000, "
                          "jobs=1)",
    "solve": "dcplan.solve(A, vary={'/capex/budget*': (0.5, 2)}, "
             "targets=['energy_twh@2032>=1e9'], grid=100000, jobs=1)",
    "optimize": "dcplan.optimize(A, 'energy_twh@2032', vary={'/capex/budget*': (0.5, 2)}, "
                "starts=10000, max_runs=1000000, xtol=1e-15, jobs=1)",
}


@pytest.mark.parametrize("name", sorted(LONG))
def test_keyboard_interrupt_stops_a_long_call_within_a_second(name):
    code = ("import dcplan\n"
            f"A = {ALIBABA!r}\n"
            "print('started', flush=True)\n"
            "try:\n"
            f"    {LONG[name]}\n"
            "    print('finished', flush=True)\n"
            "except KeyboardInterrupt:\n"
            "    print('interrupted', flush=True)\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert p.stdout.readline().strip() == "started"
        time.sleep(1.5)  # well into the call
        assert p.poll() is None, "ended before the signal"
        sent = time.monotonic()
        p.send_signal(signal.SIGINT)
        out, _ = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name}: still running 30 s after Ctrl-C")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    elapsed = time.monotonic() - sent
    assert "interrupted" in out and p.returncode == 0, out
    assert elapsed < 1.0, f"KeyboardInterrupt after {elapsed:.2f} s"
