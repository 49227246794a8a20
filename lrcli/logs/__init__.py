"""Training logs read into a `LoggedSeries`: one reader per log format, `read_log` picks it from the file.

Each reader knows its framework's logging rule (which row of lrcli's curve the logged value at the framework's step
counter g is) and how precisely the logger stores the value; `diagnosis.py` compares the series with a curve.
"""

from lrcli.logs.detect import read_log
from lrcli.logs.hf_state import with_version
from lrcli.logs.series import LoggedSeries, log_settings

__all__ = ["LoggedSeries", "log_settings", "read_log", "with_version"]
