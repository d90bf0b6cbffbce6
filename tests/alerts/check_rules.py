#!/usr/bin/env python3
"""What promtool does not check about the bundled alert rules.

Every alert has a severity (page or ticket), a summary, a description and a runbook_url
naming a runbook that exists; every runbook belongs to an alert; every alert on a probe's
data is held while its probe fails (see the rules file's header), an alert on one Redis
server's data also while that server does not answer, an alert on one Kafka consumer
group's or partition's data also while the lag probe cannot read it, without joining
servers, groups or partitions on `cluster` alone, and an alert on the count of hanging
transactions while it cannot be counted; and the rule tests make every alert fire at least once and stay
quiet at least once.

usage: check_rules.py <rules.yml> <rules.test.yml> <runbook-dir>
"""
import pathlib
import re
import sys

import yaml

# The alerts about probes, the daemon or servers that cannot be reached: they are the failure
# the others are held through, so they are not held themselves.
NOT_HELD = {"MsgwatchDown", "MsgwatchProbeFailing", "MsgwatchProbeDataStale", "KafkaClusterUnreachable", "RedisDown"}

# The redis probe succeeds while any server of a target answers; a server that does not keeps
# its last series for stale_after. Every redis family but the queue families carries `node`,
# so an alert on them is gated and held on its server too, and joins on (cluster, node).
REDIS_NODELESS = re.compile(r"\b(redis_key_size|redis_stream_group_\w+|msgwatch_redis_queue_unread)\b")
REDIS_FAMILY = re.compile(r"\b(redis|msgwatch_redis)_\w+")
NODE_GATE = "unless on (cluster, node) redis_up == 0"
NODE_HOLD = "and on (cluster, node) redis_up == 0"
CLUSTER_JOIN = re.compile(r"\bon \(cluster\)\s*(?:group_\w+\s*(?:\([^)]*\))?\s*)?([\w:]+)")


# The kafka_lag probe (and the redis probe, for queues) succeeds with a partial cycle: a group it cannot read whole (its
# coordinator does not answer or is moving, or a partition it committed on has no end
# offsets) loses series and is named by msgwatch_kafka_group_unread; a partition whose leader
# does not answer (or that has none) loses its offset series and is named by
# msgwatch_kafka_partition_unread; a Redis queue whose server does not answer by
# msgwatch_redis_queue_unread. Every family of a group, a partition or a queue carries its
# labels, so an alert on them is gated and held on it too, and joins on them.
HELD_PER = [
    # (what, its families, its labels, the series that names it unread)
    ("consumer group", re.compile(r"\bkafka_consumergroup_\w+"), "cluster, consumergroup",
     "msgwatch_kafka_group_unread == 1"),
    ("partition", re.compile(r"\bkafka_topic_partition_\w+"), "cluster, topic, partition",
     "msgwatch_kafka_partition_unread == 1"),
    # A Redis queue is a key, read on the server that holds it; a stream is a queue.
    ("queue", re.compile(r"\bredis_key_size\b"), "cluster, key", "msgwatch_redis_queue_unread == 1"),
    ("stream", re.compile(r"\bredis_stream_group_\w+"), "cluster, stream",
     'label_replace(msgwatch_redis_queue_unread == 1, "stream", "$1", "key", "(.+)")'),
]
# The cluster's count of hanging transactions is absent while a transaction coordinator or a
# partition's producers could not be read: its alert is held on those counts.
TRANSACTION_TOTALS = re.compile(r"\bkafka_transaction_(hanging|oldest_open_seconds)\b")
TRANSACTION_HOLD = ("and on (cluster) (msgwatch_kafka_transactions_unread_coordinators"
                    " + msgwatch_kafka_transactions_unread_partitions > 0)")


def held(name, hold, expr):
    """Whether expr holds the alert: its own ALERTS series times NaN, joined with `hold`."""
    own = f'ALERTS{{alertname="{name}", alertstate="firing"}}, "alertstate", "", "", "") * NaN'
    return re.search(re.escape(own) + r"\s+" + re.escape(hold), expr) is not None


