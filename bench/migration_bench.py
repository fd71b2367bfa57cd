#!/usr/bin/env python3
"""Helper of bench/migration-bench.sh (standard library only).

  freeport                         print a free loopback TCP port
  cpu PID                          user+sys CPU seconds of a live process (0 when gone)
  hwm PID                          peak RSS (VmHWM) of a live process in kB (0 when gone)
  busy                             machine CPU counters "busy total" from /proc/stat (ticks)
  monitor ...                      follow one `migrate.sh run`: every second the CPU and RSS of the
                                   migrator JVM and of its child JVMs (Kafka, Cassandra), the
                                   Prometheus counters of the embedded console and the JVM heap;
                                   writes samples (JSON lines) and a summary (JSON)
  record FILE key=value ...        append one run record (JSON line) to FILE; values may be
                                   @file.json to merge a monitor summary
  report DIR                       write DIR/results.md, results.csv and chart.html from
                                   DIR/runs.jsonl and DIR/meta.json; print results.md
"""
import csv
import html
import json
import os
import re
import signal
import socket
import statistics
import sys
import time
import urllib.request

TICK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------
# /proc helpers

def proc_stat(pid):
    """(ppid, utime+stime seconds) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    rest = s[s.rindex(")") + 2:].split()
    # rest[0] = state (field 3), rest[1] = ppid, rest[11]/rest[12] = utime/stime (fields 14/15)
    return int(rest[1]), (int(rest[11]) + int(rest[12])) / TICK


def proc_mem_kb(pid):
    """(VmRSS, VmHWM) in kB."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except OSError:
        pass
    return rss, hwm


def proc_cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def children_of(pid):
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = proc_stat(int(name))
            if st and st[0] == pid:
                out.append(int(name))
    return out


def role_of(cmdline):
    if "kafka.Kafka" in cmdline:
        return "kafka"
    if "CassandraDaemon" in cmdline:
        return "cassandra"
    return "other"


def machine_busy():
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal
    idle = parts[3] + parts[4]
    total = sum(parts[:8])
    return total - idle, total


# ---------------------------------------------------------------------------------------------
# Prometheus text parsing

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def scrape(url):
    with urllib.request.urlopen(url, timeout=3) as r:
        text = r.read().decode()
    m = {"retrieve_instances": 0.0, "retrieve_bytes": 0.0, "forward_instances": 0.0, "forward_bytes": 0.0,
         "heap_used": 0.0, "processed": {}, "latency_sum": {}, "latency_count": {}, "dead_lettered": 0.0}
    for line in text.splitlines():
        if not line or line[0] == "#":
            continue
        g = LINE.match(line)
        if not g:
            continue
        name, labels, value = g.group(1), dict(LABEL.findall(g.group(3) or "")), g.group(4)
        try:
            v = float(value)
        except ValueError:
            continue
        if v != v:  # NaN
            continue
        if name == "pacsmig_retrieve_instances_total":
            m["retrieve_instances"] += v
        elif name == "pacsmig_retrieve_bytes_total":
            m["retrieve_bytes"] += v
        elif name == "pacsmig_forward_instances_total":
            m["forward_instances"] += v
        elif name == "pacsmig_forward_bytes_total":
            m["forward_bytes"] += v
        elif name == "jvm_memory_used_bytes" and labels.get("area") == "heap":
            m["heap_used"] += v
        elif name == "pacsmig_stage_processed_total":
            st = stage_name(labels.get("stage", ""))
            m["processed"][st] = m["processed"].get(st, 0.0) + v
        elif name == "pacsmig_stage_dead_lettered_total":
            m["dead_lettered"] += v
        elif name.startswith("pacsmig_") and re.search(r"_latency_seconds_(sum|count)$", name):
            # pacsmig_retrieve_study_latency_seconds_sum, pacsmig_forward_association_latency_seconds_count,
            # pacsmig_stage_study_latency_seconds_sum{stage=...}: mean seconds per study / association
            base = name[len("pacsmig_"):name.rindex("_latency_seconds_")]
            if base.startswith("stage_") and "stage" in labels:
                base = stage_name(labels["stage"]) + "_" + base[len("stage_"):] + " (stage)"
            key = "latency_sum" if name.endswith("_sum") else "latency_count"
            m[key][base] = m[key].get(base, 0.0) + v
    m["_text"] = text
    return m


def stage_name(tag):
    for s in ("retriev", "forward", "verif", "index"):
        if s in tag:
            return {"retriev": "retrieve", "forward": "forward", "verif": "verify", "index": "index"}[s]
    return tag


def get_json(url):
    with urllib.request.urlopen(url, timeout=3) as r:
        return json.loads(r.read().decode())


# ---------------------------------------------------------------------------------------------
# monitor

