#!/usr/bin/env bash
# End-to-end migration benchmark (not part of the tests).
#
#   bench/migration-bench.sh [--quick] [options]
#
# Seeds an old PACS (Orthanc) with a synthetic data set through `scripts/migrate.sh generate`,
# migrates it with `scripts/migrate.sh run` on the embedded default (own Kafka and Cassandra
# child JVMs, C-MOVE into the filesystem cache, a rules file that really changes every image,
# verification `sent-and-cfind`, final report) into a fresh new PACS, and measures on the same
# data:
#   - the same migration storing by STOW-RS (`destination.protocol: dicomweb`) into a fresh Orthanc with
#     its DICOMweb plugin (verified by QIDO-RS), beside the C-STORE run and against the same baselines;
#   - DCMTK movescu of every study, one after the other, straight from the old PACS to a fresh
#     new PACS (headline: ratio migrator / movescu, instances per second);
#   - the two-hop contenders of a design that caches every image, each study by study and pipelined
#     (the send of study k runs while the retrieve of study k+1 runs), each into a fresh new PACS:
#     DCMTK movescu into a local storescp folder, then storescu of the study's folder; and a third
#     Orthanc as the intermediate cache (C-MOVE into it over its REST API, then its REST store);
#   - P parallel DCMTK storescu processes of the same files into a fresh new PACS (the ingest
#     ceiling of the new PACS on this machine; the files are exported first with getscu, untimed);
#   - the migrator with N = 1, 2, 4, 8 retrieve and store associations on a subset (first
#     --level-days days), each into a fresh new PACS and data directory, beside storescu with N
#     processes on the same subset;
#   - the migrator on one study of --large instances (memory must not grow with the study).
# For every run: wall time, instances and bytes stored in the new PACS, CPU seconds of the tool
# (the migrator JVM plus its child JVMs; the DCMTK processes), of the old and the new Orthanc,
# of the whole machine, peak RSS and heap of the migrator JVM, per-stage rates (Prometheus
# counters of the embedded console, polled every second).
#
# Options (environment variable in brackets):
#   --studies N        studies in the main data set             [BENCH_STUDIES, default 200]
#   --series N         series per study                          [BENCH_SERIES, default 2]
#   --instances N      instances per series                      [BENCH_INSTANCES, default 25]
#   --days N           days the studies are spread over          [BENCH_DAYS, default 20]
#                      (every third study gets one more secondary-capture instance; the default
#                      is 10,066 instances of ~0.52 MB = 5.2 GB)
#   --levels "1 2 4 8" association levels N                      [BENCH_LEVELS]
#   --level-days N     the level runs migrate the first N days   [BENCH_LEVEL_DAYS, default days/5]
#   --large N          instances of the single large study, 0 = skip   [BENCH_LARGE, default 2000]
#   --storescu N       parallel storescu processes (main set)    [BENCH_STORESCU, default 4]
#   --repeat N         repeat the migrator, movescu and two-hop runs of the main set (medians) [BENCH_REPEAT, 1]
#   --no-levels, --no-baselines, --no-large, --no-stow   skip parts  [BENCH_STOW=0 = --no-stow]
#   --timeout S        a migrator run taking longer is stopped   [BENCH_RUN_TIMEOUT, default 7200]
#   --out DIR          results directory          [default bench/results/<timestamp>]
#   --keep             keep the PACS storages, caches and data directories (else deleted)
#   --quick            10 studies × 2 series × 10 instances over 2 days, levels "1 2" on both
#                      days, large study 300, storescu 2 (options after --quick override it)
#
# Results: <out>/results.md, results.csv, chart.html (self-contained SVG), runs.jsonl (raw),
# and one folder per run with its config, log and samples. Needs a built tree
# (scripts/setup.sh && mvn -B -q -DskipTests package), Orthanc, DCMTK, curl and python3.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
helper="$root/bench/migration_bench.py"
py="$(command -v python3 || true)"
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
export TCP_NODELAY=1 PACSMIG_HOME="$root"

studies="${BENCH_STUDIES:-200}"
series="${BENCH_SERIES:-2}"
instances="${BENCH_INSTANCES:-25}"
days="${BENCH_DAYS:-20}"
levels="${BENCH_LEVELS:-1 2 4 8}"
level_days="${BENCH_LEVEL_DAYS:-}"
large="${BENCH_LARGE:-2000}"
storescu_procs="${BENCH_STORESCU:-4}"
repeat="${BENCH_REPEAT:-1}"
run_timeout="${BENCH_RUN_TIMEOUT:-7200}"
out=""
keep=0
do_levels=1
do_baselines=1
do_stow="${BENCH_STOW:-1}"
dicomweb_plugin=/usr/share/orthanc/plugins/libOrthancDicomWeb.so
command_line="bench/migration-bench.sh $*"

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) studies=10 series=2 instances=10 days=2 levels="1 2" large=300 level_days=2 storescu_procs=2 ;;
    --studies) studies="$2"; shift ;;
    --series) series="$2"; shift ;;
    --instances) instances="$2"; shift ;;
    --days) days="$2"; shift ;;
    --levels) levels="$2"; shift ;;
    --level-days) level_days="$2"; shift ;;
    --large) large="$2"; shift ;;
    --storescu) storescu_procs="$2"; shift ;;
    --repeat) repeat="$2"; shift ;;
    --timeout) run_timeout="$2"; shift ;;
    --out) out="$2"; shift ;;
    --keep) keep=1 ;;
    --no-levels) do_levels=0 ;;
    --no-baselines) do_baselines=0 ;;
    --no-large) large=0 ;;
    --no-stow) do_stow=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "migration-bench: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$level_days" ] || level_days=$(( days >= 5 ? days / 5 : days ))
