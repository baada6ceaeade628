"""Creators: hosts as people shoppers follow, their earnings (commission ledger, payouts), MCN
rosters and leaderboards (tiers, offers and training come next)."""