def monitor(args):
    opts = parse_opts(args)
    parent = int(opts["parent"])
    log = opts["log"]
    studies = int(opts.get("studies", "0"))
    timeout = float(opts.get("timeout", "7200"))
    orthancs = dict(x.split("=") for x in opts.get("orthanc", "").split(",") if x)
    out = open(opts["out"], "w")
    t0 = time.time()
    busy0 = machine_busy()
    orth0 = {k: (proc_stat(int(p)) or (0, 0.0))[1] for k, p in orthancs.items()}
    jvm = None
    prom = console = None
    procs = {}  # pid -> {role, cpu, rss_peak}
    samples = []
    timed_out = False
    last_orth = dict(orth0)
    last_scrape = None
    while True:
        now = time.time() - t0
        if jvm is None:
            kids = children_of(parent)
            jvm = next((k for k in kids if "java" in proc_cmdline(k)), None)
            if jvm is None and proc_stat(parent) is None:
                break
            if jvm is not None:
                procs[jvm] = {"role": "migrator", "cpu": 0.0, "rss_peak_kb": 0, "hwm_kb": 0}
        if jvm is not None:
            st = proc_stat(jvm)
            if st is None:
                break
            for pid, info in list(procs.items()):
                s = proc_stat(pid)
                if s is None:
                    continue
                info["cpu"] = max(info["cpu"], s[1])
                rss, hwm = proc_mem_kb(pid)
                info["rss_peak_kb"] = max(info["rss_peak_kb"], rss)
                info["hwm_kb"] = max(info["hwm_kb"], hwm)
            sample_rss_kb = sum(proc_mem_kb(p)[0] for p in procs if proc_stat(p) is not None)
            for kid in children_of(jvm):
                if kid not in procs:
                    procs[kid] = {"role": role_of(proc_cmdline(kid)), "cpu": 0.0, "rss_peak_kb": 0, "hwm_kb": 0}
        if prom is None:
            try:
                with open(log, errors="replace") as f:
                    text = f.read()
                g = re.search(r"Console: (http://\S+/) \(Prometheus metrics: (http://\S+/prometheus)\)", text)
                if g:
                    console, prom = g.group(1), g.group(2)
            except OSError:
                pass
        sample = {"t": round(now, 2), "busy": machine_busy()}
        if jvm is not None:
            sample["jvm_cpu"] = procs[jvm]["cpu"]
            sample["jvm_rss_kb"] = proc_mem_kb(jvm)[0]
            sample["children_cpu"] = round(sum(i["cpu"] for p, i in procs.items() if p != jvm), 2)
            sample["tree_rss_kb"] = sample_rss_kb
        for k, p in orthancs.items():
            s = proc_stat(int(p))
            if s:
                last_orth[k] = s[1]
            sample["cpu_" + k] = round(last_orth[k] - orth0[k], 2)
        if prom:
            try:
                m = scrape(prom)
                last_scrape = m.pop("_text")
                sample.update(m)
            except Exception as e:  # console not up yet or already closing
                sample["scrape_error"] = str(e)[:80]
        samples.append(sample)
        out.write(json.dumps(sample) + "\n")
        out.flush()
        if now > timeout and not timed_out:
            timed_out = True
            sys.stderr.write(f"monitor: run exceeded {timeout:.0f} s, stopping the migrator (pid {jvm})\n")
            stop_process(jvm, procs)
        time.sleep(1.0)
    wall = time.time() - t0
    busy1 = machine_busy()
    if last_scrape:
        with open(opts["out"] + ".last-scrape.txt", "w") as f:
            f.write(last_scrape)
    # processes that outlive the JVM (should not happen): report them
    leftovers = [p for p in procs if p != jvm and proc_stat(p) is not None]
    summary = summarise(samples, procs, jvm, studies, orthancs, last_orth, orth0)
    summary.update({
        "monitor_wall_s": round(wall, 2),
        "machine_busy_cores": round((busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1]) * os.cpu_count(), 2),
        "timed_out": timed_out,
        "leftover_pids": leftovers,
        "console": console,
    })
    with open(opts["summary"], "w") as f:
        json.dump(summary, f, indent=1)


def stop_process(pid, procs):
    if pid is None:
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        return
    for _ in range(60):
        if proc_stat(pid) is None:
            return
        time.sleep(1)
    for p in [pid] + [p for p in procs if p != pid]:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass


def first_time(samples, pred):
    for s in samples:
        if pred(s):
            return s["t"]
    return None


def summarise(samples, procs, jvm, studies, orthancs, last_orth, orth0):
    res = {}
    roles = {}
    for pid, info in procs.items():
        r = roles.setdefault(info["role"], {"cpu": 0.0, "rss_peak_mb": 0.0})
        r["cpu"] += info["cpu"]
        r["rss_peak_mb"] = max(r["rss_peak_mb"], max(info["rss_peak_kb"], info["hwm_kb"]) / 1024)
    for role, r in roles.items():
        res[f"cpu_{role}_s"] = round(r["cpu"], 2)
        res[f"rss_{role}_mb"] = round(r["rss_peak_mb"], 1)
    for k in orthancs:
        res[f"cpu_{k}_pacs_s"] = round(last_orth[k] - orth0[k], 2)
    scraped = [s for s in samples if "retrieve_instances" in s]
    res["rss_tree_peak_mb"] = round(max((s.get("tree_rss_kb", 0) for s in samples), default=0) / 1024, 1)
    res["peak_heap_mb"] = round(max((s["heap_used"] for s in scraped), default=0) / 2**20, 1)
    t_console = first_time(samples, lambda s: "retrieve_instances" in s)
    res["t_console_s"] = t_console
    if not scraped:
        return res
    last = scraped[-1]
    res["t_first_retrieve_s"] = first_time(scraped, lambda s: s["retrieve_instances"] > 0)
    stages = {}
    for key, stage in (("retrieve_instances", "retrieve"), ("forward_instances", "forward")):
        final = max(s[key] for s in scraped)
        start = prev_time(scraped, lambda s: s[key] > 0)
        end = first_time(scraped, lambda s: s[key] >= final)
        stages[stage] = {"instances": final, "start_s": start, "end_s": end}
    verified_final = max(s["processed"].get("verify", 0) for s in scraped)
    vstart = prev_time(scraped, lambda s: s["processed"].get("verify", 0) > 0)
    vend = first_time(scraped, lambda s: s["processed"].get("verify", 0) >= verified_final)
    stages["verify"] = {"studies": verified_final, "start_s": vstart, "end_s": vend}
    res["mean_latency_s"] = {k.replace("_", " "): round(last["latency_sum"].get(k, 0) / n, 3)
                             for k, n in sorted(last["latency_count"].items()) if n}
    for st in ("retrieve", "forward", "verify"):
        stages[st]["studies"] = last["processed"].get(st, 0)
        d = stages[st]
        if d["start_s"] is not None and d["end_s"] is not None and d["end_s"] > d["start_s"]:
            d["window_s"] = round(d["end_s"] - d["start_s"], 2)
    res["stages"] = stages
    res["retrieve_bytes"] = last["retrieve_bytes"]
    res["forward_bytes"] = last["forward_bytes"]
    res["dead_lettered"] = last["dead_lettered"]
    if studies:
        res["t_all_verified_s"] = first_time(scraped, lambda s: s["processed"].get("verify", 0) >= studies)
    # CPU spent between the first instance retrieved and the last study verified (start-up and
    # shutdown excluded): what a migration costs per instance once it runs
    a, b = res.get("t_first_retrieve_s"), res.get("t_all_verified_s")
    if a is not None and b is not None:
        sa, sb = sample_at(samples, a), sample_at(samples, b)
        res["transfer_s"] = round(b - a, 2)
        res["window_cpu_tool_s"], res["window_cpu_jvm_s"] = cpu_between(sa, sb)
        for k in orthancs:
            res[f"window_cpu_{k}_pacs_s"] = round(sb.get("cpu_" + k, 0) - sa.get("cpu_" + k, 0), 2)
        (ba, ta), (bb, tb) = sa["busy"], sb["busy"]
        res["window_busy_cores"] = round((bb - ba) / max(1, tb - ta) * os.cpu_count(), 2)
    # The second half of the forwarding (from half the instances sent to the last): start-up, JIT
    # compilation and the pipeline's fill are behind, so this is the pace a migration of hours keeps.
    fwd = stages["forward"]
    if fwd["instances"] and fwd["end_s"] is not None:
        h0 = next((s for s in scraped if s["forward_instances"] >= fwd["instances"] / 2), None)
        h1 = next((s for s in scraped if s["t"] >= fwd["end_s"]), None)
        if h0 is not None and h1 is not None and h1["t"] > h0["t"]:
            res["half_s"] = round(h1["t"] - h0["t"], 2)
            res["half_instances"] = h1["forward_instances"] - h0["forward_instances"]
            res["half_cpu_tool_s"], res["half_cpu_jvm_s"] = cpu_between(sample_at(samples, h0["t"]),
                                                                        sample_at(samples, h1["t"]))
    return res


