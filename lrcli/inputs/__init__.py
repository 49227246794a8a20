"""What the user hands lrcli, before any framework rule applies.

- `values`: user text (flags, YAML strings) into numbers, the way the frameworks read them.
- `files`: a path into a plain mapping (YAML/JSON), a dataset file into a record count, the files a config names.
- `launcher`: an accelerate launcher config into a world size.
- `layers`: a config file (read by its dialect) and the command-line flags as `config.resolve` layers.

This package's `__init__` imports nothing, so that `lrcli.inputs.values` can be imported by `config` without
pulling in the dialects that `layers` needs.
"""
