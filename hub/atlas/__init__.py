"""The network at a glance: a map of the member cities and its figures, drawn as SVG on the server."""
