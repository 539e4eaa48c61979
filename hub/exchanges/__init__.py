"""Peer exchanges: requests, proposed mentors, decisions, reports and completed exchanges."""
