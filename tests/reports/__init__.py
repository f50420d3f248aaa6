"""Tests for bot/reports."""
