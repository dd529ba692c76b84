"""Use cases: one function per view, shared by the pages (through ui/state's caches) and by cli.py.

Each takes the store or a market snapshot, the reader's scope and plain arguments, and returns a typed
view. No streamlit here, no formatting: pages and the CLI only choose what to draw or print.
"""
