"""Aggregates: state folded from events, and the commands that decide which new events may happen."""
