"""Blueprints, one per area, and the helpers their templates share."""
