"""Cities and themes: the network's members and its controlled list of themes."""
