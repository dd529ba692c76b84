"""The files room: bytes a person hands us, read bounded (bounded_read, parsing: one decoder, one table
reader, one number and one date parser; xlsx_reader), and spreadsheets we hand back safely (exports)."""