def sample_at(samples, t):
    """The first sample at or after t."""
    return next(s for s in samples if s["t"] >= t)


def cpu_between(sa, sb):
    """CPU seconds between two samples: the tool (migrator JVM with its Kafka and Cassandra children), the JVM alone."""
    tool = sb.get("jvm_cpu", 0) + sb.get("children_cpu", 0) - sa.get("jvm_cpu", 0) - sa.get("children_cpu", 0)
    return round(tool, 2), round(sb.get("jvm_cpu", 0) - sa.get("jvm_cpu", 0), 2)


def prev_time(samples, pred):
    """Time of the sample before the first one satisfying pred (the stage started in between)."""
    prev = None
    for s in samples:
        if pred(s):
            return prev["t"] if prev else s["t"]
        prev = s
    return None


def parse_opts(args):
    opts = {}
    it = iter(args)
    for a in it:
        if a.startswith("--"):
            opts[a[2:]] = next(it)
    return opts


# ---------------------------------------------------------------------------------------------
# record

def record(args):
    path, pairs = args[0], args[1:]
    rec = {}
    for p in pairs:
        k, _, v = p.partition("=")
        if v.startswith("@"):
            try:
                with open(v[1:]) as f:
                    rec.update(json.load(f))
            except (OSError, ValueError):
                rec["note"] = (rec.get("note", "") + f" (no {os.path.basename(v[1:])})").strip()
            continue
        try:
            rec[k] = json.loads(v)
        except ValueError:
            rec[k] = v
    with open(path, "a") as f:
        f.write(json.dumps(rec) + "\n")


# ---------------------------------------------------------------------------------------------
# report

def fnum(v, digits=1):
    if v is None or v == "":
        return ""
    if isinstance(v, (int,)) or (isinstance(v, float) and v.is_integer() and digits == 0):
        return f"{int(v):,}"
    return f"{v:,.{digits}f}"


def per_k(cpu, n):
    return cpu * 1000.0 / n if cpu is not None and n else None


def derive(r):
    n = r.get("instances") or 0
    mb = (r.get("bytes") or 0) / 1e6
    wall = r.get("wall_s") or 0
    r["mb"] = mb
    r["inst_s"] = n / wall if wall else None
    r["mb_s"] = mb / wall if wall else None
    tw = r.get("transfer_s")
    r["inst_s_transfer"] = n / tw if tw else None
    r["inst_s_half"] = r["half_instances"] / r["half_s"] if r.get("half_s") else None
    if r.get("kind") == "migrator":
        tool = r.get("cpu_total_s")
        r["cpu_tool_s"] = tool
        r["cpu_jvm_s"] = r.get("cpu_migrator_s")
        r["cpu_services_s"] = (r.get("cpu_kafka_s") or 0) + (r.get("cpu_cassandra_s") or 0)
    ours = sum(r.get(k) or 0 for k in ("cpu_tool_s", "cpu_old_pacs_s", "cpu_new_pacs_s"))
    if wall and r.get("machine_busy_cores") is not None:
        r["ours_cores"] = ours / wall
        r["others_cores"] = max(0.0, r["machine_busy_cores"] - ours / wall)
    r["cpu_tool_k"] = per_k(r.get("cpu_tool_s"), n)
    r["cpu_jvm_k"] = per_k(r.get("cpu_jvm_s"), n)
    r["cpu_services_k"] = per_k(r.get("cpu_services_s"), n)
    r["cpu_old_k"] = per_k(r.get("cpu_old_pacs_s"), n)
    r["cpu_new_k"] = per_k(r.get("cpu_new_pacs_s"), n)
    r["cpu_mid_k"] = per_k(r.get("cpu_intermediate_s"), n)
    return r


# the contenders of the main data set, in the order of the ratio table
CONTENDERS = (("movescu", "DCMTK movescu direct (old → new, no cache)"),
              ("dcmtk-2hop", "DCMTK two hops (movescu → storescp folder → storescu)"),
              ("orthanc-2hop", "Orthanc as the intermediate cache (C-MOVE in, REST store out)"),
              ("storescu", "parallel storescu (ingest ceiling of the new PACS)"))


def median_of(runs, key):
    vals = [r[key] for r in runs if r.get(key)]
    return statistics.median(vals) if vals else None


def ratio_of(a, b):
    return a / b if a and b else None


def is_stow(r):
    """A migrator run that stored by STOW-RS (destination.protocol: dicomweb); runs recorded before it existed are C-STORE."""
    return r.get("kind") == "migrator" and r.get("protocol") == "dicomweb"


