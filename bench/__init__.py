"""Benchmarks of the hub, each figure a ratio to a raw baseline measured in the same run (`make bench`)."""
