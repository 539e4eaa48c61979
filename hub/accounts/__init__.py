"""Accounts: people, roles, API tokens, sign-in, invitations and administration."""
