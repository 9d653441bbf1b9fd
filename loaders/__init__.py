"""Readers that turn CSV, Excel and generated data into validated record batches."""
