"""Everything that touches the outside world: Yahoo, imported files, the demo generator and the store."""