def contender_ratios(md, main_mig, runs, title="Ours ÷ each contender", ours="Migrator"):
    """One table: ours ÷ each contender, images/s end to end and on the migrator's second half, with each
    contender's CPU per 1,000 images of its own processes and its peak RSS."""
    if not main_mig:
        return
    ours_e2e = median_of(main_mig, "inst_s")
    ours_half = median_of(main_mig, "inst_s_half")
    ours_window = median_of(main_mig, "inst_s_transfer")
    m = main_mig[0]
    ours_cpu_k = per_k(m.get("cpu_tool_s"), m.get("instances"))
    ours_half_cpu_k = per_k(m.get("half_cpu_tool_s"), m.get("half_instances"))
    md.append(f"## {title}\n")
    md.append(f"{ours} (median of {len(main_mig)} run(s)): {fnum(ours_e2e)} images/s end to end, {fnum(ours_window)} "
              f"on the transfer window, {fnum(ours_half)} on the second half of the forwarding; CPU-s per 1,000 images "
              f"of its own (JVM + Kafka + Cassandra) {fnum(ours_cpu_k, 2)} for the whole run, {fnum(ours_half_cpu_k, 2)} "
              f"on the second half; peak RSS {fnum(m.get('rss_tree_peak_mb'), 0)} MB (JVM + Kafka + Cassandra).\n")
    md.append("| contender | runs | images/s | CPU-s / 1,000 images, its own | peak RSS MB, its own | ours ÷ it, end to end "
              "| ours ÷ it, second half | ours ÷ it, transfer window | our CPU ÷ its CPU (second half) | ok |")
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for kind, name in CONTENDERS:
        rows = [r for r in runs if r["group"] == "main" and r["kind"] == kind]
        if not rows:
            md.append(f"| {name} | 0 | | | | | | | | not run |")
            continue
        rate = median_of(rows, "inst_s")
        cpu_k = median_of(rows, "cpu_tool_k")
        rss = max((r.get("rss_tool_mb") or 0 for r in rows), default=0) or None
        ok = "yes" if all(r.get("ok") for r in rows) else "NO"
        md.append(f"| {name} | {len(rows)} | {fnum(rate)} | {fnum(cpu_k, 2)} | {fnum(rss, 0)} | "
                  f"**{fnum(ratio_of(ours_e2e, rate), 2)}** | **{fnum(ratio_of(ours_half, rate), 2)}** | "
                  f"{fnum(ratio_of(ours_window, rate), 2)} | {fnum(ratio_of(ours_half_cpu_k, cpu_k), 1)} | {ok} |")
    md.append("")
    md.append("Each contender's rate is wall time from its first command to its last into a fresh new PACS, "
              "checked by the instance count. Its own CPU: movescu/storescu the DCMTK processes; two hops movescu + "
              "storescp + storescu; Orthanc intermediate the intermediate Orthanc + the curl calls (the old and new "
              "PACS are in the table below, not here). Peak RSS: the largest short-lived process plus the intermediate "
              "(storescp's or the intermediate Orthanc's VmHWM). Ratios above 1 mean the migrator is faster (images/s) "
              "or, in the CPU column, that it uses that many times the contender's CPU per image.\n")


def median_rate(runs):
    vals = [r["inst_s"] for r in runs if r.get("inst_s")]
    return statistics.median(vals) if vals else None


