#!/usr/bin/bash
# A torchtitan launch script in the shape of its run_train.sh: the job file, then command-line overrides
# (`--section.key value`), which win over the file's values.
set -ex

NGPU=${NGPU:-"8"}
CONFIG_FILE=${CONFIG_FILE:-"./torchtitan_llama3_8b.toml"}
TRAIN_FILE=${TRAIN_FILE:-"torchtitan.train"}
overrides=(--training.steps 1000 --lr_scheduler.warmup_steps=50 --lr_scheduler.decay_type linear)

PYTORCH_ALLOC_CONF="expandable_segments:True" \
torchrun --nproc_per_node=${NGPU} --rdzv_backend c10d --rdzv_endpoint="localhost:0" \
--local-ranks-filter 0 --role rank --tee 3 \
-m ${TRAIN_FILE} --job.config_file ${CONFIG_FILE} "${overrides[@]}" "$@"
