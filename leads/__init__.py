"""The lead store: operational data and leads in a real SQL database.

Graph data lives in a graph store (``graph``); what a bank runs around the
path question — opportunity events, tags, industry chains, branches and
their relationship managers, won/lost outcomes, and the leads made from them
with their states and history — lives here, in an SQLite file by default or
any SQLAlchemy URL (PostgreSQL for a shared deployment).
"""
