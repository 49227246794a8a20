#!/usr/bin/env bash
# An ms-swift LoRA SFT run on 4 GPUs, launched as its examples do (NPROC_PER_NODE makes `swift sft` use torchrun).
# Every dataset is sampled with `#N`, so lrcli knows N without --samples: `lrcli steps sample_configs/swift_sft.sh`.
MODEL=Qwen/Qwen2.5-7B-Instruct
NPROC_PER_NODE=4 \
CUDA_VISIBLE_DEVICES=0,1,2,3 \
swift sft \
    --model $MODEL \
    --tuner_type lora \
    --dataset 'AI-ModelScope/alpaca-gpt4-data-zh#2000' \
              'AI-ModelScope/alpaca-gpt4-data-en#2000' \
    --torch_dtype bfloat16 \
    --num_train_epochs 2 \
    --per_device_train_batch_size 2 \
    --learning_rate 1e-4 \
    --lora_rank 8 \
    --lora_alpha 32 \
    --target_modules all-linear \
    --warmup_ratio 0.05 \
    --max_length 2048 \
    --output_dir output
