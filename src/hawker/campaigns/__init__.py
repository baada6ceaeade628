"""Campaigns and festivals, coupons, traffic boosts (the demand side operators steer)."""
