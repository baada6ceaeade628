"""Video: live ingest (stream keys, nginx callbacks); replays and short videos later."""
