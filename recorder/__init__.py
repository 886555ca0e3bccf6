"""Hemicycle."""
