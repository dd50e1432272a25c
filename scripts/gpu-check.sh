#!/usr/bin/env bash
# Checks the GPU route on a machine with a GPU (no internet needed once set up): the WebGPU adapter
# Dawn finds, notebook 05 trained on webgpu and on wasm, and PyTorch on the same GPU where it has
# CUDA; writes build/gpu-check.json. Finishes within 8 minutes. Without a hardware adapter it says
# why in one line and exits with 2. See scripts/gpu-check.mjs for the steps.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ ! -f "$root/dist/src/index.js" ]]; then
  node "$root/scripts/setup.mjs" --quiet
fi
exec node "$root/scripts/gpu-check.mjs" "$@"
