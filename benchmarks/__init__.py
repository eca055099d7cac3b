"""Build speed and memory benchmarks (issue 18): `python benchmarks/run.py --scale N`, see README.md."""
