"""A loaded dcplan.Scenario is a snapshot: later calls use the document loaded, whatever
happens to its file, and overrides apply to it (pytest; PYTHONPATH=build/python)."""
import io
import json
import os
import shutil
import subprocess
import sys

import pytest

import dcplan

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MINIMAL = os.path.join(ROOT, "scenarios", "examples", "minimal.json")
PUE = {"/regions/us-east/pue": 1.4}


def plain(xs):
    """A column as a list that compares equal to itself (NaN as None)."""
    return [None if x != x else x for x in xs.tolist()]


def every_result(s):
    """What each function gives for `s`, as plain values, with the hash it names."""
    return {
        "to_json": (s.to_json() if isinstance(s, dcplan.Scenario) else None, None),
        "run": (plain(dcplan.run(s, by="total", metrics="energy_twh")["energy_twh"]), None),
        "run_set": (plain(dcplan.run(s, set={"/capex/budget": 3e9}, by="total",
                                     metrics="energy_twh")["energy_twh"]), None),
        "sweep": (plain(dcplan.sweep(s, vary={"/capex/budget*": [1, 2]})["energy_twh"]), None),
        "compare": (plain(dcplan.compare(s, s, set={"/capex/budget": 3e9}).rows["other"]),
                    dcplan.compare(s, s).base_sha256),
        "solve": (dcplan.solve(s, vary={"/capex/budget": (1e9, 1e10)},
                               targets=["energy_twh@2030>=2.5"]).value,
                  dcplan.solve(s, vary={"/capex/budget": (1e9, 1e10)},
                               targets=["energy_twh@2030>=2.5"]).scenario_sha256),
        "optimize": (dcplan.optimize(s, "energy_twh@2030", vary={"/capex/budget*": (0.8, 1.2)},
                                     max_runs=20).objective, None),
        "sensitivity": (plain(dcplan.sensitivity(s, vary={"/capex/budget*": "0.8:1.2"},
                                                 metrics=["energy_twh@2030"],
                                                 method="tornado", tidy=True)["value"]), None),
    }


def test_an_edit_after_loading_changes_nothing(tmp_path):
    path = tmp_path / "plan.json"
    shutil.copy(MINIMAL, path)
    s = dcplan.load(str(path), set=PUE)
    before = every_result(s)
    # The same document from the command line's view: the file with the same overrides.
    assert before["run"][0] == plain(dcplan.run(MINIMAL, set=PUE, by="total",
                                                metrics="energy_twh")["energy_twh"])
    doc = json.loads(path.read_text())
    doc["regions"]["us-east"]["pue"] = 1.9
    doc["capex"]["budget"] = 1e8
    path.write_text(json.dumps(doc))
    after = every_result(s)
    for name in before:
        assert after[name] == before[name], name
    assert before["compare"][1] == before["solve"][1] == s.sha256
    path.unlink()  # gone: the snapshot still runs
    assert every_result(s) == before


def test_overrides_apply_to_the_loaded_document(tmp_path):
    path = tmp_path / "plan.json"
    shutil.copy(MINIMAL, path)
    s = dcplan.load(str(path), set=PUE)
    path.write_text("{}")
    more = dcplan.run(s, set={"/capex/budget": 3e9}, by="total", metrics="energy_twh")
    ref = dcplan.run(MINIMAL, set={**PUE, "/capex/budget": 3e9}, by="total", metrics="energy_twh")
    assert more.equals(ref)
    with pytest.raises(dcplan.InputError) as e:
        dcplan.run(s, set={"/regions/us-east/pue": 0.5})
    assert e.value.file == "--set /regions/us-east/pue=0.5"
    # A value the loaded document breaks is named in the file loaded (not the one there now).
    with pytest.raises(dcplan.InputError) as e:
        dcplan.run(s, set={"/regions/us-east/initial/it_capacity_mw": 0.001})
    assert str(path) in str(e.value) and s.path == str(path)


def test_load_dash_reads_sys_stdin(monkeypatch):
    text = open(MINIMAL).read()
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    s = dcplan.load("-")
    assert s.path == "-" and s.sha256 == dcplan.load(MINIMAL).sha256
    # Later calls use what was read; standard input is not read again.
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert every_result(s) == every_result(dcplan.load(MINIMAL))


def test_run_dash_reads_the_interpreters_stdin_once():
    code = ("import dcplan, sys\n"
            "s = dcplan.load('-')\n"
            "print(s.name, len(dcplan.run(s)), flush=True)\n"
            "print(sys.stdin.read() == '', flush=True)\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    p = subprocess.run([sys.executable, "-c", code], input=open(MINIMAL).read(), text=True,
                       capture_output=True, env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split("\n")[0].startswith("minimal ") and "True" in p.stdout
