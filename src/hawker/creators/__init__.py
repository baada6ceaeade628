"""Creators: hosts as people shoppers follow (later: tiers, MCNs, commissions, payouts)."""
