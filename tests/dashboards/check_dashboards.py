#!/usr/bin/env python3
"""Checks the bundled Grafana dashboards: valid JSON, unique panel ids, and every metric a
query uses is one msgwatch documents in the README (so a renamed metric cannot leave a
dashboard silently empty). Usage: check_dashboards.py README.md DASHBOARD.json..."""
import json
import re
import sys

METRIC = re.compile(r"\b((?:kafka|redis|msgwatch)_[a-z0-9_]+)\b")


def main(readme_path, dashboard_paths):
    readme = open(readme_path, encoding="utf-8").read()
    problems = []
    for path in dashboard_paths:
        dashboard = json.load(open(path, encoding="utf-8"))
        ids = [panel["id"] for panel in dashboard["panels"]]
        if len(ids) != len(set(ids)):
            problems.append(f"{path}: duplicate panel ids")
        exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
        exprs += [v.get("query", "") for v in dashboard["templating"]["list"] if isinstance(v.get("query"), str)]
        for expr in exprs:
            for metric in METRIC.findall(expr):
                # A histogram is documented by its name; queries read its _bucket, _sum, _count.
                base = re.sub(r"_(bucket|sum|count)$", "", metric)
                if f"`{metric}`" not in readme and f"`{base}`" not in readme:
                    problems.append(f"{path}: {metric} is not in the README's metric reference")
    for problem in problems:
        print(problem)
    print(f"{len(dashboard_paths)} dashboards checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
