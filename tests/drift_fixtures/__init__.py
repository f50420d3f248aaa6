"""Histories with known drift, built through the real service (see scenario.py)."""
