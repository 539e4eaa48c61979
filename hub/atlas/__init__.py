"""The network at a glance: the member cities on a map and the network's figures, as SVG."""
