#!/usr/bin/env bash
# What to run in one short session on a lent GPU (about 10 minutes of device time):
# the throughput table at 32/64/128 px with and without bf16, a whole 64 px ComGAN run of
# 2,000 steps (the goal on an H100-class GPU: under 60 s), a CUDA checkpoint resumed on the CPU,
# and torchrun on the GPUs there are.  Results go to $OUT (or bench-gpu/).
#
#     bash bench/gpu_session.sh
set -euo pipefail
OUT=${OUT:-bench-gpu}
mkdir -p "$OUT"
PY=${PY:-python}
nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1 || true

$PY bench/throughput.py --sizes 32 64 128 --steps 10 --write "$OUT/throughput-fp32.json" | tee "$OUT/throughput-fp32.md"
$PY bench/throughput.py --sizes 64 128 --steps 10 --amp --write "$OUT/throughput-amp.json" | tee "$OUT/throughput-amp.md"
$PY bench/throughput.py --families dscomgan --sizes 128 --batch-size 90 --steps 5 --amp \
    --write "$OUT/throughput-cub.json" | tee "$OUT/throughput-cub.md"
$PY bench/throughput.py --families comgan --sizes 64 --steps 3 --run-steps 2000 | tee "$OUT/run-2000.md"

# a checkpoint written on CUDA resumes on the CPU
rm -rf "$OUT/resume"
$PY -m comgan_lite.train --family comgan --size 64 --steps 20 --device cuda --no-progress --out "$OUT/resume"
$PY -m comgan_lite.train --family comgan --size 64 --steps 22 --device cpu --no-progress --out "$OUT/resume" \
    | tee "$OUT/resume-on-cpu.txt"

# torchrun on every GPU (NCCL)
N=$($PY -c "import torch; print(torch.cuda.device_count())")
if [ "$N" -gt 1 ]; then
  rm -rf "$OUT/ddp"
  torchrun --standalone --nproc_per_node="$N" -m comgan_lite.train --family comgan --size 64 --steps 200 \
      --batch-size 32 --no-progress --out "$OUT/ddp" | tee "$OUT/ddp.txt"
fi
rm -rf "$OUT/resume" "$OUT/ddp"