def report(args):
    d = args[0]
    with open(os.path.join(d, "meta.json")) as f:
        meta = json.load(f)
    runs = []
    with open(os.path.join(d, "runs.jsonl")) as f:
        for line in f:
            if line.strip():
                runs.append(derive(json.loads(line)))
    main_mig = [r for r in runs if r["group"] == "main" and r["kind"] == "migrator" and not is_stow(r)]
    main_stow = [r for r in runs if r["group"] == "main" and is_stow(r)]
    main_mv = [r for r in runs if r["group"] == "main" and r["kind"] == "movescu"]
    main_sc = [r for r in runs if r["group"] == "main" and r["kind"] == "storescu"]
    main_2hop = [r for kind in ("dcmtk-2hop", "orthanc-2hop") for r in runs if r["group"] == "main" and r["kind"] == kind]
    levels = [r for r in runs if r["group"] == "levels"]
    large = [r for r in runs if r["group"] == "large"]

    md = []
    md.append(f"# Migration benchmark {meta['timestamp']}\n")
    md.append(f"`{meta['command']}` (product: {meta.get('product', '?')})\n")
    md.append(f"Machine: {meta['cpus']} CPUs ({meta['cpu_model']}), {meta['mem_gib']} GiB; load average at start "
              f"{meta['loadavg_start']}, at end {meta.get('loadavg_end', '?')}. {meta['versions']}. "
              f"TCP_NODELAY=1 for every DICOM process.\n")
    md.append(f"Data set (old PACS, Orthanc): {meta['studies']} studies × {meta['series']} series × "
              f"{meta['instances']} instances (+1 secondary capture in every third study) over {meta['days']} days = "
              f"{fnum(meta.get('dataset_instances'), 0)} instances, {fnum((meta.get('dataset_bytes') or 0) / 1e6, 0)} MB "
              f"(512×512 16-bit CT/MR, explicit VR little endian). Seeding took {fnum(meta.get('seed_s'))} s.\n")
    md.append("Migrator runs: `scripts/migrate.sh run` on the embedded default (its own Kafka and Cassandra child "
              "JVMs, fresh data directory), C-MOVE into the filesystem cache, rules on (" + meta.get("rules_desc", "") +
              "), verification `sent-and-cfind`, final report written; each run into a fresh, empty new PACS. "
              "The STOW-RS run is the same with `destination.protocol: dicomweb` (product defaults: `forward.batchSize` 50, "
              "`destination.dicomweb.maxRequestMb` 64) into an Orthanc with its DICOMweb plugin, verified by QIDO-RS.\n")

    ratio = ratio_t = ratio_h = None
    mig_rate = median_rate(main_mig)
    mv_rate = median_rate(main_mv)
    if mig_rate and mv_rate:
        ratio = mig_rate / mv_rate
        tr = [r["inst_s_transfer"] for r in main_mig if r.get("inst_s_transfer")]
        if tr:
            ratio_t = statistics.median(tr) / mv_rate
        half = [r["inst_s_half"] for r in main_mig if r.get("inst_s_half")]
        ratio_h = statistics.median(half) / mv_rate if half else None
    md.append("## Headline\n")
    if ratio is not None:
        md.append(f"- **ratio migrator / movescu = {ratio:.2f}** (end to end: the whole `run` command, service "
                  f"start-up, indexing, verification and the final report included; median of {len(main_mig)} run(s))")
        if ratio_t is not None:
            md.append(f"- ratio on the transfer window only (first instance retrieved → last study verified): "
                      f"**{ratio_t:.2f}**")
        if ratio_h is not None:
            h = main_mig[0]
            md.append(f"- ratio on the second half of the forwarding (half the instances sent → all sent: start-up, "
                      f"JIT warm-up and pipeline fill behind, the pace of a long migration): **{ratio_h:.2f}** "
                      f"({fnum(h.get('inst_s_half'))} instances/s, {fnum(per_k(h.get('half_cpu_tool_s'), h.get('half_instances')), 2)} "
                      f"CPU-s per 1,000 instances, JVM {fnum(per_k(h.get('half_cpu_jvm_s'), h.get('half_instances')), 2)})")
        if main_sc:
            sc = median_rate(main_sc)
            md.append(f"- ingest ceiling of the new PACS (parallel storescu): {fnum(sc)} instances/s; migrator "
                      f"= {mig_rate / sc:.2f} of it, movescu = {mv_rate / sc:.2f} of it")
        m = main_mig[0]
        mv = main_mv[0]
        n = m.get("instances") or 0
        md.append(f"- CPU per 1,000 instances: migrator {fnum(m.get('cpu_tool_k'))} s for the whole run (JVM "
                  f"{fnum(m.get('cpu_jvm_k'))} s + Kafka/Cassandra {fnum(m.get('cpu_services_k'))} s, start-up included), "
                  f"{fnum(per_k(m.get('window_cpu_tool_s'), n), 2)} s in the transfer window (JVM alone "
                  f"{fnum(per_k(m.get('window_cpu_jvm_s'), n), 2)} s) vs DCMTK movescu {fnum(mv.get('cpu_tool_k'), 2)} s; "
                  f"the PACS themselves: old {fnum(m.get('cpu_old_k'))} / {fnum(mv.get('cpu_old_k'))} s, "
                  f"new {fnum(m.get('cpu_new_k'))} / {fnum(mv.get('cpu_new_k'))} s (migrator / movescu run)")
    else:
        md.append("- no ratio: a migrator or movescu run is missing")
    stow_rate = median_rate(main_stow)
    if stow_rate and mig_rate:
        half_stow = median_of(main_stow, "inst_s_half")
        half_mig = median_of(main_mig, "inst_s_half")
        md.append(f"- **STOW-RS** (`destination.protocol: dicomweb`, Orthanc's DICOMweb plugin as the new PACS, verified by "
                  f"QIDO-RS): {fnum(stow_rate)} images/s end to end, {fnum(half_stow)} on the second half; ÷ C-STORE "
                  f"**{stow_rate / mig_rate:.2f}** end to end, {fnum(ratio_of(half_stow, half_mig), 2)} on the second half"
                  + (f"; ÷ movescu {stow_rate / mv_rate:.2f}" if mv_rate else ""))
    md.append("")
    contender_ratios(md, main_mig, runs, "Ours (C-STORE) ÷ each contender", "Migrator, C-STORE")
    contender_ratios(md, main_stow, runs, "Ours (STOW-RS) ÷ each contender", "Migrator, STOW-RS")

    def run_table(rows, title):
        md.append(f"## {title}\n")
        md.append("| run | instances | MB | wall s | instances/s | MB/s | CPU s (tool) | CPU s/1k inst: tool | old PACS | new PACS | cores busy: ours | others | peak RSS MB | ok |")
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for r in rows:
            rss = r.get("rss_migrator_mb") if r["kind"] == "migrator" else r.get("rss_tool_mb")
            md.append(f"| {r['label']} | {fnum(r.get('instances'), 0)} | {fnum(r['mb'])} | {fnum(r.get('wall_s'), 2)} | "
                      f"{fnum(r['inst_s'])} | {fnum(r['mb_s'])} | {fnum(r.get('cpu_tool_s'))} | {fnum(r['cpu_tool_k'], 2)} | "
                      f"{fnum(r['cpu_old_k'], 2)} | {fnum(r['cpu_new_k'], 2)} | {fnum(r.get('ours_cores'), 2)} | "
                      f"{fnum(r.get('others_cores'), 2)} | {fnum(rss, 0) if rss else ''} | {'yes' if r.get('ok') else 'NO: ' + str(r.get('note', ''))} |")
        md.append("")

    run_table(main_mig + main_stow + main_mv + main_2hop + main_sc, "Main data set: migrator vs DCMTK and Orthanc baselines")
    md.append("CPU s (tool): the migrator = its JVM plus its Kafka and Cassandra child JVMs (`/usr/bin/time`, waited-for "
              "children included); movescu/storescu = the DCMTK processes; two hops = movescu + storescu + the storescp; Orthanc "
              "intermediate = the intermediate Orthanc + the curl calls driving it. Old/new PACS: CPU of the Orthanc processes "
              "during the run (/proc/<pid>/stat). Cores busy: ours = tool + both PACS, others = the rest of the machine's CPU use "
              f"during the run (/proc/stat), both in cores of {meta['cpus']}: a large 'others' means the figures are "
              "disturbed by other work. Peak RSS: the migrator JVM alone (with Kafka and Cassandra: see below); for the "
              "contenders the largest of their short-lived processes plus the intermediate (storescp, Orthanc).\n")

    for m in main_mig + main_stow:
        md.append(f"### Where the time and CPU went ({m['label']})\n")
        st = m.get("stages") or {}
        md.append(f"Phases: services start-up and console {fnum(m.get('t_console_s'))} s, first instance retrieved at "
                  f"{fnum(m.get('t_first_retrieve_s'))} s, every study verified at {fnum(m.get('t_all_verified_s'))} s, "
                  f"process exit (summary, report, shutdown) at {fnum(m.get('wall_s'))} s.\n")
        md.append("| stage | studies | instances | active from s | to s | instances/s while active |")
        md.append("|---|---:|---:|---:|---:|---:|")
        for name in ("retrieve", "forward", "verify"):
            s = st.get(name) or {}
            inst = s.get("instances") if name != "verify" else m.get("instances")
            w = s.get("window_s")
            md.append(f"| {name} | {fnum(s.get('studies'), 0)} | {fnum(inst, 0)} | {fnum(s.get('start_s'))} | "
                      f"{fnum(s.get('end_s'))} | {fnum(inst / w if inst and w else None)} |")
        md.append("")
        md.append("Per-stage counters (`pacsmig_retrieve_instances_total`, `pacsmig_forward_instances_total`, "
                  "`pacsmig_stage_processed_total{stage=\"verify\"}`) polled every second from the console's "
                  "`/prometheus`; verify counts studies, its instances are those of the verified studies.")
        lat = m.get("mean_latency_s") or {}
        if lat:
            md.append("Mean latencies: " + ", ".join(f"{k} {v:.2f} s" for k, v in lat.items()) + ".")
        n = m.get("instances") or 0
        if m.get("window_cpu_tool_s") is not None and n:
            md.append(f"\nIn the transfer window ({fnum(m.get('transfer_s'))} s, {fnum(n / m['transfer_s'] if m.get('transfer_s') else None)} "
                      f"instances/s) the CPU per 1,000 instances was: migrator JVM + Kafka + Cassandra "
                      f"{fnum(per_k(m['window_cpu_tool_s'], n), 2)} s (JVM alone {fnum(per_k(m.get('window_cpu_jvm_s'), n), 2)} s), "
                      f"old PACS {fnum(per_k(m.get('window_cpu_old_pacs_s'), n), 2)} s, new PACS "
                      f"{fnum(per_k(m.get('window_cpu_new_pacs_s'), n), 2)} s; the machine was busy "
                      f"{fnum(m.get('window_busy_cores'), 2)} of {meta['cpus']} cores.")
        md.append("")
        md.append(f"CPU seconds: migrator JVM {fnum(m.get('cpu_migrator_s'))}, Kafka {fnum(m.get('cpu_kafka_s'))}, "
                  f"Cassandra {fnum(m.get('cpu_cassandra_s'))}, old PACS {fnum(m.get('cpu_old_pacs_s'))}, "
                  f"new PACS {fnum(m.get('cpu_new_pacs_s'))}; peak RSS: JVM {fnum(m.get('rss_migrator_mb'), 0)} MB, "
                  f"Kafka {fnum(m.get('rss_kafka_mb'), 0)} MB, Cassandra {fnum(m.get('rss_cassandra_mb'), 0)} MB; "
                  f"peak heap used {fnum(m.get('peak_heap_mb'), 0)} MB (of -Xmx1g).\n")

    if levels:
        md.append("## Parallel associations\n")
        md.append(f"{meta.get('levels_desc', '')}\n")
        md.append("| N | tool | instances | wall s | instances/s (wall) | transfer window s | instances/s (window) | CPU s/1k inst: tool (window) | new PACS | machine busy | ok |")
        md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for r in sorted(levels, key=lambda r: (r["kind"], r["level"])):
            tw = r.get("transfer_s")
            n = r.get("instances") or 0
            if r["kind"] == "migrator":
                cpu_k = per_k(r.get("window_cpu_tool_s"), n)
                new_k = per_k(r.get("window_cpu_new_pacs_s"), n)
                busy = r.get("window_busy_cores")
            else:
                cpu_k, new_k, busy = r["cpu_tool_k"], r["cpu_new_k"], r.get("machine_busy_cores")
            md.append(f"| {r['level']} | {r['kind']} | {fnum(n, 0)} | {fnum(r.get('wall_s'), 2)} | "
                      f"{fnum(r['inst_s'])} | {fnum(tw)} | {fnum(r['inst_s_transfer'])} | {fnum(cpu_k, 2)} | "
                      f"{fnum(new_k, 2)} | {fnum(busy, 2)} | {'yes' if r.get('ok') else 'NO'} |")
        md.append("")
        md.append("For the migrator, CPU and machine load are those of the transfer window (first instance retrieved → "
                  "last study verified); storescu runs are transfer only.")
        md.append("")
        base = {r["kind"]: r for r in levels if r["level"] == min(x["level"] for x in levels)}
        lines = []
        for kind in ("migrator", "storescu"):
            rows = sorted([r for r in levels if r["kind"] == kind], key=lambda r: r["level"])
            if rows and kind in base and base[kind].get("inst_s"):
                key = "inst_s_transfer" if kind == "migrator" else "inst_s"
                b = base[kind].get(key)
                # a run whose window was not seen (a short run between two samples) has no figure to compare
                lines.append(f"{kind}: " + ", ".join(f"N={r['level']} " + (f"×{r[key] / b:.2f}" if b and r.get(key) else "n/a")
                                                     for r in rows))
        if lines:
            md.append("Scaling relative to the smallest N (migrator on its transfer window): " + "; ".join(lines) + ".\n")

    if large or main_mig:
        md.append("## Memory as the study grows\n")
        md.append("| run | instances per study (max) | instances | wall s | instances/s | peak heap used MB | peak RSS JVM MB | Kafka MB | Cassandra MB | peak RSS all three MB |")
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        mem_rows = main_mig[:1] + main_stow[:1] + [r for r in levels if r["kind"] == "migrator"][:1] + large
        for r in mem_rows:
            md.append(f"| {r['label']} | {fnum(r.get('max_study_instances'), 0)} | {fnum(r.get('instances'), 0)} | "
                      f"{fnum(r.get('wall_s'), 2)} | {fnum(r['inst_s'])} | {fnum(r.get('peak_heap_mb'), 0)} | "
                      f"{fnum(r.get('rss_migrator_mb'), 0)} | {fnum(r.get('rss_kafka_mb'), 0)} | {fnum(r.get('rss_cassandra_mb'), 0)} | "
                      f"{fnum(r.get('rss_tree_peak_mb'), 0)} |")
        md.append("")
        md.append("The migrator JVM runs with -Xmx1g (scripts/migrate.sh); heap used is sampled every second from "
                  "`jvm_memory_used_bytes{area=\"heap\"}`, so it includes garbage not yet collected. A study held in "
                  "memory would show as heap growing with the study (2,000 × 0.5 MB = 1 GB: it would not fit).\n")

    bad = [r for r in runs if not r.get("ok")]
    if bad:
        md.append("## Problems\n")
        for r in bad:
            md.append(f"- {r['label']}: {r.get('note', 'failed')}")
        md.append("")
    if meta.get("notes"):
        md.append("## Notes\n")
        for n in meta["notes"]:
            md.append(f"- {n}")
        md.append("")

    others = [r["others_cores"] for r in runs if r.get("others_cores") is not None]
    if others and max(others) > 0.25 * meta["cpus"]:
        md.insert(4, f"**Warning: other work used up to {max(others):.2f} of {meta['cpus']} cores during the runs (column "
                     f"'others'); rates and CPU times are disturbed. Repeat on a quiet machine before comparing.**\n")
    text = "\n".join(md)
    with open(os.path.join(d, "results.md"), "w") as f:
        f.write(text)
    cols = ["group", "label", "kind", "level", "rep", "ok", "instances", "expected_instances", "mb", "wall_s",
            "transfer_s", "inst_s", "mb_s", "inst_s_transfer", "inst_s_half", "half_cpu_tool_s", "cpu_tool_s", "cpu_migrator_s", "cpu_kafka_s",
            "cpu_cassandra_s", "cpu_old_pacs_s", "cpu_new_pacs_s", "cpu_tool_k", "cpu_old_k", "cpu_new_k",
            "machine_busy_cores", "rss_migrator_mb", "rss_kafka_mb", "rss_cassandra_mb", "peak_heap_mb",
            "max_study_instances", "t_console_s", "t_first_retrieve_s", "t_all_verified_s", "note",
            "cpu_intermediate_s", "cpu_mid_k", "rss_tool_mb", "protocol"]
    with open(os.path.join(d, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for r in runs:
            w.writerow([round(r[c], 3) if isinstance(r.get(c), float) else r.get(c, "") for c in cols])
    with open(os.path.join(d, "chart.html"), "w") as f:
        f.write(chart(meta, runs, main_mig + main_stow + main_mv + main_2hop + main_sc, levels, large, ratio))
    print(text)


# ---------------------------------------------------------------------------------------------
# chart (self-contained HTML, inline SVG)

COLORS = {"migrator": "#2b6cb0", "movescu": "#dd6b20", "storescu": "#38a169", "dcmtk-2hop": "#b7791f",
          "orthanc-2hop": "#d53f8c", "old": "#805ad5", "new": "#e53e3e", "services": "#718096", "jvm": "#2b6cb0",
          "tool": "#dd6b20", "mid": "#ecc94b"}


def hbar_chart(title, rows, unit):
    """rows: [(label, [(value, color, name)])] stacked horizontal bars."""
    width, left, bar_h, gap = 860, 300, 22, 8
    maxv = max((sum(v for v, _, _ in parts) for _, parts in rows), default=1) or 1
    h = 40 + len(rows) * (bar_h + gap) + 50
    out = [f'<h3>{html.escape(title)}</h3><svg width="{width}" height="{h}" xmlns="http://www.w3.org/2000/svg" '
           f'font-family="sans-serif" font-size="12">']
    y = 20
    for label, parts in rows:
        out.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{html.escape(label)}</text>')
        x = left
        for v, color, name in parts:
            w = (width - left - 90) * v / maxv
            out.append(f'<rect x="{x:.1f}" y="{y}" width="{max(w, 0.5):.1f}" height="{bar_h}" fill="{color}">'
                       f'<title>{html.escape(name)}: {v:,.2f} {unit}</title></rect>')
            x += w
        total = sum(v for v, _, _ in parts)
        out.append(f'<text x="{x + 5:.1f}" y="{y + 15}">{total:,.1f} {html.escape(unit)}</text>')
        y += bar_h + gap
    legend = {}
    for _, parts in rows:
        for _, color, name in parts:
            legend.setdefault(name, color)
    x = left
    for name, color in legend.items():
        if x + 30 + 7 * len(name) > width:
            x, y = left, y + 18
        out.append(f'<rect x="{x}" y="{y + 4}" width="12" height="12" fill="{color}"/>'
                   f'<text x="{x + 16}" y="{y + 14}">{html.escape(name)}</text>')
        x += 30 + 7 * len(name)
    out.append("</svg>")
    return "\n".join(out)


def line_chart(title, series, xlabel, ylabel):
    """series: {name: [(x, y)]}; x on a log2-like categorical axis."""
    xs = sorted({x for pts in series.values() for x, _ in pts})
    if not xs:
        return ""
    width, height, left, bottom, top, right = 860, 320, 60, 40, 40, 200
    maxy = max((y for pts in series.values() for _, y in pts if y), default=1) * 1.1 or 1
    def px(x):
        return left + (xs.index(x) + 0.5) * (width - left - right) / len(xs)
    def py(y):
        return top + (height - top - bottom) * (1 - y / maxy)
    out = [f'<h3>{html.escape(title)}</h3><svg width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg" '
           f'font-family="sans-serif" font-size="12">',
           f'<line x1="{left}" y1="{py(0)}" x2="{width - right}" y2="{py(0)}" stroke="#999"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{py(0)}" stroke="#999"/>',
           f'<text x="{(width - right + left) / 2}" y="{height - 5}" text-anchor="middle">{html.escape(xlabel)}</text>',
           f'<text x="{left}" y="{top - 16}">{html.escape(ylabel)}</text>']
    for i in range(5):
        v = maxy * i / 4
        out.append(f'<text x="{left - 5}" y="{py(v) + 4:.1f}" text-anchor="end">{v:,.0f}</text>'
                   f'<line x1="{left}" y1="{py(v):.1f}" x2="{width - right}" y2="{py(v):.1f}" stroke="#eee"/>')
    for x in xs:
        out.append(f'<text x="{px(x):.1f}" y="{py(0) + 16:.1f}" text-anchor="middle">{x}</text>')
    ly = top
    for name, pts in series.items():
        color = COLORS.get(name.split()[0], "#333")
        pts = sorted(p for p in pts if p[1])
        if not pts:
            continue
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
        dash = ' stroke-dasharray="6 4"' if "end to end" in name else ""
        out.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
        for x, y in pts:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="4" fill="{color}"><title>{html.escape(name)} '
                       f'N={x}: {y:,.1f}</title></circle>')
        out.append(f'<rect x="{width - right + 10}" y="{ly}" width="12" height="12" fill="{color}"/>'
                   f'<text x="{width - right + 26}" y="{ly + 10}">{html.escape(name)}</text>')
        ly += 18
    out.append("</svg>")
    return "\n".join(out)


def timeline(r):
    """Instances retrieved / forwarded / verified over time in one migrator run (from its samples)."""
    try:
        with open(r["samples_file"]) as f:
            samples = [json.loads(line) for line in f if line.strip()]
    except (OSError, KeyError, ValueError):
        return ""
    per_study = (r.get("instances") or 0) / max(1, r.get("studies") or 1)
    pts = {"retrieved": [], "forwarded": [], "verified (studies × mean size)": []}
    for s in samples:
        if "retrieve_instances" not in s:
            continue
        pts["retrieved"].append((s["t"], s["retrieve_instances"]))
        pts["forwarded"].append((s["t"], s["forward_instances"]))
        pts["verified (studies × mean size)"].append((s["t"], s["processed"].get("verify", 0) * per_study))
    if not pts["retrieved"]:
        return ""
    width, height, left, bottom, top = 760, 300, 60, 40, 20
    maxt = max(s["t"] for s in samples) or 1
    maxy = max(max(y for _, y in p) for p in pts.values()) or 1
    def px(t):
        return left + (width - left - 200) * t / maxt
    def py(y):
        return top + (height - top - bottom) * (1 - y / maxy)
    colors = ["#2b6cb0", "#38a169", "#dd6b20"]
    out = [f'<h3>{html.escape(r["label"])}: instances over time (s since start)</h3><svg width="{width}" height="{height}" '
           'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="12">',
           f'<line x1="{left}" y1="{py(0)}" x2="{width - 200}" y2="{py(0)}" stroke="#999"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{py(0)}" stroke="#999"/>']
    for i in range(5):
        v, t = maxy * i / 4, maxt * i / 4
        out.append(f'<text x="{left - 5}" y="{py(v) + 4:.1f}" text-anchor="end">{v:,.0f}</text>')
        out.append(f'<text x="{px(t):.1f}" y="{py(0) + 16:.1f}" text-anchor="middle">{t:,.0f}</text>')
    for i, key in enumerate(("t_console_s", "t_first_retrieve_s", "t_all_verified_s")):
        if r.get(key) is not None:
            x = px(r[key])
            out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{py(0)}" stroke="#ccc" stroke-dasharray="4"/>'
                       f'<text x="{x + 2:.1f}" y="{top + 10 + 12 * i}" font-size="10">{key[2:-2].replace("_", " ")}</text>')
    ly = top
    for (name, p), color in zip(pts.items(), colors):
        path = " ".join(f"{px(t):.1f},{py(y):.1f}" for t, y in p)
        out.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>'
                   f'<rect x="{width - 190}" y="{ly}" width="12" height="12" fill="{color}"/>'
                   f'<text x="{width - 174}" y="{ly + 10}">{html.escape(name)}</text>')
        ly += 18
    out.append("</svg>")
    return "\n".join(out)


