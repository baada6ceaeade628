"""Creators: host earnings (commission ledger, payouts), MCN rosters; later tiers and offers."""
