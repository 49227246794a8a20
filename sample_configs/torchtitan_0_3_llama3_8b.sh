#!/usr/bin/bash
# A torchtitan 0.3 launch: the config is the llama3_8b function of llama3's config_registry (--module/--config),
# with --section.key overrides on top. lrcli does not run the function: it reads what torchtitan 0.3.0's own
# function builds from its table (lrcli/dialects/torchtitan_registry.json) and applies the overrides.
set -ex

NGPU=${NGPU:-"8"}
MODULE=${MODULE:-"llama3"}
CONFIG=${CONFIG:-"llama3_8b"}

overrides=(
    --training.steps 3000
    --lr_scheduler.warmup_steps 300
    --lr_scheduler.decay_ratio 0.2
    --lr_scheduler.decay_type cosine
    --lr_scheduler.min_lr_factor 0.1
)

PYTORCH_ALLOC_CONF="expandable_segments:True" \
torchrun --nproc_per_node=${NGPU} --rdzv_backend c10d --rdzv_endpoint="localhost:0" \
-m torchtitan.train --module ${MODULE} --config ${CONFIG} "${overrides[@]}" "$@"
