"""The figures of `make bench`, kept in bench-results.json and printed as one table at the end.

Each benchmark script calls `record(...)` for every figure that has a target (or that is
printed beside one); `make bench` starts with `python bench/results.py --reset` and ends with
`python bench/results.py` (the summary table). The file is a list of
{"name", "value", "unit", "target", "met", "why"} objects: "target" is a text such as
"≤ 300 ms" (empty for a figure printed for comparison), "met" true, false or null (no target),
"why" for a target missed: what the same run measured of its parts, and what would reach it.
The summary prints the reasons of the misses under the table.
"""

import json
import sys
from pathlib import Path

FILE = Path(__file__).resolve().parents[1] / "bench-results.json"


def record(
    name: str,
    value: float,
    unit: str,
    target: str = "",
    met: bool | None = None,
    why: str = "",
) -> None:
    """Add one figure to bench-results.json (a new file if there is none); `why` is kept for a
    target missed only."""
    rows = json.loads(FILE.read_text()) if FILE.exists() else []
    rows = [r for r in rows if r["name"] != name]  # a rerun of one script replaces its figures
    row = {"name": name, "value": round(value, 3), "unit": unit, "target": target, "met": met}
    if met is False and why:
        row["why"] = why
    rows.append(row)
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
    missed = [r for r in rows if r["met"] is False]
    if missed:
        print("\nWhy the misses (measured in the same run) and what would reach them:")
    for r in missed:
        print(f"- {r['name']}: {r.get('why') or 'no reason recorded'}")
    print(f"\n{len(rows)} figures, {len(missed)} targets missed; written to {FILE.name}")
    return 0


if __name__ == "__main__":
    if "--reset" in sys.argv:
        FILE.unlink(missing_ok=True)
    else:
        sys.exit(summary())
