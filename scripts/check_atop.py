"""Check the three frameworks against ATOP's own coding, row by row, on a copy of ATOP's alliance-level file.

    python scripts/check_atop.py PATH/TO/atop4_01_alliance_level.csv

ATOP's data is not part of this repository (get it from the ATOP project and cite Leeds et al. 2002). The
script reads the file twice: with the csv module, for ATOP's own columns, and with ``classifier.atop``, as
``classify`` does; then it checks, for every row:

- article: an alliance exactly when ATOP codes defense or offense; offensive exactly when it codes offense;
- atop:    an alliance, holding exactly the obligations ATOP codes (defense, offense, neutral, nonagg,
           consul);
- cow:     an alliance, typed by the strongest pledge ATOP codes (defence or offence: Type I; neutrality or
           non-aggression: Type II; consultation only: Type III);

and prints the counts, every disagreement, and the time each framework takes over the whole file. It exits
1 if any row disagrees.
"""

from __future__ import annotations

import csv
import sys
import time
from collections import Counter

from classifier.atop import classify_atop
from classifier.batch import Failure
from classifier.frameworks import FRAMEWORKS, load_frameworks

ATOP_DECISIONS = {"defense": "mutual_defence", "offense": "offensive", "neutral": "neutrality",
                  "nonagg": "non_aggression", "consul": "consultation"}  # fmt: skip


def cow_type(row: dict[str, str]) -> str:
    if row["defense"] == "1" or row["offense"] == "1":
        return "defence_pact"
    if row["neutral"] == "1" or row["nonagg"] == "1":
        return "neutrality_or_non_aggression_pact"
    return "entente"


def expected(framework: str, row: dict[str, str]) -> dict[str, object]:
    fight = row["defense"] == "1" or row["offense"] == "1"
    if framework == "article":
        posture = ("offensive" if row["offense"] == "1" else "defensive") if fight else None
        return {"label": "alliance" if fight else "neither", "posture": posture}
    if framework == "atop":
        found: dict[str, object] = {"label": "alliance"}
        found.update(
            {column: kind if row[column] == "1" else None for column, kind in ATOP_DECISIONS.items()}
        )
        return found
    return {"label": "alliance", "cow_type": cow_type(row)}


def main(path: str) -> int:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = {row["atopid"]: row for row in csv.DictReader(handle)}
    print(f"{path}: {len(rows)} rows")
    fight = sum(1 for r in rows.values() if r["defense"] == "1" or r["offense"] == "1")
    offense = sum(r["offense"] == "1" for r in rows.values())
    print(f"ATOP codes {fight} with defense or offense, {offense} offense")
    disagreements = 0
    for ruleset in load_frameworks(list(FRAMEWORKS)):
        start = time.perf_counter()
        results = list(classify_atop(path, ruleset))
        seconds = time.perf_counter() - start
        labels: Counter[str] = Counter()
        subtypes: Counter[str] = Counter()
        wrong = 0
        for result in results:
            if isinstance(result, Failure):
                print("  failed:", "; ".join(str(p) for p in result.problems))
                wrong += 1
                continue
            labels[result.label] += 1
            for name, value in result.decisions.items():
                if value:
                    subtypes[f"{name}={value}"] += 1
            row = rows[result.source.rsplit("#", 1)[1]]
            got = {"label": result.label, **result.decisions}
            want = expected(ruleset.name, row)
            if any(got.get(k) != v for k, v in want.items()):
                wrong += 1
                print(f"  {ruleset.name}: atopid {row['atopid']}: got {got}, ATOP's coding gives {want}")
        disagreements += wrong
        per_row = seconds / len(results) * 1000
        name, count = ruleset.name, len(results)
        print(f"{name:8s} {count} rows, {seconds:.2f} s ({per_row:.2f} ms a row), {wrong} disagree")
        print(f"         {dict(sorted(labels.items()))}; {dict(sorted(subtypes.items()))}")
    return 1 if disagreements else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
