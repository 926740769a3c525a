"""Tunesmith trainer."""
