#!/usr/bin/env bash
# slurm-local.sh: runs a sharded `convkit filter` as a Slurm array job on a one-node cluster
# started on loopback, and checks it against a single-process run.
#
# Installs Debian's slurm-wlm and munge if they are missing, starts munged, slurmctld and slurmd
# from a minimal slurm.conf in a temporary folder (no cgroups, no accounting; the daemons run as
# the current user), generates a folder tree of seeded PNGs, submits
#   sbatch --array=0-3  ...  convkit filter IN/ --recursive --shard auto --manifest M.jsonl
# waits for it, and checks that
#   - the union of the four shards' outputs equals a single-process run, file by file (cmp),
#   - the manifest lists every input exactly once, with status ok.
# The daemons are stopped and the temporary folder removed on exit, whatever happens; the
# folder is kept when KEEP=1. Exit status 0 when every check passes.
set -euo pipefail
cd "$(dirname "$0")/.."

# 1. Packages.
missing=()
for package in slurm-wlm munge; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "slurm-local: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# 2. convkit.
swift build --product convkit >/dev/null 2>&1 || swift build --product convkit
convkit="$(swift build --show-bin-path)/convkit"

# 3. A private cluster in a temporary folder.
work="$(mktemp -d /tmp/convkit-slurm.XXXXXX)"
chmod 700 "$work"
mkdir -p "$work/state" "$work/spool" "$work/logs"
stop() {
  status=$?
  for daemon in slurmd slurmctld munged; do
    if [ -s "$work/$daemon.pid" ]; then
      kill "$(cat "$work/$daemon.pid")" 2>/dev/null || true
    fi
  done
  sleep 1
  if [ "$status" -ne 0 ]; then
    echo "slurm-local: FAILED; daemon logs:" >&2
    tail -n 20 "$work"/logs/*.log >&2 || true
  fi
  if [ "${KEEP:-0}" = 1 ]; then echo "slurm-local: kept $work"; else rm -rf "$work"; fi
  exit "$status"
}
trap stop EXIT

user="$(id -un)"
node="$(hostname -s)"
cpus="$(nproc)"
dd if=/dev/urandom of="$work/munge.key" bs=1024 count=1 status=none
chmod 600 "$work/munge.key"
munged --force --socket="$work/munge.socket" --key-file="$work/munge.key" \
  --pid-file="$work/munged.pid" --log-file="$work/logs/munged.log" --seed-file="$work/munge.seed"

export SLURM_CONF="$work/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=convkit
SlurmctldHost=$node(127.0.0.1)
SlurmUser=$user
SlurmdUser=$user
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge.socket
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/logs/slurmctld.log
SlurmdLogFile=$work/logs/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -i
slurmd
for _ in $(seq 60); do
  if sinfo -h -o %t 2>/dev/null | grep -qx idle; then break; fi
  sleep 1
done
sinfo
sinfo -h -o %t | grep -qx idle || { echo "slurm-local: the node did not come up" >&2; exit 1; }

# 4. Inputs: a tree of seeded PNGs (grey and RGB, 8 and 16 bit, odd sizes).
images="$work/images"
python3 - "$images" <<'EOF'
import os, random, struct, sys, zlib
root = sys.argv[1]
rng = random.Random(17)
def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
for index in range(48):
    folder = os.path.join(root, ["", "a", "a/b", "c"][index % 4])
    os.makedirs(folder, exist_ok=True)
    width, height = rng.randint(8, 96), rng.randint(8, 96)
    channels, depth = [(1, 8), (3, 8), (1, 16)][index % 3]
    size = channels * depth // 8
    rows = b"".join(b"\0" + bytes(rng.getrandbits(8) for _ in range(width * size)) for _ in range(height))
    color = 0 if channels == 1 else 2
    header = struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, 0)
    with open(os.path.join(folder, "img%03d.png" % index), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
EOF
count="$(find "$images" -name '*.png' | wc -l)"
echo "slurm-local: $count input PNGs in $(find "$images" -type d | wc -l) folders"

# 5. The array job, as a user would write it.
cat >"$work/filter.sbatch" <<EOF
#!/bin/bash
#SBATCH --job-name=convkit-filter
#SBATCH --array=0-3
#SBATCH --cpus-per-task=1
#SBATCH --output=$work/logs/shard-%a.out
echo "task \$SLURM_ARRAY_TASK_ID of \$SLURM_ARRAY_TASK_COUNT on \$(hostname -s)"
exec "$convkit" filter "$images/" --recursive --kernel gaussian:5,1.2 -o "$work/sharded/" \\
  --shard auto --manifest "$work/manifest.jsonl"
EOF
start=$(date +%s)
job="$(timeout 900 sbatch --parsable --wait "$work/filter.sbatch")"
echo "slurm-local: array job $job finished in $(($(date +%s) - start)) s"
sacct_state="$(scontrol show job "$job" 2>/dev/null | grep -o 'JobState=[A-Z]*' | sort | uniq -c || true)"
echo "slurm-local: $sacct_state"
cat "$work"/logs/shard-*.out
grep -E "_slurm_rpc_submit_batch_job|sched: Allocate|_job_complete: JobId=.* done" \
  "$work/logs/slurmctld.log" | sed 's/^/slurmctld: /'

# 6. Checks.
"$convkit" filter "$images/" --recursive --kernel gaussian:5,1.2 -o "$work/single/"
(cd "$work/single" && find . -type f | sort) >"$work/single.list"
(cd "$work/sharded" && find . -type f | sort) >"$work/sharded.list"
if ! cmp -s "$work/single.list" "$work/sharded.list"; then
  echo "slurm-local: the shards wrote other files than the single run:" >&2
  diff "$work/single.list" "$work/sharded.list" >&2 || true
  exit 1
fi
while read -r file; do
  cmp "$work/single/$file" "$work/sharded/$file"
done <"$work/single.list"
echo "slurm-local: $(wc -l <"$work/single.list") outputs of the 4 shards equal the single run byte for byte"

lines="$(wc -l <"$work/manifest.jsonl")"
unique="$(grep -o '"input":"[^"]*"' "$work/manifest.jsonl" | sort -u | wc -l)"
ok="$(grep -c '"status":"ok"' "$work/manifest.jsonl" || true)"
if [ "$lines" -ne "$count" ] || [ "$unique" -ne "$count" ] || [ "$ok" -ne "$count" ]; then
  echo "slurm-local: manifest has $lines lines, $unique inputs, $ok ok; expected $count each" >&2
  exit 1
fi
"$convkit" manifest summary "$work/manifest.jsonl"
echo "slurm-local: the manifest lists each of the $count inputs exactly once; all checks passed"
