"""socialbot: campaigns as code for X and Reddit; this module holds only the version."""

__version__ = "0.1.0"
