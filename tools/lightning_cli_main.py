"""A user's `main.py` for LightningCLI (`python main.py fit --config c.yaml`), used by tools/gen_lightning_steps.py to
run the sample configs as users do. Run as a script, so strategy "ddp" re-launches this same command once per rank
(Lightning's subprocess launcher), with the CLI's own `configure_optimizers` in every process.
The LR of each optimizer step is written to $LRCLI_LIGHTNING_RECORD by rank 0."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
warnings.filterwarnings("ignore")

from gen_lightning_steps import Recorder  # noqa: E402
from lightning.pytorch.cli import LightningCLI  # noqa: E402

if __name__ == "__main__":
    LightningCLI(subclass_mode_model=True, subclass_mode_data=True, save_config_callback=None,
                 trainer_defaults={"callbacks": [Recorder(os.environ["LRCLI_LIGHTNING_RECORD"])]})