def redis_node_problems(name, expr):
    """An alert on one Redis server's data: gated and held on that server, joined per server."""
    families = {m.group(0) for m in REDIS_FAMILY.finditer(expr)} - {"redis_up"}
    if not families or all(REDIS_NODELESS.fullmatch(f) for f in families):
        return []
    problems = []
    if REDIS_NODELESS.search(expr):
        problems.append(f"{name}: mixes queue families (no node label) with server families")
    if NODE_GATE not in expr or NODE_HOLD not in expr:
        problems.append(f"{name}: not gated and held on its server ({NODE_GATE!r}, {NODE_HOLD!r})")
    for match in CLUSTER_JOIN.finditer(expr):
        if match.group(1) != "msgwatch:probe_failing":
            problems.append(f"{name}: joins {match.group(1)} on (cluster) alone; Redis servers are (cluster, node)")
    return problems


def partial_cycle_problems(name, expr):
    """An alert on one group's, partition's or queue's data: gated and held on it, joined on it;
    one on the cluster's transaction totals: held while they cannot be counted."""
    problems = []
    for what, family, labels, unread in HELD_PER:
        if not family.search(expr):
            continue
        gate, hold = f"unless on ({labels}) {unread}", f"and on ({labels}) {unread}"
        if gate not in expr or not held(name, hold, expr):
            problems.append(f"{name}: not gated and held on its {what} ({gate!r}, its own ALERTS * NaN {hold!r})")
        for match in CLUSTER_JOIN.finditer(expr):
            if match.group(1) != "msgwatch:probe_failing":
                problems.append(f"{name}: joins {match.group(1)} on (cluster) alone; a {what} is ({labels})")
    if TRANSACTION_TOTALS.search(expr) and not held(name, TRANSACTION_HOLD, expr):
        problems.append(f"{name}: not held while transactions are read in part ({TRANSACTION_HOLD!r})")
    return problems


def main(rules_path, tests_path, runbook_dir):
    rules = yaml.safe_load(pathlib.Path(rules_path).read_text())
    tests = yaml.safe_load(pathlib.Path(tests_path).read_text())
    runbooks = pathlib.Path(runbook_dir)
    repository = runbooks.parent.parent
    problems = []
    alerts = [r for group in rules["groups"] for r in group["rules"] if "alert" in r]
    names = {a["alert"] for a in alerts}
    for alert in alerts:
        name = alert["alert"]
        labels = alert.get("labels", {})
        annotations = alert.get("annotations", {})
        if labels.get("severity") not in ("page", "ticket"):
            problems.append(f"{name}: severity must be page or ticket")
        for key in ("summary", "description", "runbook_url"):
            if not annotations.get(key):
                problems.append(f"{name}: no {key}")
        url = annotations.get("runbook_url", "")
        if url != f"alerts/runbooks/{name}.md":
            problems.append(f"{name}: runbook_url should be alerts/runbooks/{name}.md, is {url!r}")
        elif not (repository / url).is_file():
            problems.append(f"{name}: runbook {url} does not exist")
        if name not in NOT_HELD:
            probe = labels.get("probe")
            held = f'ALERTS{{alertname="{name}", alertstate="firing"}}'
            gate = f'msgwatch:probe_failing{{probe="{probe}"}}'
            if not probe or held not in alert["expr"] or alert["expr"].count(gate) != 2:
                problems.append(f"{name}: not gated and held on its probe (label probe, {gate} twice, {held})")
            if probe == "redis":
                problems += redis_node_problems(name, alert["expr"])
            problems += partial_cycle_problems(name, alert["expr"])
    for runbook in runbooks.glob("*.md"):
        if runbook.name != "README.md" and runbook.stem not in names:
            problems.append(f"{runbook.name}: no alert of that name")
    fired, quiet = set(), set()
    for test in tests["tests"]:
        for case in test.get("alert_rule_test", []):
            (fired if case.get("exp_alerts") else quiet).add(case["alertname"])
    for name in sorted(names - fired):
        problems.append(f"{name}: no rule test where it fires")
    for name in sorted(names - quiet):
        problems.append(f"{name}: no rule test where it must stay quiet")
    for problem in problems:
        print(problem)
    print(f"{len(alerts)} alerts, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
