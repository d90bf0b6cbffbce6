#!/usr/bin/env python3
"""Runs every panel query of the dashboards against a live Prometheus.

Every template variable is replaced by ".*" (all of them: the dashboards match them with
=~), each target's expression is sent to /api/v1/query, and a panel has data when one of its
targets returns a series. Fails when Prometheus rejects a query, or when a panel has no
data and is not listed in <expected-empty> (lines "<dashboard uid>: <panel title>", "#"
starts a comment: the reason the test scenario cannot show it). A listed panel that has
data is reported, so that the list does not outlive its reasons.

usage: query_dashboards.py <prometheus-url> <expected-empty> <dashboard.json>...
"""
import json
import re
import sys
import urllib.parse
import urllib.request

VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)")


def panels(items):
    for panel in items:
        yield panel
        yield from panels(panel.get("panels", []))


def query(prometheus, expr):
    url = prometheus.rstrip("/") + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        return json.load(error)


def expected_empty(path):
    listed = set()
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            line = line.split("#", 1)[0].strip()
            if line:
                uid, title = (part.strip() for part in line.split(":", 1))
                listed.add((uid, title))
    return listed


def main(prometheus, expected_path, dashboards):
    listed = expected_empty(expected_path)
    problems, with_data, without_data = [], 0, []
    for path in dashboards:
        with open(path, encoding="utf-8") as f:
            dashboard = json.load(f)
        uid = dashboard["uid"]
        for panel in panels(dashboard.get("panels", [])):
            if panel.get("type") == "row":
                continue
            has_data = False
            for target in panel.get("targets", []):
                expr = VARIABLE.sub(".*", target.get("expr", ""))
                if not expr:
                    continue
                answer = query(prometheus, expr)
                if answer.get("status") != "success":
                    problems.append(f"{uid}: {panel['title']}: Prometheus rejects {expr!r}: {answer.get('error')}")
                elif answer["data"]["result"]:
                    has_data = True
            key = (uid, panel["title"])
            if has_data:
                with_data += 1
                if key in listed:
                    print(f"note: {uid}: {panel['title']} has data although listed as expected empty")
            else:
                without_data.append(key)
                if key not in listed:
                    problems.append(f"{uid}: {panel['title']}: no data")
    for problem in problems:
        print(problem)
    print(f"{with_data} panels with data, {len(without_data)} without ({len(listed)} expected), "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
