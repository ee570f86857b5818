"""Where the CPU time went during a scenario, from /proc (no sysstat needed).

  python bench/cpu.py snap                  -> JSON snapshot on stdout
  python bench/cpu.py diff A.json B.json SERVER_PID -> JSON summary on stdout

The summary gives, in % of one core over the interval: each granian process
(the server's process tree, and through the stack the other node's too), all
PostgreSQL processes together, nginx, PgBouncer, wrk, kernel
threads, everything else (the biggest named), CPU time of processes gone by
the second snapshot (unattributed); and the machine's
user/system/softirq/iowait/idle split.
"""

import json
import os
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def snap() -> dict:
    procs = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        # fields[1] is ppid; fields[11], fields[12] are utime, stime.
        procs[pid] = [comm, int(fields[1]), int(fields[11]) + int(fields[12])]
    with open("/proc/stat") as f:
        cpu = [int(v) for v in f.readline().split()[1:]]
    return {"time": time.monotonic(), "procs": procs, "cpu": cpu}


def diff(a: dict, b: dict, server_pid: int) -> dict:
    seconds = b["time"] - a["time"]
    tree, grew = {str(server_pid)}, True
    while grew:
        grew = False
        for pid, (_comm, ppid, _ticks) in b["procs"].items():
            if pid not in tree and str(ppid) in tree:
                tree.add(pid)
                grew = True
    groups: dict[str, float] = {"postgres": 0.0, "nginx": 0.0, "pgbouncer": 0.0, "wrk": 0.0,
                                "kernel": 0.0, "other": 0.0}
    server: dict[str, float] = {}
    others: dict[str, float] = {}
    for pid, (comm, ppid, ticks) in b["procs"].items():
        used = ticks - a["procs"].get(pid, [None, None, 0])[2]
        if used <= 0:
            continue
        share = 100 * used / TICK / seconds
        # Chorus and the bare baseline run side by side, one of them idle while the other
        # is measured: whichever granian works is the server (through the stack, both
        # nodes' granian).
        if pid in tree or comm == "granian":
            server[pid] = share
        elif comm.startswith("postgres"):
            groups["postgres"] += share
        elif comm in ("nginx", "pgbouncer", "wrk"):
            groups[comm] += share
        elif ppid == 2 or pid == "2":  # kernel threads: disk flushes, network
            groups["kernel"] += share
        else:
            groups["other"] += share
            others[comm] = others.get(comm, 0.0) + share
    delta = [y - x for x, y in zip(a["cpu"], b["cpu"], strict=False)]
    total = sum(delta[:8]) or 1
    names = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"]
    machine = {name: round(100 * delta[i] / total, 1) for i, name in enumerate(names)}
    # CPU used by processes that started and ended between the two snapshots
    # (someone's test run, say) appears in no process above: count it as well.
    cores = os.cpu_count() or 1
    busy = cores * (100 - machine["idle"] - machine["iowait"] - machine["irq"] - machine["softirq"])
    attributed = sum(server.values()) + sum(groups.values())
    groups["unattributed"] = max(0.0, busy - attributed)
    return {
        "seconds": round(seconds, 1),
        "server_processes": {pid: round(v, 1) for pid, v in sorted(server.items())},
        "server": round(sum(server.values()), 1),
        **{name: round(v, 1) for name, v in groups.items()},
        "top_other": {c: round(v, 1) for c, v in sorted(others.items(), key=lambda x: -x[1])[:4]},
        "machine_percent": machine,
    }


if __name__ == "__main__":
    if sys.argv[1] == "snap":
        json.dump(snap(), sys.stdout)
    else:
        with open(sys.argv[2]) as fa, open(sys.argv[3]) as fb:
            print(json.dumps(diff(json.load(fa), json.load(fb), int(sys.argv[4]))))
