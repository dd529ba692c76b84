"""Pure analytics: DataFrame or Series in, result out.

Nothing here imports streamlit, reads a file or opens a socket.
"""
