"""Fangkong's benchmarks, run by `make bench` (`python -m bench`).

Each benchmark prints its figures as a ratio against a baseline measured in the same run:
the machine may be shared and noisy, so absolute times are printed but not relied on.
Nothing here is a test and nothing here fails a build.
"""
