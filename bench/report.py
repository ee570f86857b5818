"""Turn the files bench/run leaves in bench/results/<stamp>/ into figures.

  python bench/report.py line DIR NAME   one scenario: a line on stdout; exit 1 on
                                         errors or a signature mismatch
  python bench/report.py final DIR       results.json and results.md in DIR, the
                                         Markdown table on stdout; exit 1 as above
  python bench/report.py nginx DIR NAME  NAME.nginx.json from NAME.nginx.log, the lines
                                         nginx's access log gained during the scenario
"""

import json
import os
import re
import shlex
import sys
from pathlib import Path
from statistics import median

TARGETS = {"sign": 1000, "page": 2000, "gzpage": 2000, "count": 5000, "history": 2000,
           "embed": 2000,
           "mixed": 0, "baresign": 0, "barepetition": 0, "barepage": 0, "barecount": 0}
EXPECTED = {"sign": 302, "page": 200, "gzpage": 200, "count": 200, "history": 200, "embed": 200,
            "mixed": 200, "baresign": 302, "barepetition": 200, "barepage": 200,
            "barecount": 200}
LABELS = {"sign": "sign (POST)", "page": "petition page",
          "gzpage": "petition page, gzip as browsers ask", "count": "count.json",
          "history": "history.json", "embed": "embed page",
          "mixed": "mixed: 20 page views per signature",
          "baresign": "bare Django: form + INSERT",
          "barepetition": "bare Django: petition page with its form",
          "barepage": "bare Django: 5 KB template of text",
          "barecount": "bare Django: JsonResponse"}
# Each Chorus figure against the bare-Django views doing the same kind of work, and
# the ratio it should reach (docs: bench/README.md); through the stack, pages and
# counts come from nginx's micro-cache. Pages are judged against the bare petition
# page (text, count and the sign form, as Chorus's page has) and also shown against
# a template of text alone, lighter than any petition page.
PAGES = [("barepetition", 20.0), ("barepage", None)]
BASELINES = {"sign": [("baresign", 1.5)], "page": PAGES, "gzpage": PAGES, "embed": PAGES,
             "count": [("barecount", 8.0)], "history": [("barecount", None)]}


def round_of(petition: str) -> tuple[str, int]:
    """("empty", 2) for "empty_r2", the second round of signing the petition `empty`
    (bench/run, BENCH_SIGN_ROUNDS); ("empty", 1) for "empty"."""
    base, _, number = petition.partition("_r")
    return base, int(number or 1)


# CPU used by processes other than the server, PostgreSQL and wrk (e.g. someone
# else's test run) above which a figure is marked as disturbed.
BACKGROUND_LIMIT = 10.0


