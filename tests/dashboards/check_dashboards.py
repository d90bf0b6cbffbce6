#!/usr/bin/env python3
"""Checks the bundled Grafana dashboards against the project's conventions:

- valid JSON; a unique, non-empty `uid` across the files given; `schemaVersion` >= 39;
- the tag `msgwatch` and at least one entry in `links` (the dashboards link to each other by tag);
- a `datasource` template variable (type datasource, query prometheus) and a `cluster` variable;
- every panel and every target queries `${datasource}`, and so do the query variables;
- every panel other than a row has a non-empty title, description and `fieldConfig.defaults.unit`;
- panel ids are unique, and every metric a query uses is one the README documents (so a renamed
  metric cannot leave a dashboard silently empty).

Prints one line per violation and exits 1 if there is any.
Usage: check_dashboards.py README.md DASHBOARD.json..."""
import json
import re
import sys

METRIC = re.compile(r"\b((?:kafka|redis|msgwatch)_[a-z0-9_]+)\b")
DATASOURCE = "${datasource}"
MIN_SCHEMA_VERSION = 39


def all_panels(panels):
    """Panels in layout order, with those inside collapsed rows."""
    for panel in panels:
        yield panel
        yield from all_panels(panel.get("panels", []))


def uses_datasource(thing):
    datasource = thing.get("datasource")
    return isinstance(datasource, dict) and datasource.get("uid") == DATASOURCE


def variable_query(variable):
    query = variable.get("query", "")
    return query.get("query", "") if isinstance(query, dict) else query


def check_dashboard(dashboard, readme):
    """Yields one message per violation of the conventions."""
    if dashboard.get("schemaVersion", 0) < MIN_SCHEMA_VERSION:
        yield f"schemaVersion is {dashboard.get('schemaVersion')}, must be at least {MIN_SCHEMA_VERSION}"
    if "msgwatch" not in dashboard.get("tags", []):
        yield 'tags lack "msgwatch" (the other dashboards link to this one by that tag)'
    if not dashboard.get("links"):
        yield "no links to the other msgwatch dashboards"

    variables = {v.get("name"): v for v in dashboard.get("templating", {}).get("list", [])}
    datasource = variables.get("datasource", {})
    if datasource.get("type") != "datasource" or datasource.get("query") != "prometheus":
        yield 'no template variable "datasource" of type datasource with query prometheus'
    if variables.get("cluster", {}).get("type") != "query":
        yield 'no query template variable "cluster"'
    exprs = []
    for name, variable in variables.items():
        if variable.get("type") == "query":
            exprs.append((f"variable {name}", variable_query(variable)))
            if not uses_datasource(variable):
                yield f"variable {name}: does not query {DATASOURCE}"

    panels = list(all_panels(dashboard.get("panels", [])))
    ids = [panel.get("id") for panel in panels]
    for duplicate in sorted({i for i in ids if ids.count(i) > 1}, key=str):
        yield f"panel id {duplicate} is used more than once"
    for panel in panels:
        if panel.get("type") == "row":
            continue
        where = f"panel {panel.get('id')} \"{panel.get('title', '')}\""
        for field in ("title", "description"):
            if not str(panel.get(field, "")).strip():
                yield f"{where}: no {field}"
        if not panel.get("fieldConfig", {}).get("defaults", {}).get("unit"):
            yield f"{where}: no unit in fieldConfig.defaults.unit"
        if not uses_datasource(panel):
            yield f"{where}: does not use the datasource {DATASOURCE}"
        if not panel.get("targets"):
            yield f"{where}: no targets"
        for target in panel.get("targets", []):
            if not uses_datasource(target):
                yield f"{where}, target {target.get('refId')}: does not use the datasource {DATASOURCE}"
            exprs.append((where, target.get("expr", "")))

    for where, expr in exprs:
        for metric in sorted(set(METRIC.findall(expr))):
            # A histogram is documented by its name; queries read its _bucket, _sum, _count.
            base = re.sub(r"_(bucket|sum|count)$", "", metric)
            if f"`{metric}`" not in readme and f"`{base}`" not in readme:
                yield f"{where}: {metric} is not in the README's metric reference"


def main(readme_path, dashboard_paths):
    with open(readme_path, encoding="utf-8") as f:
        readme = f.read()
    problems = [] if dashboard_paths else ["no dashboard given"]
    uids = {}
    for path in dashboard_paths:
        try:
            with open(path, encoding="utf-8") as f:
                dashboard = json.load(f)
        except (OSError, ValueError) as error:
            problems.append(f"{path}: not readable as JSON: {error}")
            continue
        if not isinstance(dashboard, dict):
            problems.append(f"{path}: not a dashboard (a JSON object)")
            continue
        uid = dashboard.get("uid")
        if not uid:
            problems.append(f"{path}: no uid")
        elif uid in uids:
            problems.append(f"{path}: uid {uid} is also the uid of {uids[uid]}")
        else:
            uids[uid] = path
        problems += [f"{path}: {problem}" for problem in check_dashboard(dashboard, readme)]
    for problem in problems:
        print(problem)
    print(f"{len(dashboard_paths)} dashboards checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2:]))
