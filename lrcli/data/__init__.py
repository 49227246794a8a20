"""The sample count N from the datasets a config names (issue 10): references, local counting, the Hugging Face
caches, the Hub, and lrcli's answer cache. Framework-neutral: each framework's dialect makes the DatasetRefs and its
planner does the row arithmetic. Nothing here prints; slow work reports through a ProgressBar the CLI supplies."""