def scenario(directory: Path, name: str) -> dict:
    conns, kind, petition = re.fullmatch(r"c(\d+)-(\w+)-(\w+)", name).groups()
    text = (directory / f"{name}.wrk.txt").read_text()
    match = re.search(r"^RESULT (.*)$", text, re.M)
    if match is None:
        raise SystemExit(f"{name}: no RESULT line from wrk:\n{text}")
    wrk = {k: int(v) for k, v in (kv.split("=") for kv in match.group(1).split())}
    answered = wrk["s2xx"] + wrk["s3xx"] + wrk["s4xx"] + wrk["s5xx"]
    result = {
        "name": name,
        "scenario": kind,
        "petition": petition,
        "connections": int(conns),
        "requests_per_second": round(wrk["requests"] / (wrk["duration_us"] / 1e6), 1),
        "expected_status": EXPECTED[kind],
        "expected_per_second": round(wrk["expected"] / (wrk["duration_us"] / 1e6), 1),
        "latency_ms": {
            "p50": wrk["p50_us"] / 1000, "p90": wrk["p90_us"] / 1000,
            "p99": wrk["p99_us"] / 1000, "max": wrk["max_us"] / 1000,
            "mean": wrk["mean_us"] / 1000,
        },
        "answered": answered,
        "expected": wrk["expected"],
        "unexpected": answered - wrk["expected"],
        "status_classes": {k: wrk[k] for k in ("s2xx", "s3xx", "s4xx", "s5xx")},
        "non_2xx_3xx": wrk["s4xx"] + wrk["s5xx"],
        "last_unexpected_status": wrk["last_bad"] or None,
        "socket_errors": {
            k[4:]: wrk[k] for k in ("err_connect", "err_read", "err_write", "err_timeout")
        },
        "sent": wrk["sent"] if kind == "sign" else None,
        "seconds": round(wrk["duration_us"] / 1e6, 2),
        "target_per_second": TARGETS[kind],
    }
    cpu_file = directory / f"{name}.cpu.json"
    if cpu_file.exists():
        cpu = result["cpu_percent_of_one_core"] = json.loads(cpu_file.read_text())
        background(cpu)
        # CPU time per answer: less disturbed by other work than requests/s.
        rps = max(result["requests_per_second"], 1)
        per_answer = {k: cpu.get(k, 0.0) / 100 * 1e6 / rps
                      for k in ("server", "postgres", "nginx", "pgbouncer")}
        result["cpu_us_per_request"] = {
            **{k: round(v) for k, v in per_answer.items()},
            # What one answer costs the machine, the load generator apart: the figure
            # that says what a core can serve, whoever else runs on the machine.
            "total": round(sum(per_answer.values())),
        }
    problems = []
    nginx_file = directory / f"{name}.nginx.json"
    if nginx_file.exists():
        log = result["nginx_log"] = json.loads(nginx_file.read_text())
        if log.get("all", {}).get("stalled"):
            problems.append(f"STALLED: {log['all']['stalled']} requests took nginx more than "
                            f"{STALL_SECONDS:g} s to answer ({nginx_summary(log)})")
        if wrong := log.get("unexpected"):
            # Where wrk counted by itself (mixed.lua through the stack): which answers
            # were 2xx or 3xx but not the one expected.
            problems.append(f"ERRORS in nginx's log: answers other than a GET's 200 and a "
                            f"POST's 302: {wrong}")
    if result["unexpected"] or any(result["socket_errors"].values()):
        problems.append(
            f"ERRORS: {result['unexpected']} answers other than {EXPECTED[kind]} "
            f"(classes {result['status_classes']}, last {result['last_unexpected_status']}), "
            f"socket errors {result['socket_errors']}"
        )
    check_file = directory / f"{name}.check.txt"
    if check_file.exists():
        check = dict(kv.split("=", 1) for kv in shlex.split(check_file.read_text()))
        added = int(check["rows_after"]) - int(check["rows_before"])
        unanswered = wrk["sent"] - answered
        exact = re.match(r"ACCEPTED (\d+) OTHER (\d+)", check["exact_result"])
        exact_accepted = int(exact.group(1))
        result["signature_check"] = {
            "accepted": wrk["expected"],
            "rows_added": added,
            "sent": wrk["sent"],
            "in_flight_at_stop": unanswered,
            "exact_sent": int(check["exact_sent"]),
            "exact_accepted": exact_accepted,
            "exact_rows_added": int(check["exact_rows_added"]),
            "exact_result": check["exact_result"],
            "held": int(check.get("held_added", 0)),
            "commits": int(check.get("commits_added", 0)),
        }
        if result["signature_check"]["held"]:
            problems.append(
                f"HELD: {check['held_added']} of the signatures were held for review (a limit "
                "or proof of work caught the benchmark): not the figure of signatures that "
                "go through"
            )
        # wrk stops with up to one request per connection unanswered, which the
        # server still stores: rows added must lie in [accepted, accepted + in flight].
        if not wrk["expected"] <= added <= wrk["expected"] + unanswered:
            problems.append(
                f"MISMATCH: {added} rows added for {wrk['expected']} accepted answers "
                f"({unanswered} requests in flight when wrk stopped)"
            )
        if not exact_accepted == int(check["exact_rows_added"]) == int(check["exact_sent"]):
            problems.append(
                f"MISMATCH in the exact check: {check['exact_sent']} sent, "
                f"{check['exact_result']}, {check['exact_rows_added']} rows added"
            )
    result["problems"] = problems
    return result


# A request nginx took longer than this to answer is a stall, not a queue.
STALL_SECONDS = 5.0
# Every scenario's answers by method: a page, count or embed, and a stored signature.
ANSWERS = {"GET": "200", "POST": "302"}
NGINX_LINE = re.compile(r'"(?P<method>[A-Z]+) [^"]*" (?P<status>\d{3}) \d+ (?P<seconds>[\d.]+) ')


