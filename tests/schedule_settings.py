"""Settings to draw for each schedule in property tests (hypothesis strategies per kwarg): ordinary values of each
kind of turn, shared by the outline tests (test_envelope) and the scalar-twin tests (test_curve_facts)."""

from __future__ import annotations

from hypothesis import strategies as st

AUTO = {"total_num_steps": "auto", "warmup_num_steps": "auto", "warmup_max_lr": "auto"}

KWARGS = {
    "cosine": {"num_cycles": st.sampled_from([0.5, 1, 2.5, 7])},
    "cosine_with_min_lr": {"num_cycles": st.sampled_from([0.5, 3]), "min_lr_rate": st.sampled_from([0.0, 0.1])},
    "cosine_warmup_with_min_lr": {"num_cycles": st.sampled_from([0.5, 2]), "min_lr_rate": st.just(0.1)},
    "cosine_with_restarts": {"num_cycles": st.sampled_from([1, 2, 3.5, 10])},
    "polynomial": {"power": st.sampled_from([0.5, 1.0, 2.0])},
    "warmup_stable_decay": {"num_decay_steps": st.integers(1, 3000), "decay_type": st.sampled_from(["linear", "cosine", "1-sqrt"]),
                            "warmup_type": st.sampled_from(["linear", "cosine", "1-sqrt"]), "min_lr_ratio": st.sampled_from([0, 0.1])},
    "WarmupLR": {"warmup_num_steps": st.integers(1, 500), "warmup_type": st.sampled_from(["log", "linear"])},
    "WarmupDecayLR": {**{k: st.just(v) for k, v in AUTO.items()}, "warmup_type": st.sampled_from(["log", "linear"])},
    "WarmupCosineLR": {"total_num_steps": st.just("auto"), "warmup_num_steps": st.just("auto")},
    "OneCycle": {"cycle_min_lr": st.just(1e-5), "cycle_max_lr": st.just(1e-3), "cycle_first_step_size": st.integers(1, 900),
                 "decay_lr_rate": st.sampled_from([0.0, 0.01]), "decay_step_size": st.sampled_from([0, 100]),
                 "cycle_first_stair_count": st.sampled_from([0, 4])},
    "axolotl_rex": {"cosine_min_lr_ratio": st.sampled_from([None, 0.1])},
    "axolotl_cosine_min_lr": {"cosine_min_lr_ratio": st.sampled_from([0.1, 0.5])},
    "axolotl_cosine_min_lr_constant": {"cosine_min_lr_ratio": st.just(0.1), "cosine_constant_lr_ratio": st.sampled_from([0.5, 0.8])},
    "StepLR": {"step_size": st.integers(1, 700), "gamma": st.sampled_from([0.5, 0.9])},
    "MultiStepLR": {"milestones": st.lists(st.integers(-5, 2500), max_size=6), "gamma": st.just(0.5)},
    "ConstantLR": {"factor": st.sampled_from([0.25, 0.5]), "total_iters": st.integers(0, 2500)},
    "ExponentialLR": {"gamma": st.sampled_from([0.999, 0.9999])},
    "OneCycleLR": {"pct_start": st.sampled_from([0.1, 0.3, 0.75]), "anneal_strategy": st.sampled_from(["cos", "linear"]),
                   "three_phase": st.booleans()},
    "CyclicLR": {"base_lr": st.just(1e-5), "step_size_up": st.integers(1, 400), "step_size_down": st.sampled_from([None, 50]),
                 "mode": st.sampled_from(["triangular", "triangular2"])},
    "CosineAnnealingWarmRestarts": {"T_0": st.integers(1, 800), "T_mult": st.sampled_from([1, 2, 3])},
    "LRRangeTest": {"lr_range_test_staircase": st.booleans()},
    "LinearLR": {"start_factor": st.sampled_from([0.01, 1.0]), "end_factor": st.sampled_from([0.0, 0.3, 1.0]),
                 "total_iters": st.integers(0, 3000)},
    "PolynomialLR": {"total_iters": st.sampled_from([None, 0, 900]), "power": st.sampled_from([0.5, 1.0, 2.0])},
    "CosineAnnealingLR": {"T_max": st.sampled_from([None, 1, 7, 333]), "eta_min": st.sampled_from([0.0, 1e-5])},
    "SequentialLR": {"schedulers": st.sampled_from([["CosineAnnealingLR"], [{"name": "PolynomialLR", "power": 2.0}],
                                                    [{"name": "ExponentialLR", "gamma": 0.999}, "OneCycleLR"]]),
                     "milestones": st.sampled_from([None, [400]])},
    "torchtitan_wsd": {"decay_ratio": st.sampled_from([None, 0.0, 0.2, 0.5]), "decay_type": st.sampled_from(["linear", "sqrt", "cosine"]),
                       "min_lr_factor": st.sampled_from([0.0, 0.1]), "total_steps": st.sampled_from([None, 50, 700])},
    **{f"megatron_{style}": {"increment": st.integers(1, 9), "min_lr": st.sampled_from([0.0, 1e-5]),
                             "init_lr": st.sampled_from([0.0, 1e-4]), "lr_decay_steps": st.sampled_from([None, 900, 5000]),
                             "wsd_decay_steps": st.integers(0, 3000), "lr_wsd_decay_style": st.sampled_from(["exponential", "linear", "cosine", "minus_sqrt"]),
                             "rampup_bands": st.sampled_from([None, [[1, 40], [3, 100]]])}
       for style in ("constant", "linear", "cosine", "inverse_square_root", "wsd")},
    "verl_cosine": {"num_cycles": st.sampled_from([0.5, 2.5]), "min_lr_ratio": st.sampled_from([0.0, 0.1]),
                    "init_lr_ratio": st.sampled_from([None, 0.2]), "zero_indexed_step": st.booleans()},
    "verl_cosine_0_5": {"num_cycles": st.sampled_from([0.5, 3]), "min_lr_ratio": st.sampled_from([0.0, 0.1])},
    "verl_wsd": {"num_cycles": st.sampled_from([0.5, 1.5]), "min_lr_ratio": st.sampled_from([0.0, 0.1]),
                 "stable_ratio": st.sampled_from([0.0, 0.5, 0.9])},
}
