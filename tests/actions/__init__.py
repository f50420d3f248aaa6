"""Tests for bot/actions."""
