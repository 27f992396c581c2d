#!/bin/bash
# Submits the array of shards and the merge job that waits for it.
#
#   deploy/slurm/submit.sh MENU SHARDS OUT [REPLICATIONS]
#
# Extra sbatch options (a partition, --wait) go in SBATCH_EXTRA.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
menu="$1" shards="$2" out="$3" reps="${4:-}"
export MENU="$menu" SHARDS="$shards" OUT="$out" REPLICATIONS="$reps"
array=$(sbatch --parsable ${SBATCH_EXTRA:-} --array="0-$((shards - 1))" --export=ALL "$here/simulate-array.sbatch")
array="${array%%;*}"
sbatch --parsable ${SBATCH_EXTRA:-} --dependency="afterok:$array" --export=ALL "$here/merge.sbatch"
