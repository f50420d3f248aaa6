"""Tests for bot/capture."""
