"""lrcli.inputs.launch_script against bash itself: the same script run by bash, with the launched programs replaced by
functions that record their argv, must give the argv lrcli reads."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrcli.errors import LrcliError
from lrcli.inputs.launch_script import entry_arguments, launch_commands, option_values, script_commands

BASH = shutil.which("bash")
RECORDED = ("torchrun", "python3", "swift", "deepspeed", "launch")
SEPARATOR = "\x01"


def bash_argv(script: str, tmp_path: Path) -> list[tuple[str, ...]]:
    """The argv of every call to a RECORDED program when bash runs `script` (with no arguments, an empty env)."""
    out = tmp_path / "calls"
    prelude = "".join(
        f"{name}() {{ printf '%s\\0' {name} \"$@\" >> {out}; printf '{SEPARATOR}\\0' >> {out}; }}\n" for name in RECORDED
    )
    subprocess.run([BASH, "-c", prelude + script], check=True, capture_output=True, cwd=tmp_path, timeout=20,
                   env={"PATH": "/usr/bin:/bin"})
    if not out.exists():
        return []
    calls, current = [], []
    for word in out.read_text().split("\0")[:-1]:
        if word == SEPARATOR:
            calls.append(tuple(current))
            current = []
        else:
            current.append(word)
    return calls


def lrcli_argv(script: str) -> list[tuple[str, ...]]:
    return [command.argv for command in launch_commands(script, "t.sh") if command.argv[0] in RECORDED]


MEGATRON_STYLE = r"""#!/bin/bash
# Runs the "175B" parameter model
export CUDA_DEVICE_MAX_CONNECTIONS=1
GPUS_PER_NODE=8
NUM_NODES=2
WORLD_SIZE=$(($GPUS_PER_NODE*$NUM_NODES))
NGPU=${NGPU:-"4"}
DISTRIBUTED_ARGS=(
    --nproc_per_node $GPUS_PER_NODE   # per node
    --nnodes $NUM_NODES
)
TRAINING_ARGS=(
    --micro-batch-size 1
    --global-batch-size $((WORLD_SIZE * 2))
    --lr 6.0e-5 --min-lr "6.0e-6"
    --lr-warmup-fraction .001 --seed -1
)
TRAINING_ARGS+=(--train-iters $(( 500000 / 3 )))
if [ $# -ne 0 ]; then
    overrides="$*"
fi
torchrun ${DISTRIBUTED_ARGS[@]} pretrain_gpt.py \
    ${TRAINING_ARGS[@]} \
    --ngpu=$NGPU --name "a b"'c' 2>&1 | tee log.txt
CUDA_VISIBLE_DEVICES=0,1 NPROC_PER_NODE=2 swift sft --lr 1e-4 "${TRAINING_ARGS[@]}" > /dev/null
cat <<EOT > heredoc.txt
torchrun nothing here
EOT
python3 -m verl.trainer.main_ppo data.x=a/b trainer.n=${NGPU} $@ ${NOT_SET:-8} ${NGPU:+set} ${#TRAINING_ARGS[@]}
"""

TORCHTITAN_STYLE = r"""#!/usr/bin/bash
set -ex
NGPU=${NGPU:-"8"}
export LOG_RANK=${LOG_RANK:-0}
CONFIG_FILE=${CONFIG_FILE:-"./torchtitan/models/llama3/train_configs/debug_model.toml"}
TRAIN_FILE=${TRAIN_FILE:-"torchtitan.train"}
overrides=""
if [ $# -ne 0 ]; then
    overrides="$*"
fi
PYTORCH_CUDA_ALLOC_CONF="expandable_segments:True" \
torchrun --nproc_per_node=${NGPU} --rdzv_backend c10d --rdzv_endpoint="localhost:0" \
--local-ranks-filter ${LOG_RANK} --role rank --tee 3 \
-m ${TRAIN_FILE} --job.config_file ${CONFIG_FILE} $overrides --training.steps 10
"""

QUOTING = r"""A='x  y'
B="$A z"
C=
launch $A "$A" $B "$B" "" $C "$C" 'it''s' "q\"uote" \$A ${A}b "${A}b" $'tab\there' a\ b
launch "pre${A}post" pre$A"post" "${C:-dflt}" ${C-unset} ${C:=now} $C
E=(one "two three" "")
launch ${E[@]} "${E[@]}" "${E[*]}" ${E[1]} "${E[1]}" $E ${#E[@]}
launch "${EMPTY_ARRAY[@]}" end; launch second && launch third
"""


@pytest.mark.skipif(BASH is None, reason="bash is part of every supported machine")
@pytest.mark.parametrize("script", [MEGATRON_STYLE, TORCHTITAN_STYLE, QUOTING], ids=["megatron", "torchtitan", "quoting"])
def test_argv_is_what_bash_passes(script: str, tmp_path: Path) -> None:
    expected = bash_argv(script, tmp_path)
    assert expected, "the script launches something"
    assert lrcli_argv(script) == expected


WORDS = st.sampled_from(["8", "1e-4", "--lr", "--a.b=3", "'q w'", '"d q"', "$V", "${V}", '"$V"', "${ARR[@]}",
                         '"${ARR[@]}"', "${V:-7}", "${U:-7}", "$((N * 3))", "$((N / 2 - 1))", "x$V", '"x$V"y', "a\\ b",
                         "${#ARR[@]}", "${ARR[0]}"])
VALUES = st.sampled_from(["1", "a b", "", "  lead", "trail  ", "--x=1 --y 2", "'s'", "é"])


@pytest.mark.skipif(BASH is None, reason="bash is part of every supported machine")
@settings(max_examples=60, deadline=None)
@given(value=VALUES, number=st.integers(-50, 50), elements=st.lists(VALUES, max_size=4),
       words=st.lists(WORDS, min_size=1, max_size=8), continued=st.booleans())
def test_random_scripts_match_bash(value: str, number: int, elements: list[str], words: list[str], continued: bool,
                                   tmp_path_factory: pytest.TempPathFactory) -> None:
    quoted_elements = " ".join("'" + element + "'" for element in elements)
    separator = " \\\n    " if continued else " "
    script = f"V='{value}'\nN={number}\nARR=({quoted_elements})\ntorchrun pretrain.py{separator}{separator.join(words)}\n"
    assert lrcli_argv(script) == bash_argv(script, tmp_path_factory.mktemp("bash"))


def test_unknown_values_are_kept_as_their_text() -> None:
    # What only the running shell knows (its environment, arguments, command output) stays visible to the dialect,
    # which names it in its error instead of guessing a value.
    (command,) = launch_commands('python3 -m m --lr $LR --out "$1" --d $(date) --h ${HOME}/x\n', "t.sh")
    assert command.argv == ("python3", "-m", "m", "--lr", "$LR", "--out", "$1", "--d", "$(date)", "--h", "${HOME}/x")


def test_command_lines_and_prefix_variables() -> None:
    script = "# c\nA=1\n\nNPROC_PER_NODE=4 swift sft \\\n  --x 1\nswift pt\n"
    first, second = launch_commands(script, "t.sh")
    assert (first.line, second.line) == (4, 6)
    assert first.env["NPROC_PER_NODE"] == "4" and "NPROC_PER_NODE" not in second.env
    assert first.env["A"] == second.env["A"] == "1"


def test_entry_arguments_skip_the_launcher() -> None:
    (command,) = launch_commands("torchrun --nproc_per_node 8 /x/y/pretrain_gpt.py --lr 1 --seed -1\n", "t.sh")
    assert entry_arguments(command, ["pretrain_gpt.py"]) == ("/x/y/pretrain_gpt.py", ["--lr", "1", "--seed", "-1"])
    assert entry_arguments(command, ["train.py"]) is None
    assert option_values(["x", "--lr", "1", "--seed", "-1", "--flag", "--r=2", "3", "4"]) == [
        ("--lr", ["1"]), ("--seed", ["-1"]), ("--flag", []), ("--r", ["2", "3", "4"])]


@pytest.mark.parametrize("script", ["A=(1 2\n", "echo 'open\n", 'echo "open\n', "echo ${A\n"])
def test_unclosed_constructs_are_one_error_naming_the_line(script: str) -> None:
    with pytest.raises(LrcliError, match=r"launch script t\.sh line \d+: .* never closed"):
        launch_commands(script, "t.sh")


def test_a_script_is_read_through_the_bounded_reader(tmp_path: Path) -> None:
    path = tmp_path / "train.sh"
    path.write_text("swift sft --lr 1\n")
    assert [c.argv for c in script_commands(path)] == [("swift", "sft", "--lr", "1")]
    with pytest.raises(LrcliError, match="launch script"):
        script_commands(tmp_path / "missing.sh")
