"""Tests for storage/."""
