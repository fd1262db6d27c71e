"""The figures of `make bench`, kept in bench-results.json and printed as one table at the end.

Each benchmark script calls `record(...)` for every figure that has a target (or that is
printed beside one); `make bench` starts with `python bench/results.py --reset` and ends with
`python bench/results.py` (the summary table). The file is a list of
{"name", "value", "unit", "target", "met"} objects: "target" is a text such as "≤ 300 ms"
(empty for a figure printed for comparison), "met" true, false or null (no target).
"""

import json
import sys
from pathlib import Path

FILE = Path(__file__).resolve().parents[1] / "bench-results.json"


def record(name: str, value: float, unit: str, target: str = "", met: bool | None = None) -> None:
    """Add one figure to bench-results.json (a new file if there is none)."""
    rows = json.loads(FILE.read_text()) if FILE.exists() else []
    rows = [r for r in rows if r["name"] != name]  # a rerun of one script replaces its figures
    rows.append(
        {"name": name, "value": round(value, 3), "unit": unit, "target": target, "met": met}
    )
    FILE.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")


def summary() -> int:
    """Print every recorded figure; the exit status says whether every target was met."""
    rows = json.loads(FILE.read_text()) if FILE.exists() else []
    width = max((len(r["name"]) for r in rows), default=10)
    print(f"\n{'Summary of make bench':{width}}  {'value':>12}  {'target':<14} met")
    print("-" * (width + 36))
    for r in rows:
        met = {True: "yes", False: "NO", None: ""}[r["met"]]
        value = f"{r['value']:,.2f} {r['unit']}"
        print(f"{r['name']:{width}}  {value:>12}  {r['target']:<14} {met}")
    missed = [r["name"] for r in rows if r["met"] is False]
    print(f"\n{len(rows)} figures, {len(missed)} targets missed; written to {FILE.name}")
    return 0


if __name__ == "__main__":
    if "--reset" in sys.argv:
        FILE.unlink(missing_ok=True)
    else:
        sys.exit(summary())
