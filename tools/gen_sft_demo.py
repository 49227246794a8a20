"""Write sample_configs/sft_demo/train.jsonl: the small dataset beside sample_configs/trl_sft.yaml, so that the
README's first command plots with no --samples (lrcli counts these rows as TRL would load them).

Chat rows in TRL's conversational format ({"messages": [{role, content}, ...]}), made from arithmetic questions
with a fixed seed: the same bytes every run.

    python tools/gen_sft_demo.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

ROWS = 1000
OUT = Path(__file__).resolve().parents[1] / "sample_configs" / "sft_demo" / "train.jsonl"


def rows(count: int = ROWS, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        a, b = rng.randint(2, 99), rng.randint(2, 99)
        op, value = rng.choice([("+", a + b), ("-", a - b), ("×", a * b)])
        out.append({"messages": [{"role": "user", "content": f"What is {a} {op} {b}?"},
                                 {"role": "assistant", "content": f"{a} {op} {b} = {value}."}]})
    return out


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows()), encoding="utf-8")
    print(f"wrote {OUT} ({ROWS} rows)")


if __name__ == "__main__":
    main()