def chart(meta, runs, main, levels, large, ratio):
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>Migration benchmark {html.escape(meta['timestamp'])}"
             "</title><style>body{font-family:sans-serif;margin:2em;max-width:900px}</style></head><body>",
             f"<h1>Migration benchmark {html.escape(meta['timestamp'])}</h1>",
             f"<p>{fnum(meta.get('dataset_instances'), 0)} instances, {fnum((meta.get('dataset_bytes') or 0) / 1e6, 0)} MB; "
             f"{meta['cpus']} CPUs. " + (f"<b>Ratio migrator / movescu: {ratio:.2f}</b>" if ratio else "") + "</p>"]
    rows = [(r["label"], [(r["inst_s"] or 0, COLORS.get(r["kind"], "#333"), r["kind"])]) for r in main]
    parts.append(hbar_chart("Main data set: instances/s (end to end)", rows, "inst/s"))
    rows = []
    for r in main:
        stack = []
        if r["kind"] == "migrator":
            stack.append((r.get("cpu_jvm_k") or 0, COLORS["jvm"], "migrator JVM"))
            stack.append((r.get("cpu_services_k") or 0, COLORS["services"], "Kafka + Cassandra"))
        else:
            mid = r.get("cpu_mid_k") or 0
            stack.append(((r.get("cpu_tool_k") or 0) - mid, COLORS["tool"], "DCMTK tool / curl"))
            if mid:
                stack.append((mid, COLORS["mid"], "intermediate (storescp / Orthanc)"))
        stack.append((r.get("cpu_old_k") or 0, COLORS["old"], "old PACS (Orthanc)"))
        stack.append((r.get("cpu_new_k") or 0, COLORS["new"], "new PACS (Orthanc)"))
        rows.append((r["label"], stack))
        n = r.get("instances") or 0
        if r["kind"] == "migrator" and r.get("window_cpu_tool_s") is not None and n:
            jvm = per_k(r.get("window_cpu_jvm_s"), n) or 0
            rows.append((r["label"] + ", transfer window", [
                (jvm, COLORS["jvm"], "migrator JVM"),
                ((per_k(r["window_cpu_tool_s"], n) or 0) - jvm, COLORS["services"], "Kafka + Cassandra"),
                (per_k(r.get("window_cpu_old_pacs_s"), n) or 0, COLORS["old"], "old PACS (Orthanc)"),
                (per_k(r.get("window_cpu_new_pacs_s"), n) or 0, COLORS["new"], "new PACS (Orthanc)")]))
    parts.append(hbar_chart("CPU seconds per 1,000 instances", rows, "CPU s"))
    if levels:
        series = {}
        for r in levels:
            key = "inst_s_transfer" if r["kind"] == "migrator" else "inst_s"
            series.setdefault(f"{r['kind']} (" + ("transfer window" if r["kind"] == "migrator" else "wall") + ")",
                              []).append((r["level"], r.get(key) or r["inst_s"]))
            if r["kind"] == "migrator":
                series.setdefault("migrator (end to end)", []).append((r["level"], r["inst_s"]))
        parts.append(line_chart("Parallel associations / processes: instances/s", series, "N", "instances/s"))
    for r in [r for r in runs if r["kind"] == "migrator" and r["group"] == "main" and not is_stow(r)][:1]:
        parts.append(timeline(r))
    mem = [r for r in runs if r["kind"] == "migrator"]
    if mem:
        rows = [(f"{r['label']} (≤{r.get('max_study_instances', '?')}/study)",
                 [(r.get("peak_heap_mb") or 0, COLORS["jvm"], "peak heap used")]) for r in mem]
        parts.append(hbar_chart("Migrator JVM: peak heap used (MB)", rows, "MB"))
        rows = [(f"{r['label']} (≤{r.get('max_study_instances', '?')}/study)",
                 [(r.get("rss_migrator_mb") or 0, COLORS["services"], "peak RSS")]) for r in mem]
        parts.append(hbar_chart("Migrator JVM: peak RSS (MB)", rows, "MB"))
    parts.append("</body></html>")
    return "\n".join(parts)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "freeport":
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])
        s.close()
    elif cmd == "cpu":
        st = proc_stat(int(args[0]))
        print(f"{st[1]:.2f}" if st else "0")
    elif cmd == "stat":  # http-port field: a value of Orthanc's /statistics, "" when unreachable
        try:
            print(get_json(f"http://127.0.0.1:{args[0]}/statistics")[args[1]])
        except Exception as e:
            sys.stderr.write(f"Orthanc :{args[0]} /statistics: {e}\n")
            print("")
    elif cmd == "first-tag":  # http-port keyword: the attribute of one stored instance
        try:
            ids = get_json(f"http://127.0.0.1:{args[0]}/instances")
            print(get_json(f"http://127.0.0.1:{args[0]}/instances/{ids[0]}/simplified-tags").get(args[1], "") if ids else "")
        except Exception as e:
            sys.stderr.write(f"Orthanc :{args[0]} /instances: {e}\n")
            print("")
    elif cmd == "hwm":
        print(proc_mem_kb(int(args[0]))[1])
    elif cmd == "busy":
        print(*machine_busy())
    elif cmd == "monitor":
        monitor(args)
    elif cmd == "record":
        record(args)
    elif cmd == "report":
        report(args)
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
