"""Benchmarks of the course: reference implementations against PyTorch, measured side by side.

Each ``benchmarks/bench_<topic>.py`` defines ``run(repeats: int = 7) -> list[dict]`` returning
rows made by :func:`benchmarks.timing.compare`; ``python -m benchmarks`` runs them all and
prints one table. Ratios are measured in one run, on one machine, never as absolute targets.
"""
