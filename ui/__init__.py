"""Shared Streamlit helpers: translations and formatting, settings, cached loaders, charts."""
