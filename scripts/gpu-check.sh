#!/usr/bin/env bash
# Checks the GPU route on a machine with a GPU (no internet needed once set up): the WebGPU adapter
# Dawn finds, notebook 05 trained on webgpu and on wasm, and PyTorch on the same GPU where it has
# CUDA; writes build/gpu-check.json. Finishes within 8 minutes. Without a hardware adapter it says
# why in one line and exits with 2. See scripts/gpu-check.mjs for the steps.
set -euo pipefail
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  cat <<'USAGE'
usage: bash scripts/gpu-check.sh [--output FILE] [--allow-software]
Needs a GPU with a Vulkan driver. Reports the WebGPU adapter, trains notebook 05 with its defaults on
webgpu and on wasm, and PyTorch on the same GPU where python3-torch has CUDA, within 8 minutes.
  --output FILE       write the JSON there (default: build/gpu-check.json)
  --allow-software    run the steps on a software adapter (SwiftShader) anyway: a check of this script
Exit codes: 0 measured, 1 a step failed, 2 no hardware adapter (it says why in one line).
USAGE
  exit 0
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ ! -f "$root/dist/src/index.js" ]]; then
  node "$root/scripts/setup.mjs" --quiet
fi
exec node "$root/scripts/gpu-check.mjs" "$@"
