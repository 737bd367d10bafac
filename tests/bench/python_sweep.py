"""dcplan.sweep in Python against `dcplan sweep` on the command line: the same 100,000-run
Monte Carlo sweep of the main scenario with --summary, timed in turns (the median of a few
rounds), the same numbers checked; then how long Ctrl-C takes to stop a sweep from Python.

    PYTHONPATH=build-bench/python python3 tests/bench/python_sweep.py build-bench/dcplan [RUNS]

tools/bench runs it. Prints each time and the ratio python / cli (issue 19: at most 1.1).
"""
import csv
import io
import os
import signal
import statistics
import subprocess
import sys
import time

import dcplan

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCENARIO = os.path.join(ROOT, "scenarios", "alibaba-380b.json")
VARY = "/capex/budget*=uniform(0.8,1.2)"


def main():
    binary = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
    rounds = 5
    cli_cmd = [binary, "sweep", SCENARIO, "--vary", VARY, "--samples", str(runs), "--summary"]
    whole_cmd = [sys.executable, "-c",
                 "import dcplan; dcplan.sweep(%r, vary=[%r], samples=%d, summary=True)"
                 % (SCENARIO, VARY, runs)]
    cli_t, call_t, whole_t = [], [], []
    for _ in range(rounds):
        start = time.perf_counter()
        out = subprocess.run(cli_cmd, capture_output=True, text=True, check=True).stdout
        cli_t.append(time.perf_counter() - start)
        start = time.perf_counter()
        df = dcplan.sweep(SCENARIO, vary=[VARY], samples=runs, summary=True)
        call_t.append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run(whole_cmd, check=True)
        whole_t.append(time.perf_counter() - start)
    rows = list(csv.DictReader(io.StringIO(out)))
    same = len(rows) == len(df) and all(
        float(r["mean"]) == df["mean"].iloc[i] and float(r["p50"]) == df["p50"].iloc[i]
        for i, r in enumerate(rows))
    cli, call, whole = (statistics.median(t) for t in (cli_t, call_t, whole_t))
    print(f"sweep {runs:,} runs --summary, {os.cpu_count()} threads, median of {rounds} rounds:")
    print(f"  dcplan sweep (the command line, a process):      {cli:.2f} s")
    print(f"  dcplan.sweep(..., summary=True) (the call):      {call:.2f} s   "
          f"python / cli = {call / cli:.3f}")
    print(f"  python3 -c 'import dcplan; dcplan.sweep(...)':   {whole:.2f} s   "
          f"python / cli = {whole / cli:.3f}")
    print(f"  the same summary, every mean and p50 to the bit: {'yes' if same else 'NO'}")

    code = ("import dcplan\nprint('started', flush=True)\ntry:\n"
            f"    dcplan.sweep({SCENARIO!r}, vary=[{VARY!r}], samples=10**8, summary=True)\n"
            "except KeyboardInterrupt:\n    print('interrupted', flush=True)\n")
    waits = []
    for _ in range(rounds):
        p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        p.stdout.readline()
        time.sleep(1.0)
        sent = time.perf_counter()
        p.send_signal(signal.SIGINT)
        text, _ = p.communicate(timeout=30)
        waits.append(time.perf_counter() - sent)
        assert "interrupted" in text, text
    print(f"  Ctrl-C to KeyboardInterrupt in a 10^8-run sweep:  "
          f"{1000 * statistics.median(waits):.0f} ms median, {1000 * max(waits):.0f} ms worst")
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
