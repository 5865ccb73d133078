"""Evaluations against public benchmarks (PAN 2013 text alignment)."""
