"""Tests for bot/governance."""
