#!/usr/bin/env bash
# Reproduces the shipped Table I demo models resources/models/demo/split<L>-v<V>-<variant>.aecnn
# for splits 1 and 2, V = 4, 8, 16, 64 and the variants aecnn, bottlenetpp and ca_pruned:
#   1. full Algorithm 1 (aecnn reproduce table1, the budgets of resources/results/table1.csv;
#      resumable: a rerun with the same WORK_DIR continues where it stopped);
#   2. aecnn pack-model: each model stored as 8-bit differences to default.aecnn (pruned
#      tensors against the default model after the same surgery), float16 added modules, zstd;
#   3. aecnn eval of every packed model on all 10,000 Fashion-MNIST test images, written with
#      the unpacked model's accuracy (this run) and table1.csv's to
#      resources/models/demo/table1-models.csv.
# Usage: packaging/train-table1-demo-models.sh [BUILD_DIR [WORK_DIR]]
#   BUILD_DIR defaults to build/, WORK_DIR (unpacked models, ~7 MB each) to /var/tmp/aecnn-table1-demo.
#   AECNN_TABLE1_SKIP_TRAINING=1 packs and evaluates the models already in WORK_DIR/models;
#   AECNN_TABLE1_ONLY_EVALUATED=1 only writes the CSV rows of models packed and evaluated before;
#   AECNN_TABLE1_VARIANTS="aecnn bottlenetpp" packs only those variants (default: all three);
#   AECNN_TABLE1_PACK_LOGS=DIR keeps the pack-model/eval --json outputs there (default WORK_DIR/pack).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
work=${2:-/var/tmp/aecnn-table1-demo}
aecnn=$build/app/cli/aecnn
[ -x "$aecnn" ] || { echo "error: $aecnn not found; build first (bash packaging/build.sh)" >&2; exit 1; }
demo=$here/resources/models/demo
base=$here/resources/models/default.aecnn
threads=${AECNN_THREADS:-2}
logs=${AECNN_TABLE1_PACK_LOGS:-$work/pack} # pack-model and eval --json outputs
mkdir -p "$logs"

if [ "${AECNN_TABLE1_SKIP_TRAINING:-0}" != 1 ]; then
  "$aecnn" reproduce table1 --out "$work/out" --models "$work/models" --ratios 4,8,16,64 \
    --epochs-ca 0.15 --epochs-finetune 0.15 --epochs-fr 0.2 --threads "$threads"
fi

# accuracy column (1-based) of a variant in table1.csv: bottlenetpp_acc 6, ca_pruned_acc 7, aecnn_acc 8
column_of() { case $1 in bottlenetpp) echo 6 ;; ca_pruned) echo 7 ;; aecnn) echo 8 ;; esac; }
table_value() { # CSV SPLIT V VARIANT
  [ -f "$1" ] || { echo ""; return; }
  awk -F, -v l="$2" -v v="$3" -v c="$(column_of "$4")" '!/^#/ && $1==l && $5==v {print $c}' "$1"
}
json_number() { grep -o "\"$1\":[-0-9.e]*" | head -1 | cut -d: -f2; }

csv=$demo/table1-models.csv
tmp=$csv.new
{
  echo "# Packed Table I demo models: accuracy in % on all 10000 Fashion-MNIST test images"
  echo "# table1_acc: resources/results/table1.csv (committed run); unpacked_acc: this run's model before packing (its provenance.test_accuracy, 10000 test images); packed_acc: aecnn eval of the shipped file"
  echo "# command: packaging/train-table1-demo-models.sh $* (AECNN_TABLE1_SKIP_TRAINING=${AECNN_TABLE1_SKIP_TRAINING:-0} AECNN_TABLE1_ONLY_EVALUATED=${AECNN_TABLE1_ONLY_EVALUATED:-0} AECNN_TABLE1_VARIANTS=${AECNN_TABLE1_VARIANTS:-all}): reproduce table1 --ratios 4,8,16,64 --epochs-ca 0.15 --epochs-finetune 0.15 --epochs-fr 0.2; pack-model --bits 8; eval"
  echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ); machine: $(uname -srm); nproc $(nproc); load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "split,V,variant,table1_acc,unpacked_acc,packed_acc,packed_bytes,unpacked_bytes,max_relative_weight_error"
} > "$tmp"
for split in 1 2; do
  for ratio in 4 8 16 64; do
    for variant in ${AECNN_TABLE1_VARIANTS:-aecnn bottlenetpp ca_pruned}; do
      name=split$split-v$ratio-$variant.aecnn
      src=$work/models/$name
      [ -f "$src" ] || { echo "skip $name: not trained (yet) in $work/models" >&2; continue; }
      if [ "$demo/$name" -nt "$src" ] && [ -s "$logs/$name.pack.json" ] && [ -s "$logs/$name.eval.json" ]; then
        echo "$name: packed and evaluated before (remove $logs/$name.eval.json to redo)" >&2
      elif [ "${AECNN_TABLE1_ONLY_EVALUATED:-0}" = 1 ]; then
        echo "skip $name: not packed and evaluated yet (AECNN_TABLE1_ONLY_EVALUATED=1)" >&2
        continue
      else
        "$aecnn" pack-model --base "$base" --bits 8 "$src" "$demo/$name" --json > "$logs/$name.pack.json.new"
        mv "$logs/$name.pack.json.new" "$logs/$name.pack.json"
        "$aecnn" eval --model "$demo/$name" --threads "$threads" --json > "$logs/$name.eval.json.new"
        mv "$logs/$name.eval.json.new" "$logs/$name.eval.json"
      fi
      packed=$(json_number accuracy < "$logs/$name.eval.json")
      echo "$split,$ratio,$variant,$(table_value "$here/resources/results/table1.csv" $split $ratio $variant),$(awk -v a="$(json_number input_test_accuracy < "$logs/$name.pack.json")" 'BEGIN{printf "%.2f", a*100}'),$(awk -v a="$packed" 'BEGIN{printf "%.2f", a*100}'),$(stat -c %s "$demo/$name"),$(stat -c %s "$src"),$(json_number max_relative_error < "$logs/$name.pack.json")" >> "$tmp"
      echo "$name: $(tail -1 "$tmp")"
    done
  done
done
mv "$tmp" "$csv"
echo "wrote $csv"
