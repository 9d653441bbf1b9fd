"""The questions users ask, answered on any store."""
