"""planner: value-first networking, planned weekly, from the terminal."""

__version__ = "0.1.0"
