"""docs/python.md's example runs as written (from the repository's root), its plots drawn by a
stand-in (matplotlib is not a dependency)."""
import os
import re

import pandas

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class _Plot:
    """Takes any plotting call (df.plot(...), df.plot.area(), ...) and draws nothing."""

    def __init__(self, frame):
        self.frame = frame

    def __call__(self, *args, x=None, y=None, **kwargs):
        for name in [x] + (y if isinstance(y, list) else [y]):
            assert name is None or name in self.frame, f"plot of a missing column {name}"
        return self

    def __getattr__(self, name):
        return self


def test_python_docs_example_runs(monkeypatch):
    text = open(os.path.join(ROOT, "docs", "python.md")).read()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    monkeypatch.setattr(pandas.DataFrame, "plot", property(_Plot))
    monkeypatch.setattr(pandas.Series, "plot", property(_Plot))
    monkeypatch.chdir(ROOT)
    scope = {}
    exec(compile(code, "docs/python.md", "exec"), scope)
    assert scope["r"].feasible and scope["c"].rows.shape[0] > 0
    assert set(scope["stats"]["metric"]) >= {"energy_twh"}
    assert scope["mc"]["run"].nunique() == 10000
