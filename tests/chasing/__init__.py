"""Tests for bot/chasing."""