(( level_days > days )) && level_days=$days

for tool in Orthanc movescu getscu storescu curl /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "migration-bench: $tool is missing (scripts/setup.sh installs Orthanc and DCMTK)" >&2; exit 2; }
done
[ -n "$py" ] || { echo "migration-bench: python3 is missing" >&2; exit 2; }
if [ "$do_stow" = 1 ] && [ ! -r "$dicomweb_plugin" ]; then
  echo "migration-bench: $dicomweb_plugin is missing for the STOW-RS run (scripts/setup.sh installs orthanc-dicomweb; or --no-stow)" >&2
  exit 2
fi
if [ ! -f "$root/migrator/target/migrator-0.1.0-SNAPSHOT.jar" ] || [ ! -f "$root/target/runtime/migrator.classpath" ]; then
  echo "migration-bench: build first: scripts/setup.sh && mvn -B -q -DskipTests package" >&2
  exit 2
fi

stamp="$(date +%Y%m%d-%H%M%S)"
[ -n "$out" ] || out="$root/bench/results/$stamp"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$out/work"
mkdir -p "$work"
runs="$out/runs.jsonl"
: > "$runs"
first_day=2024-01-01
large_day=2023-06-01
log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$out/bench.log" >&2; }

# ---- process bookkeeping: everything started here is stopped by pid on exit -------------------
started=()
descendants() { # pid -> its descendants, deepest first
  local kid
  for kid in $(ps -o pid= --ppid "$1" 2>/dev/null); do descendants "$kid"; echo "$kid"; done
}
kill_tree() { # TERM the tree (children first seen), wait up to 30 s, then KILL what is left
  local pid="$1" all i
  all="$(descendants "$pid") $pid"
  kill -TERM $all 2>/dev/null || true
  for i in $(seq 1 60); do
    local alive=0 p
    for p in $all; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.5
  done
  kill -KILL $all 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${started[@]}"; do
    kill -0 "$pid" 2>/dev/null && kill_tree "$pid"
  done
  if [ $keep = 0 ] && [ -d "$work" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'trap - INT TERM; exit 130' INT TERM

freeport() { "$py" "$helper" freeport; }

# ---- a private copy of the built product (scripts/migrate.sh, the reactor jars, the runtime
# classpaths): a rebuild of the tree by other work during the benchmark cannot change or break it
snap="$work/product"
mkdir -p "$snap/scripts" "$snap/target/runtime" "$snap/migrator/target"
cp "$root/scripts/migrate.sh" "$snap/scripts/"
cp "$root/migrator/target/migrator-0.1.0-SNAPSHOT.jar" "$snap/migrator/target/"
for f in "$root"/target/runtime/*.classpath; do
  for p in $(tr ':' '\n' < "$f" | grep "^$root/" || true); do
    rel="${p#"$root"/}"
    if [ -e "$p" ] && [ ! -e "$snap/$rel" ]; then mkdir -p "$snap/$(dirname "$rel")"; cp "$p" "$snap/$rel"; fi
  done
  sed "s#$root/#$snap/#g" "$f" > "$snap/target/runtime/$(basename "$f")"
done
migrate="$snap/scripts/migrate.sh"
"$migrate" generate --help > /dev/null 2>&1 || { echo "migration-bench: the built product does not start (a build in progress?)" >&2; exit 2; }
product="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$([ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ] && echo '+local changes'), migrator jar of $(date -r "$root/migrator/target/migrator-0.1.0-SNAPSHOT.jar" '+%Y-%m-%d %H:%M')"
cpu_of() { "$py" "$helper" cpu "$1"; }

# ---- Orthanc ------------------------------------------------------------------------------------
# start_orthanc AE DIR [dicomweb]: sets orth_pid, orth_dicom, orth_http. No Lua, no compression; the caller
# AE BENCHSCU is known (movescu/getscu); the migrator's AE is registered per run over REST. With "dicomweb"
# the DICOMweb plugin serves STOW-RS and QIDO-RS under http://127.0.0.1:<orth_http>/dicom-web.
start_orthanc() {
  local ae="$1" dir="$2" plugins=""
  [ "${3:-}" = dicomweb ] && plugins="\"Plugins\": [\"$dicomweb_plugin\"], \"DicomWeb\": {\"Enable\": true, \"Root\": \"/dicom-web/\"},"
  mkdir -p "$dir/storage"
  orth_dicom=$(freeport); orth_http=$(freeport)
  while [ "$orth_http" = "$orth_dicom" ]; do orth_http=$(freeport); done
  cat > "$dir/orthanc.json" <<EOF
{
  "Name": "$ae", "DicomAet": "$ae", "DicomPort": $orth_dicom, "HttpPort": $orth_http,
  "StorageDirectory": "$dir/storage", "IndexDirectory": "$dir/storage",
  "RemoteAccessAllowed": false, "AuthenticationEnabled": false, "HttpServerEnabled": true,
  "DicomCheckCalledAet": false, "DicomAlwaysAllowEcho": true, "DicomAlwaysAllowStore": true,
  "StorageCompression": false, "DicomScpTimeout": 60, "StableAge": 1, "ConcurrentJobs": 2,
  "DicomThreadsCount": 16, $plugins
  "DicomModalities": {
    "BENCHSCU": {"AET": "BENCHSCU", "Host": "127.0.0.1", "Port": 1, "AllowEcho": true, "AllowFind": true,
                 "AllowMove": true, "AllowGet": true, "AllowStore": true}
  }
}
EOF
  Orthanc "$dir/orthanc.json" > "$dir/orthanc.log" 2>&1 &
  orth_pid=$!
  started+=("$orth_pid")
  local i
  for i in $(seq 1 150); do
    if curl -sf "http://127.0.0.1:$orth_http/system" >/dev/null 2>&1 && (exec 3<>"/dev/tcp/127.0.0.1/$orth_dicom") 2>/dev/null; then
      return 0
    fi
    kill -0 "$orth_pid" 2>/dev/null || { echo "Orthanc $ae exited: $(tail -5 "$dir/orthanc.log")" >&2; return 1; }
    sleep 0.2
  done
  echo "Orthanc $ae did not start" >&2
  return 1
}
stop_orthanc() { # pid: Orthanc must exit before its storage is reused (SQLite lock)
  kill -TERM "$1" 2>/dev/null || true
  local i
  for i in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
orthanc_stat() { "$py" "$helper" stat "$1" "$2"; } # http field -> value from /statistics
add_modality() { # http name ae port
  curl -sf -X PUT "http://127.0.0.1:$1/modalities/$2" \
    -d "{\"AET\":\"$3\",\"Host\":\"127.0.0.1\",\"Port\":$4,\"AllowEcho\":true,\"AllowFind\":true,\"AllowMove\":true,\"AllowGet\":true,\"AllowStore\":true}" >/dev/null
}
# study UIDs of the old PACS in a StudyDate range (YYYYMMDD-YYYYMMDD), one per line, with instance counts
studies_in() { # range -> "uid count" lines
  curl -sf -X POST "http://127.0.0.1:$old_http/tools/find" \
    -d "{\"Level\":\"Study\",\"Query\":{\"StudyDate\":\"$1\"},\"Expand\":true}" |
    "$py" -c '
import json, sys, urllib.request
for s in json.load(sys.stdin):
    n = sum(len(json.load(urllib.request.urlopen("http://127.0.0.1:'"$old_http"'/series/" + se))["Instances"]) for se in s["Series"])
    print(s["MainDicomTags"]["StudyInstanceUID"], n)'
}
day_plus() { date -d "$1 + $2 days" +%Y-%m-%d; }
dicom_date() { echo "${1//-/}"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# ---- the rules file: every image is validated and changed ---------------------------------------
cat > "$work/rules.yaml" <<'EOF'
rules:
  - name: check-original
    validate:
      required: [PatientID, StudyInstanceUID, SOPInstanceUID]
      uidSyntax: true
      studyMatchesIndex: true
    onFailure: reject
  - name: institution
    set: {InstitutionName: "PACS Migrator Bench"}
EOF
rules_desc="validation of required attributes, UID syntax and study against the index, reject on failure; InstitutionName set on every image"

# ---- one migrator run ---------------------------------------------------------------------------
# run_migrator LABEL GROUP LEVEL REP FROM TO EXPECTED_STUDIES EXPECTED_INSTANCES MAX_STUDY_INSTANCES [PROTOCOL]
# PROTOCOL: dimse (C-STORE, the default) or dicomweb (STOW-RS into an Orthanc with its DICOMweb plugin)
run_migrator() {
  local label="$1" group="$2" level="$3" rep="$4" from="$5" to="$6" exp_studies="$7" exp_inst="$8" max_study="$9"
  local protocol="${10:-dimse}" name=migrator
  [ "$protocol" = dicomweb ] && name=migrator-stow
  local d="$work/run-$group-$level-$rep-$name" r="$out/runs/$group-$level-$rep-$name"
  rm -rf "$d" "$r"; mkdir -p "$d" "$r"
  start_orthanc NEWPACS "$d/new-pacs" "$protocol"
  local new_pid=$orth_pid new_dicom=$orth_dicom new_http=$orth_http
  local destination="{aeTitle: NEWPACS, host: 127.0.0.1, port: $new_dicom}"
  [ "$protocol" = dicomweb ] && destination="{protocol: dicomweb, aeTitle: NEWPACS, dicomweb: {url: 'http://127.0.0.1:$new_http/dicom-web'}}"
  local mport; mport=$(freeport)
  add_modality "$old_http" MIGRATOR MIGRATOR "$mport"   # C-FIND and C-MOVE to its storage SCP
  add_modality "$new_http" MIGRATOR MIGRATOR "$mport"   # verification C-FIND
  local assoc=""
  if [ "$level" != "-" ]; then
    local parts=$(( level > 6 ? level : 6 ))
    assoc="
retrieve: {concurrency: $level, maxAssociations: $level}
forward: {rulesFile: $work/rules.yaml, concurrency: $level, maxAssociations: $level, associations: $level}
services: {partitions: $parts}"
  else
    assoc="
forward: {rulesFile: $work/rules.yaml}"
  fi
  cat > "$r/migration.yaml" <<EOF
migrationId: bench
source: {aeTitle: OLDPACS, host: 127.0.0.1, port: $old_dicom, retrieveMethod: C-MOVE}
destination: $destination
migrator: {aeTitle: MIGRATOR, bindAddress: 127.0.0.1, port: $mport}
index: {from: $from, to: $to}$assoc
verify: {completion: sent-and-cfind}
storage: {dataDirectory: $d/data}
console: {port: 0}
EOF
  log "$label: migrating $exp_studies studies / $exp_inst instances ($from..$to) into a fresh new PACS (load $(load))"
  /usr/bin/time -f "%e %U %S %M" -o "$r/time.txt" "$migrate" run --config "$r/migration.yaml" > "$r/run.log" 2>&1 &
  local tpid=$!
  started+=("$tpid")
  "$py" "$helper" monitor --parent "$tpid" --log "$r/run.log" --studies "$exp_studies" --timeout "$run_timeout" \
    --orthanc "old=$old_pid,new=$new_pid" --out "$r/samples.jsonl" --summary "$r/monitor.json" &
  local mpid=$!
  started+=("$mpid")
  local rc=0
  wait "$tpid" || rc=$?
  wait "$mpid" || true
  local wall user sys maxrss
  read -r wall user sys maxrss < <(tail -1 "$r/time.txt")
  local got bytes; got=$(orthanc_stat "$new_http" CountInstances); bytes=$(orthanc_stat "$new_http" TotalDiskSize)
  local ok=true note=""
  [ "$rc" = 0 ] || { ok=false; note="run exited $rc"; }
  [ "$got" = "$exp_inst" ] || { ok=false; note="$note new PACS holds $got of $exp_inst instances"; }
  grep -q "RESULT: COMPLETE" "$r/run.log" || { ok=false; note="$note summary not COMPLETE"; }
  # the rule really changed the images: look at one instance in the new PACS
  local inst_name; inst_name=$("$py" "$helper" first-tag "$new_http" InstitutionName)
  [ "$inst_name" = "PACS Migrator Bench" ] || { ok=false; note="$note rule not applied (InstitutionName '$inst_name')"; }
  stop_orthanc "$new_pid"
  "$py" "$helper" record "$runs" group="$group" label="$label" kind=migrator protocol="$protocol" level="\"$level\"" rep="$rep" \
    ok="$ok" note="${note# }" instances="${got:-0}" expected_instances="$exp_inst" bytes="${bytes:-0}" \
    wall_s="$wall" cpu_total_s="$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')" time_maxrss_kb="$maxrss" \
    samples_file="$r/samples.jsonl" max_study_instances="$max_study" studies="$exp_studies" \
    summary=@"$r/monitor.json"
  fix_level "$level"
  log "$label: ${got:-0} instances in ${wall} s, CPU ${user}+${sys} s, ok=$ok ${note}"
  if [ $keep = 0 ]; then rm -rf "$d/new-pacs/storage" "$d/data"; fi
}
# the level of a main/large run is "-" (the product's defaults); store it as 0 in the record
fix_level() {
  "$py" - "$runs" <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
r = json.loads(lines[-1])
r["level"] = 0 if r.get("level") in ("-", None) else int(r["level"])
lines[-1] = json.dumps(r)
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
EOF
}

# ---- movescu: every study, one after the other, old PACS -> fresh new PACS ------------------------
# run_movescu LABEL GROUP REP UIDFILE EXPECTED_INSTANCES
run_movescu() {
  local label="$1" group="$2" rep="$3" uids="$4" exp_inst="$5"
  local d="$work/run-$group-$rep-movescu" r="$out/runs/$group-$rep-movescu"
  rm -rf "$d" "$r"; mkdir -p "$d" "$r"
  start_orthanc NEWMV "$d/new-pacs"
  local new_pid=$orth_pid new_dicom=$orth_dicom new_http=$orth_http
  add_modality "$old_http" NEWMV NEWMV "$new_dicom"
  log "$label: movescu of $(wc -l < "$uids") studies, one after the other (load $(load))"
  local old0 new0 busy0 busy1
  old0=$(cpu_of "$old_pid"); new0=$(cpu_of "$new_pid"); busy0=$("$py" "$helper" busy)
  /usr/bin/time -f "%e %U %S %M" -o "$r/time.txt" bash -c '
    fails=0
    while read -r uid _; do
      movescu -S -aet BENCHSCU -aec OLDPACS -aem NEWMV -k QueryRetrieveLevel=STUDY -k StudyInstanceUID="$uid" \
        127.0.0.1 '"$old_dicom"' >> "'"$r"'/movescu.log" 2>&1 || fails=$((fails + 1))
    done < "'"$uids"'"
    exit $fails' || true
  busy1=$("$py" "$helper" busy)
  local old1 new1; old1=$(cpu_of "$old_pid"); new1=$(cpu_of "$new_pid")
  record_baseline "$label" "$group" movescu 0 "$rep" "$r" "$new_http" "$exp_inst" "$old0" "$old1" "$new0" "$new1" "$busy0" "$busy1"
  stop_orthanc "$new_pid"
  [ $keep = 0 ] && rm -rf "$d/new-pacs/storage"
  return 0
}

# ---- storescu: P processes in parallel over exported files -> fresh new PACS --------------------
# run_storescu LABEL GROUP LEVEL UIDFILE EXPECTED_INSTANCES PROCS
run_storescu() {
  local label="$1" group="$2" level="$3" uids="$4" exp_inst="$5" procs="$6"
  local d="$work/run-$group-$level-storescu" r="$out/runs/$group-$level-storescu"
  rm -rf "$d" "$r"; mkdir -p "$d" "$r"
  start_orthanc NEWSC "$d/new-pacs"
  local new_pid=$orth_pid new_dicom=$orth_dicom new_http=$orth_http
  # the studies dealt round-robin to the processes (whole studies, as a PACS would receive them)
  local i=0 uid
  while read -r uid _; do
    echo "$export_dir/$uid" >> "$r/part-$(( i % procs ))"
    i=$((i + 1))
  done < "$uids"
  log "$label: $procs storescu processes in parallel, $exp_inst instances (load $(load))"
  local old0 new0 busy0 busy1
  new0=$(cpu_of "$new_pid"); busy0=$("$py" "$helper" busy)
  /usr/bin/time -f "%e %U %S %M" -o "$r/time.txt" bash -c '
    pids=()
    for part in "'"$r"'"/part-*; do
      xargs -a "$part" storescu -aet BENCHSCU -aec NEWSC +sd +r 127.0.0.1 '"$new_dicom"' > "$part.log" 2>&1 &
      pids+=($!)
    done
    fails=0
    for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
    exit $fails' || true
  busy1=$("$py" "$helper" busy)
  local new1; new1=$(cpu_of "$new_pid")
  record_baseline "$label" "$group" storescu "$level" 1 "$r" "$new_http" "$exp_inst" - - "$new0" "$new1" "$busy0" "$busy1"
  stop_orthanc "$new_pid"
  [ $keep = 0 ] && rm -rf "$d/new-pacs/storage"
  return 0
}

# ---- the two-hop contenders: every image received into an intermediate, then sent on -----------
# Both run study by study, pipelined: hop 2 (send) of study k runs while hop 1 (retrieve) of study
# k+1 runs; at most one of each at a time. The hops are functions of one study UID that read their
# addresses from HOP_* variables, exported so that the pipeline can run under /usr/bin/time.
two_hop_pipeline() { # HOP1 HOP2 UIDFILE; exit status = failed hops
  local hop1="$1" hop2="$2" uids="$3" fails=0 prev="" uid _
  while read -r uid _; do
    "$hop1" "$uid" < /dev/null || fails=$((fails + 1))
    if [ -n "$prev" ]; then wait "$prev" || fails=$((fails + 1)); fi
    "$hop2" "$uid" < /dev/null &
    prev=$!
  done < "$uids"
  if [ -n "$prev" ]; then wait "$prev" || fails=$((fails + 1)); fi
  return $fails
}
dcmtk_hop_move() { # movescu from the old PACS into the local storescp (it files the study under st_<uid>)
  movescu -S -aet BENCHSCU -aec OLDPACS -aem "$HOP_MID_AE" -k QueryRetrieveLevel=STUDY -k StudyInstanceUID="$1" \
    127.0.0.1 "$HOP_OLD_DICOM" >> "$HOP_LOG/move.log" 2>&1
}
dcmtk_hop_store() { # storescu of the study's folder into the new PACS
  storescu -aet BENCHSCU -aec "$HOP_NEW_AE" +sd +r 127.0.0.1 "$HOP_NEW_DICOM" "$HOP_FOLDER/st_$1" >> "$HOP_LOG/store.log" 2>&1
}
orthanc_hop_move() { # the intermediate Orthanc C-MOVEs the study from the old PACS to itself (REST, synchronous job)
  curl -sf -X POST "http://127.0.0.1:$HOP_MID_HTTP/modalities/OLDPACS/move" \
    -d "{\"Level\":\"Study\",\"Resources\":[{\"StudyInstanceUID\":\"$1\"}],\"TargetAet\":\"$HOP_MID_AE\",\"Synchronous\":true}" \
    >> "$HOP_LOG/move.log" 2>&1
}
orthanc_hop_store() { # the intermediate Orthanc C-STOREs the study to the new PACS (REST, synchronous job)
  local id
  id=$(curl -sf -X POST "http://127.0.0.1:$HOP_MID_HTTP/tools/lookup" -d "$1" |
       sed -n 's/.*"ID"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' | head -1)
  [ -n "$id" ] || { echo "study $1 not in the intermediate Orthanc" >> "$HOP_LOG/store.log"; return 1; }
  curl -sf -X POST "http://127.0.0.1:$HOP_MID_HTTP/modalities/$HOP_NEW_AE/store" \
    -d "{\"Resources\":[\"$id\"],\"Synchronous\":true}" >> "$HOP_LOG/store.log" 2>&1
}
export -f two_hop_pipeline dcmtk_hop_move dcmtk_hop_store orthanc_hop_move orthanc_hop_store

# run_two_hop LABEL GROUP REP KIND(dcmtk-2hop|orthanc-2hop) UIDFILE EXPECTED_INSTANCES
run_two_hop() {
  local label="$1" group="$2" rep="$3" kind="$4" uids="$5" exp_inst="$6"
  local d="$work/run-$group-$rep-$kind" r="$out/runs/$group-$rep-$kind"
  rm -rf "$d" "$r"; mkdir -p "$d" "$r"
  local new_ae=NEWTH mid_ae=TWOHOP
  [ "$kind" = orthanc-2hop ] && { new_ae=NEWOR; mid_ae=CACHE; }
  start_orthanc "$new_ae" "$d/new-pacs"
  local new_pid=$orth_pid new_dicom=$orth_dicom new_http=$orth_http mid_pid mid_dicom mid_http=""
  if [ "$kind" = dcmtk-2hop ]; then
    mid_dicom=$(freeport)
    mkdir -p "$d/folder"
    storescp -aet "$mid_ae" -od "$d/folder" -su st "$mid_dicom" > "$r/storescp.log" 2>&1 &
    mid_pid=$!
    started+=("$mid_pid")
    local i
    for i in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$mid_dicom") 2>/dev/null && break; sleep 0.1; done
  else
    start_orthanc "$mid_ae" "$d/cache"
    mid_pid=$orth_pid mid_dicom=$orth_dicom mid_http=$orth_http
    add_modality "$mid_http" OLDPACS OLDPACS "$old_dicom"
    add_modality "$mid_http" "$new_ae" "$new_ae" "$new_dicom"
  fi
  add_modality "$old_http" "$mid_ae" "$mid_ae" "$mid_dicom"
  log "$label: $(wc -l < "$uids") studies through $mid_ae, pipelined per study (load $(load))"
  local old0 new0 mid0 busy0 busy1
  old0=$(cpu_of "$old_pid"); new0=$(cpu_of "$new_pid"); mid0=$(cpu_of "$mid_pid"); busy0=$("$py" "$helper" busy)
  HOP_OLD_DICOM="$old_dicom" HOP_NEW_DICOM="$new_dicom" HOP_NEW_AE="$new_ae" HOP_MID_AE="$mid_ae" \
  HOP_MID_HTTP="$mid_http" HOP_FOLDER="$d/folder" HOP_LOG="$r" \
    /usr/bin/time -f "%e %U %S %M" -o "$r/time.txt" bash -c 'two_hop_pipeline "$@"' _ \
      "${kind%%-*}_hop_move" "${kind%%-*}_hop_store" "$uids" || true
  busy1=$("$py" "$helper" busy)
  local old1 new1 mid1 mid_hwm; old1=$(cpu_of "$old_pid"); new1=$(cpu_of "$new_pid"); mid1=$(cpu_of "$mid_pid")
  mid_hwm=$("$py" "$helper" hwm "$mid_pid")
  record_baseline "$label" "$group" "$kind" 0 "$rep" "$r" "$new_http" "$exp_inst" "$old0" "$old1" "$new0" "$new1" "$busy0" "$busy1" \
    "$(awk -v a="$mid0" -v b="$mid1" 'BEGIN{print b-a}')" "$mid_hwm"
  if [ "$kind" = dcmtk-2hop ]; then kill_tree "$mid_pid"; else stop_orthanc "$mid_pid"; fi
  stop_orthanc "$new_pid"
  [ $keep = 0 ] && rm -rf "$d/new-pacs/storage" "$d/folder" "$d/cache/storage"
  return 0
}

# record_baseline label group kind level rep dir new_http expected old0 old1 new0 new1 busy0 busy1 [mid_cpu mid_hwm_kb]
# The tool's CPU = its waited-for processes (/usr/bin/time) + the intermediate's (storescp, Orthanc cache);
# its peak RSS = the largest waited-for process + the intermediate's VmHWM.
record_baseline() {
  local label="$1" group="$2" kind="$3" level="$4" rep="$5" r="$6" new_http="$7" exp_inst="$8"
  local mid_cpu="${15:-}" mid_hwm="${16:-0}"
  local wall user sys maxrss got bytes ok=true note=""
  read -r wall user sys maxrss < <(tail -1 "$r/time.txt" | grep -E '^[0-9.]+ [0-9.]+ [0-9.]+( [0-9]+)?$' || echo "0 0 0 0")
  if grep -q "exited with non-zero status" "$r/time.txt"; then ok=false; note="$(grep -o 'status [0-9]*' "$r/time.txt" | head -1 | cut -d' ' -f2) process(es) failed (see the logs in $r)"; fi
  got=$(orthanc_stat "$new_http" CountInstances); bytes=$(orthanc_stat "$new_http" TotalDiskSize)
  [ "$got" = "$exp_inst" ] || { ok=false; note="$note new PACS holds $got of $exp_inst instances"; }
  local busy
  busy=$(awk -v a="${13}" -v b="${14}" -v n="$(nproc)" 'BEGIN{split(a,x," "); split(b,y," "); t=y[2]-x[2]; print (t>0 ? (y[1]-x[1])/t*n : 0)}')
  "$py" "$helper" record "$runs" group="$group" label="$label" kind="$kind" level="$level" rep="$rep" ok="$ok" \
    note="${note# }" instances="${got:-0}" expected_instances="$exp_inst" bytes="${bytes:-0}" wall_s="$wall" \
    cpu_tool_s="$(awk -v u="$user" -v s="$sys" -v m="${mid_cpu:-0}" 'BEGIN{print u+s+m}')" \
    cpu_intermediate_s="${mid_cpu:-null}" rss_tool_mb="$(awk -v a="${maxrss:-0}" -v b="$mid_hwm" 'BEGIN{print (a+b)/1024}')" \
    cpu_old_pacs_s="$([ "$9" = - ] && echo null || awk -v a="$9" -v b="${10}" 'BEGIN{print b-a}')" \
    cpu_new_pacs_s="$(awk -v a="${11}" -v b="${12}" 'BEGIN{print b-a}')" machine_busy_cores="$busy"
  log "$label: ${got:-0} instances in $wall s, CPU ${user}+${sys} s${mid_cpu:+ + intermediate $mid_cpu s}, ok=$ok $note"
}

# ==================================================================================================
log "results in $out"
log "data set: $studies studies x $series series x $instances instances over $days days; levels '$levels' on $level_days days; large study $large; storescu $storescu_procs; repeat $repeat; STOW-RS run $([ "$do_stow" = 1 ] && echo yes || echo no)"

# ---- warm-up (untimed): one demo migration of one small study, so that the embedded Kafka and Cassandra
# start from their class-data archives (written at their first exit, as after an installation's first run)
log "warm-up: a one-study demo migration (untimed; writes the class-data archives of Kafka and Cassandra)"
"$migrate" demo --studies 1 --series 1 --instances 2 --days 1 --console-port -1 --dir "$work/warm-up" \
  > "$work/warm-up.log" 2>&1 || { tail -20 "$work/warm-up.log" >&2; exit 1; }
[ "$keep" = 1 ] || rm -rf "$work/warm-up"

# ---- the old PACS, seeded -----------------------------------------------------------------------
start_orthanc OLDPACS "$work/old-pacs"
old_pid=$orth_pid old_dicom=$orth_dicom old_http=$orth_http
seed_start=$(date +%s.%N)
log "seeding the old PACS (OLDPACS@127.0.0.1:$old_dicom)"
"$migrate" generate --to "OLDPACS@127.0.0.1:$old_dicom" --studies "$studies" --series "$series" \
  --instances "$instances" --days "$days" --first-day "$first_day" > "$work/generate.log" 2>&1 \
  || { tail -20 "$work/generate.log" >&2; exit 1; }
dataset_bytes=$(orthanc_stat "$old_http" TotalDiskSize)
if [ "$large" -gt 0 ]; then
  large_series=4
  (( large < 4 )) && large_series=1
  large_per_series=$(( (large + large_series - 1) / large_series ))
  "$migrate" generate --to "OLDPACS@127.0.0.1:$old_dicom" --studies 1 --series "$large_series" \
    --instances "$large_per_series" --days 1 --first-day "$large_day" --seed 7 >> "$work/generate.log" 2>&1 \
    || { tail -20 "$work/generate.log" >&2; exit 1; }
fi
seed_s=$(awk -v a="$seed_start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
last_day=$(day_plus "$first_day" $((days - 1)))
studies_in "$(dicom_date $first_day)-$(dicom_date "$last_day")" > "$work/main-studies.txt"
main_studies=$(wc -l < "$work/main-studies.txt")
main_inst=$(awk '{s+=$2} END{print s+0}' "$work/main-studies.txt")
main_max=$(awk '$2>m{m=$2} END{print m+0}' "$work/main-studies.txt")
log "seeded in $seed_s s: $main_studies studies, $main_inst instances in the main set (old PACS: $(orthanc_stat "$old_http" CountInstances) instances, $dataset_bytes bytes)"

level_last=$(day_plus "$first_day" $((level_days - 1)))
studies_in "$(dicom_date $first_day)-$(dicom_date "$level_last")" > "$work/level-studies.txt"
level_studies=$(wc -l < "$work/level-studies.txt")
level_inst=$(awk '{s+=$2} END{print s+0}' "$work/level-studies.txt")
level_max=$(awk '$2>m{m=$2} END{print m+0}' "$work/level-studies.txt")

"$py" - "$out/meta.json" <<EOF
import json, os, platform, subprocess, sys
def sh(c):
    try: return subprocess.run(c, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception: return "?"
model = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
meta = {"timestamp": "$stamp", "command": """$command_line""", "product": "$product", "cpus": os.cpu_count(), "cpu_model": model,
        "mem_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
        "loadavg_start": "$(load)",
        "versions": "Orthanc " + sh("Orthanc --version | head -1 | awk '{print \$NF}'") + ", DCMTK " +
                    sh("movescu --version | head -1 | awk '{print \$3}'") + ", " + sh("java -version 2>&1 | head -1"),
        "studies": $studies, "series": $series, "instances": $instances, "days": $days,
        "dataset_studies": $main_studies, "dataset_instances": $main_inst, "dataset_bytes": $dataset_bytes, "seed_s": $seed_s,
        "rules_desc": "$rules_desc", "levels": "$levels", "level_days": $level_days,
        "levels_desc": "Subset: the first $level_days day(s) = $level_studies studies, $level_inst instances. Migrator with retrieve.concurrency = retrieve.maxAssociations = forward.concurrency = forward.maxAssociations = forward.associations = N (services.partitions = max(6, N)), each run with a fresh data directory and a fresh new PACS; storescu = N parallel processes over the exported files of the same studies.",
        "notes": []}
json.dump(meta, open(sys.argv[1], "w"), indent=1)
EOF

# ---- main data set --------------------------------------------------------------------------------
for rep in $(seq 1 "$repeat"); do
  sfx=""; [ "$repeat" -gt 1 ] && sfx=" #$rep"
  run_migrator "migrator (defaults + rules)$sfx" main - "$rep" "$first_day" "$last_day" "$main_studies" "$main_inst" "$main_max"
  if [ "$do_stow" = 1 ]; then
    run_migrator "migrator by STOW-RS (defaults + rules)$sfx" main - "$rep" "$first_day" "$last_day" "$main_studies" "$main_inst" \
      "$main_max" dicomweb
  fi
  if [ $do_baselines = 1 ]; then
    run_movescu "DCMTK movescu, serial$sfx" main "$rep" "$work/main-studies.txt" "$main_inst"
    run_two_hop "DCMTK two hops (movescu → storescp folder → storescu)$sfx" main "$rep" dcmtk-2hop "$work/main-studies.txt" "$main_inst"
    run_two_hop "Orthanc intermediate (C-MOVE in, REST store out)$sfx" main "$rep" orthanc-2hop "$work/main-studies.txt" "$main_inst"
  fi
done

if [ $do_baselines = 1 ] || [ $do_levels = 1 ]; then
  export_dir="$work/export"
  mkdir -p "$export_dir"
  log "exporting the main set with getscu for storescu (untimed)"
  while read -r uid _; do
    mkdir -p "$export_dir/$uid"
    getscu -S -aet BENCHSCU -aec OLDPACS -od "$export_dir/$uid" -k QueryRetrieveLevel=STUDY -k StudyInstanceUID="$uid" \
      127.0.0.1 "$old_dicom" >> "$work/getscu.log" 2>&1
  done < "$work/main-studies.txt"
  exported=$(find "$export_dir" -type f | wc -l)
  [ "$exported" = "$main_inst" ] || log "WARNING: getscu exported $exported of $main_inst instances (see $work/getscu.log)"
fi
if [ $do_baselines = 1 ]; then
  run_storescu "DCMTK storescu x$storescu_procs parallel" main "$storescu_procs" "$work/main-studies.txt" "$main_inst" "$storescu_procs"
fi

# ---- association levels ---------------------------------------------------------------------------
if [ $do_levels = 1 ]; then
  for n in $levels; do
    run_migrator "migrator N=$n" levels "$n" 1 "$first_day" "$level_last" "$level_studies" "$level_inst" "$level_max"
    run_storescu "storescu x$n" levels "$n" "$work/level-studies.txt" "$level_inst" "$n"
  done
fi

# ---- one large study --------------------------------------------------------------------------------
if [ "$large" -gt 0 ]; then
  studies_in "$(dicom_date $large_day)-$(dicom_date $large_day)" > "$work/large-studies.txt"
  large_inst=$(awk '{s+=$2} END{print s+0}' "$work/large-studies.txt")
  run_migrator "migrator, one $large_inst-instance study" large - 1 "$large_day" "$large_day" 1 "$large_inst" "$large_inst"
fi

"$py" - "$out/meta.json" "$(load)" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1])); m["loadavg_end"] = sys.argv[2]; json.dump(m, open(sys.argv[1], "w"), indent=1)
EOF
stop_orthanc "$old_pid"
log "report:"
"$py" "$helper" report "$out"
log "written: $out/results.md, $out/results.csv, $out/chart.html"
