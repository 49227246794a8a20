#!/bin/bash
# A Megatron-LM GPT pretraining launch: 2 nodes of 8 GPUs, warmup-stable-decay with a minus_sqrt anneal
# (lrcli reads the torchrun world size and the arguments handed to pretrain_gpt.py; `lrcli steps megatron_gpt_wsd.sh`)

GPUS_PER_NODE=8
NUM_NODES=2
TP=2
PP=2
TRAIN_ITERS=20000

DISTRIBUTED_ARGS=(
    --nproc_per_node $GPUS_PER_NODE
    --nnodes $NUM_NODES
    --master_addr ${MASTER_ADDR:-localhost}
    --master_port 29500
)

MODEL_ARGS=(
    --num-layers 24
    --hidden-size 2048
    --num-attention-heads 16
    --seq-length 4096
    --max-position-embeddings 4096
)

TRAINING_ARGS=(
    --micro-batch-size 4
    --global-batch-size 512
    --train-iters $TRAIN_ITERS
    --lr 3.0e-4
    --min-lr 3.0e-5
    --lr-warmup-init 1.0e-6
    --lr-warmup-iters 500
    --lr-decay-style WSD
    --lr-wsd-decay-style minus_sqrt
    --lr-wsd-decay-iters $((TRAIN_ITERS / 10))
    --weight-decay 0.1
    --clip-grad 1.0
    --bf16
)

PARALLEL_ARGS=(
    --tensor-model-parallel-size $TP
    --pipeline-model-parallel-size $PP
)

torchrun ${DISTRIBUTED_ARGS[@]} pretrain_gpt.py \
    ${MODEL_ARGS[@]} \
    ${TRAINING_ARGS[@]} \
    ${PARALLEL_ARGS[@]} \
    --data-path ${DATA_PATH:-my-corpus_text_document} \
    --save checkpoints/gpt-wsd
