"""Imports every sub-command module so that it registers itself on ``main``."""
