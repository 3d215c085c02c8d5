"""benchmarks/run_all.py collects every bench module's rows into one markdown table, failures included."""
from __future__ import annotations

import importlib.util
import math
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def load_run_all():
    spec = importlib.util.spec_from_file_location("run_all_under_test", REPO / "benchmarks" / "run_all.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GOOD = '''
from benchmarks.common import median_time, row

def run(quick=False):
    calls = []
    fast = median_time(lambda: sum(range(1000)), repeats=3 if quick else 5)
    slow = median_time(lambda: sum(range(20000)), repeats=3 if quick else 5)
    return [row("sum", "1k vs 20k", fast, baseline="20k", ratio=fast / slow, goal="< 1", notes=f"quick={quick}")]
'''

BROKEN = '''
def run(quick=False):
    raise RuntimeError("model | file missing")
'''


def test_run_all_writes_one_table_and_reports_failures(tmp_path, capsys):
    (tmp_path / "bench_good.py").write_text(GOOD)
    (tmp_path / "bench_broken.py").write_text(BROKEN)
    (tmp_path / "helper.py").write_text("raise SystemExit('not a benchmark, never imported')")
    out = tmp_path / "RESULTS.md"
    run_all = load_run_all()
    code = run_all.main(["--quick", "--dir", str(tmp_path), "--out", str(out)])
    assert code == 1  # a failed module makes the command fail, after writing the table
    text = out.read_text()
    assert text == capsys.readouterr().out.rstrip("\n") + "\n"
    table = [line for line in text.splitlines() if line.startswith("| sum |")]
    assert len(table) == 1 and "quick=True" in table[0]
    ratio = float(table[0].split("|")[5].strip().rstrip("x"))
    assert 0 < ratio < 1  # the 1k-term sum is faster than the 20k-term baseline
    assert "| broken | FAILED |" in text and "model / file missing" in text
    assert "| good |" in text and "| broken |" in text and "Quick mode" in text

    assert run_all.main(["--dir", str(tmp_path), "--only", "good", "--out", str(out)]) == 0
    assert "broken" not in out.read_text() and "quick=False" in out.read_text()


def test_only_names_an_unknown_benchmark(tmp_path):
    run_all = load_run_all()
    try:
        run_all.discover(["nope"], tmp_path)
    except SystemExit as exc:
        assert "no benchmark named ['nope']" in str(exc)
    else:
        raise AssertionError("an unknown --only name must fail")
    assert math.isnan(run_all.run_module(tmp_path / "bench_missing.py", True)[0][0]["median"])