def nginx_log(directory: Path, name: str) -> None:
    """Each request's own time, from nginx's access log: wrk's latency percentiles are
    corrected for coordinated omission (a request that waits adds the samples of the
    requests the connection would have sent meanwhile), so one stall of seconds turns
    wrk's p99 into seconds; nginx's log says how long each request really took."""
    times: dict[str, list[float]] = {"all": [], "POST": []}
    waiting = 0
    unexpected: dict[str, int] = {}  # "METHOD status" → answers of another status than ANSWERS
    with (directory / f"{name}.nginx.log").open(errors="replace") as log:
        for text in log:
            if not (match := NGINX_LINE.search(text)):
                continue
            seconds = float(match["seconds"])
            times["all"].append(seconds)
            if match["method"] == "POST":
                times["POST"].append(seconds)
            if match["status"] == "499":  # the client (wrk, stopping) gave up
                waiting += 1
            elif ANSWERS.get(match["method"]) != match["status"]:
                key = f"{match['method']} {match['status']}"
                unexpected[key] = unexpected.get(key, 0) + 1
    summary = {"waiting_at_stop": waiting, "unexpected": unexpected}
    for kind, values in times.items():
        values.sort()
        if values:
            summary[kind] = {
                "requests": len(values),
                "p50_ms": values[len(values) // 2] * 1000,
                "p99_ms": values[min(len(values) - 1, int(len(values) * 0.99))] * 1000,
                "max_ms": values[-1] * 1000,
                "stalled": sum(v > STALL_SECONDS for v in values),
            }
    (directory / f"{name}.nginx.json").write_text(json.dumps(summary) + "\n")


def nginx_summary(log: dict) -> str:
    text = (f"nginx's log: {log['all']['requests']:,} answers, p99 {log['all']['p99_ms']:.0f} ms, "
            f"slowest {log['all']['max_ms']:,.0f} ms")
    if post := log.get("POST"):
        text += f"; signatures p50 {post['p50_ms']:.0f} ms, p99 {post['p99_ms']:.0f} ms"
    if log["waiting_at_stop"]:
        text += f"; {log['waiting_at_stop']} still waiting when wrk stopped"
    return text


def background(cpu: dict) -> float:
    """CPU (% of one core) used by anything but the server, PostgreSQL and wrk."""
    if "unattributed" not in cpu:  # results of an older bench/cpu.py
        m = cpu["machine_percent"]
        busy = (os.cpu_count() or 1) * (100 - m["idle"] - m["iowait"] - m["irq"] - m["softirq"])
        attributed = sum(cpu[k] for k in ("server", "postgres", "wrk", "kernel", "other"))
        cpu["unattributed"] = max(0.0, busy - attributed)
    return cpu["other"] + cpu["unattributed"]


def cpu_summary(result: dict) -> str:
    cpu = result.get("cpu_percent_of_one_core")
    if not cpu:
        return ""
    idle = (os.cpu_count() or 1) * cpu["machine_percent"]["idle"]
    workers = "+".join(f"{v:.0f}" for v in cpu["server_processes"].values() if v >= 1)
    proxies = "".join(f"{name} {cpu[name]:.0f} %, " for name in ("nginx", "pgbouncer")
                      if cpu.get(name, 0) >= 1)
    return (f"server {cpu['server']:.0f} % ({workers}), postgres {cpu['postgres']:.0f} %, "
            f"{proxies}wrk {cpu['wrk']:.0f} %, kernel {cpu.get('kernel', 0):.0f} %, "
            f"other {background(cpu):.0f} %, idle {idle:.0f} %")


def per_commit(check: dict) -> str:
    """Signatures per commit of the database during the run (signatures share commits)."""
    if not check.get("commits"):
        return "commits not counted"
    return (f"{check['rows_added'] / check['commits']:.1f} signatures per commit "
            f"({check['commits']:,} commits)")


def line(directory: Path, name: str) -> int:
    r = scenario(directory, name)
    lat = r["latency_ms"]
    print(f"   {r['scenario']:5} {r['petition']:7} c={r['connections']:<3} "
          f"{r['requests_per_second']:8.0f}/s  p50 {lat['p50']:.1f} ms  p99 {lat['p99']:.1f} ms  "
          f"{r['expected']} x {r['expected_status']}, {r['unexpected']} other  [{cpu_summary(r)}]")
    if check := r.get("signature_check"):
        print(f"         rows added {check['rows_added']} for {check['accepted']} accepted "
              f"({check['in_flight_at_stop']} in flight at the stop); exact check: "
              f"{check['exact_sent']} sent, {check['exact_result']}, "
              f"{check['exact_rows_added']} rows added; {per_commit(check)}")
    if (log := r.get("nginx_log")) and "all" in log:
        print(f"         {nginx_summary(log)}")
    cpu = r.get("cpu_percent_of_one_core")
    if cpu and background(cpu) > BACKGROUND_LIMIT:
        print(f"         WARNING: other processes used {background(cpu):.0f} % of a core "
              f"({cpu.get('top_other')}): this figure is disturbed")
    for problem in r["problems"]:
        print(f"         {problem}")
    return 1 if r["problems"] else 0


def final(directory: Path) -> int:
    machine = dict(
        ln.split("=", 1) for ln in (directory / "machine.txt").read_text().splitlines() if "=" in ln
    )
    names = sorted(
        (p.name.removesuffix(".wrk.txt") for p in directory.glob("c*-*-*.wrk.txt")),
        key=lambda n: (int(n.split("-")[0][1:]), round_of(n.split("-")[2])[0] != "empty",
                       list(TARGETS).index(n.split("-")[1]), round_of(n.split("-")[2])[1]),
    )
    results = [scenario(directory, n) for n in names]
    queued = directory / "queued-tasks.txt"
    data = {
        "machine": machine,
        "queued_tasks_at_end": int(queued.read_text()) if queued.exists() else None,
        "scenarios": results,
    }

    rows = [
        "| connections | scenario | petition | requests/s | target | p50 | p99 | "
        "expected answers | other answers | non-2xx/3xx | server CPU / request | "
        "CPU (% of one core) |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    by_key = {(r["connections"], r["scenario"], r["petition"]): r for r in results}

    def rounds(conns: int, kind: str, petition: str) -> list[dict]:
        """Every round of a scenario, the first first."""
        found = [r for r in results if (r["connections"], r["scenario"]) == (conns, kind)
                 and round_of(r["petition"])[0] == petition]
        return sorted(found, key=lambda r: round_of(r["petition"])[1])

    def per_second(runs: list[dict]) -> float:
        return median(r["expected_per_second"] for r in runs)
    for r in results:
        lat = r["latency_ms"]
        met = "✓" if r["expected_per_second"] >= r["target_per_second"] else "✗"
        rows.append(
            f"| {r['connections']} | {LABELS[r['scenario']]} | {r['petition']} | "
            f"{r['expected_per_second']:,.0f} | ≥ {r['target_per_second']:,} {met} | "
            f"{lat['p50']:.1f} ms | {lat['p99']:.1f} ms | {r['expected']:,} × "
            f"{r['expected_status']} | {r['unexpected']} | {r['non_2xx_3xx']} | "
            f"{r.get('cpu_us_per_request', {}).get('server', '?')} µs | {cpu_summary(r)} |"
        )
    rows.append("")
    for (conns, kind, petition), r in by_key.items():
        empty = rounds(conns, kind, "empty")
        if petition == "million" and empty:
            ratio = r["expected_per_second"] / max(per_second(empty), 1)
            rows.append(f"- {conns} connections, {LABELS[kind]}: 1,000,000 stored / empty = "
                        f"{ratio:.2f}")
    target = machine.get("target", "direct")
    for (conns, kind, petition), r in by_key.items():
        if kind not in BASELINES or petition == "bare" or round_of(petition)[1] > 1:
            continue
        ours = rounds(conns, kind, petition)
        for bare_kind, aim in BASELINES[kind]:
            # The bare sign view is measured after each petition's signing, the other bare
            # views once, after the first petition's ("bare").
            theirs = rounds(conns, bare_kind, f"bare{petition}") or rounds(conns, bare_kind, "bare")
            if not theirs:
                continue
            paired = len(ours) == len(theirs) > 1
            if paired:
                # Rounds measured in turn: each round's ratio, and their median judged, so
                # that a minute when the machine ran slow weighs on one round, not the verdict.
                each = [o["expected_per_second"] / max(t["expected_per_second"], 1)
                        for o, t in zip(ours, theirs, strict=True)]
                ratio = median(each)
            else:
                ratio = r["expected_per_second"] / max(per_second(theirs), 1)
            r.setdefault("ratio_to_bare", round(ratio, 2))  # to the first: the judged one
            r.setdefault("ratios_to_bare", {})[bare_kind] = round(ratio, 2)
            # The page and count aims are for the micro-cached stack; signing's for both.
            judged = aim is not None and (kind == "sign" or target == "stack")
            verdict = f" (aim ≥ {aim:g}× {'✓' if ratio >= aim else '✗'})" if judged else ""
            if paired:
                rows.append(
                    f"- {conns} connections, {LABELS[kind]}, {petition}: median of "
                    f"{len(each)} rounds **{ratio:.2f}×** {LABELS[bare_kind]}{verdict}; "
                    "rounds " + ", ".join(
                        f"{o['expected_per_second']:,.0f} / {t['expected_per_second']:,.0f}/s "
                        f"= {x:.2f}×" for o, t, x in zip(ours, theirs, each, strict=True)))
            else:
                rows.append(f"- {conns} connections, {LABELS[kind]}, {petition}: "
                            f"{r['expected_per_second']:,.0f}/s = **{ratio:.2f}×** "
                            f"{LABELS[bare_kind]} ({per_second(theirs):,.0f}/s"
                            f"{f', median of {len(theirs)} rounds' if len(theirs) > 1 else ''})"
                            f"{verdict}")
            cpu = [(o.get("cpu_us_per_request", {}).get("total"),
                    t.get("cpu_us_per_request", {}).get("total"))
                   for o, t in (zip(ours, theirs, strict=True) if paired else [(r, theirs[0])])]
            if all(o and t for o, t in cpu):
                # The same comparison per CPU: wrk's own share of the machine apart, which
                # caps every figure served from nginx's cache on two shared cores.
                ours_us, theirs_us = median(o for o, _ in cpu), median(t for _, t in cpu)
                per_cpu = median(t / o for o, t in cpu)
                r.setdefault("cpu_ratio_to_bare", round(per_cpu, 2))
                rows.append(f"  - per CPU: {ours_us:,.0f} µs per answer (server, PostgreSQL, "
                            f"nginx, PgBouncer) against {theirs_us:,.0f} µs: **{per_cpu:.2f}×**")
    mail = directory / "mail.txt"
    if mail.exists() and (drain := re.search(r"([\d,]+) e-mails/s", mail.read_text())):
        per_second = float(drain.group(1).replace(",", ""))
        data["mail_per_second"] = per_second
        for r in results:
            if r["scenario"] == "sign":
                ratio = per_second / max(r["expected_per_second"], 1)
                rows.append(f"- {r['connections']} connections, e-mail drain {per_second:,.0f}/s "
                            f"= **{ratio:.2f}×** signing {r['petition']} "
                            f"(aim ≥ 1.0× {'✓' if ratio >= 1 else '✗'})")
    mixed: dict[str, list[dict]] = {}
    for r in results:
        if r["scenario"] == "mixed":
            mixed.setdefault(r["petition"], []).append(r)
    for petition, runs in mixed.items():
        # The aim is for the p99 at the measured peak: more connections than the peak needs
        # add no answers, only time waiting in the queue.
        peak = max(runs, key=lambda r: r["expected_per_second"])
        for r in runs:
            log = r.get("nginx_log", {})
            rows.append(f"- {r['connections']} connections, {LABELS['mixed']}, {petition}: "
                        f"{r['expected_per_second']:,.0f} answers/s, p99 "
                        f"{r['latency_ms']['p99']:.1f} ms"
                        + (f" ({nginx_summary(log)})" if "all" in log else ""))
        rows.append(f"- {LABELS['mixed']}, {petition}, at its peak ({peak['connections']} "
                    f"connections, {peak['expected_per_second']:,.0f} answers/s): p99 "
                    f"{peak['latency_ms']['p99']:.1f} ms (aim < 100 ms "
                    f"{'✓' if peak['latency_ms']['p99'] < 100 else '✗'})")
    for r in results:
        if check := r.get("signature_check"):
            rows.append(
                f"- {r['connections']} connections, signing {r['petition']}: "
                f"{check['accepted']:,} accepted, {check['rows_added']:,} rows added "
                f"({check['in_flight_at_stop']} requests in flight when wrk stopped); "
                f"exact check {check['exact_sent']} sent, {check['exact_result']}, "
                f"{check['exact_rows_added']} rows added; {per_commit(check)}"
            )
        cpu = r.get("cpu_percent_of_one_core")
        if cpu and background(cpu) > BACKGROUND_LIMIT:
            rows.append(f"- WARNING {r['name']}: other processes used {background(cpu):.0f} % "
                        f"of a core during the run ({cpu.get('top_other')}); the figure is "
                        "disturbed")
        rows.extend(f"- {r['name']}: {p}" for p in r["problems"])
    if data["queued_tasks_at_end"] is not None:
        rows.append(f"- confirmation tasks queued at the end (no worker ran): "
                    f"{data['queued_tasks_at_end']}")
    (directory / "results.json").write_text(json.dumps(data, indent=2) + "\n")
    table = "\n".join(rows) + "\n"
    header = (f"{machine.get('date')}: {machine.get('nproc')} cores ({machine.get('cpu')}), "
              f"{machine.get('memory_gib')} GiB, PostgreSQL {machine.get('postgresql')}, "
              f"{machine.get('server')}, {machine.get('seconds')} s per scenario, git "
              f"{machine.get('git')}\n\n")
    (directory / "results.md").write_text(header + table)
    print(header + table, end="")
    return 1 if any(r["problems"] for r in results) else 0


if __name__ == "__main__":
    command, directory = sys.argv[1], Path(sys.argv[2])
    if command == "nginx":
        sys.exit(nginx_log(directory, sys.argv[3]))
    sys.exit(line(directory, sys.argv[3]) if command == "line" else final(directory))
