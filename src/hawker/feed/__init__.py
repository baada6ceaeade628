"""The front page: layouts of slots, candidate sources, the scorer that orders each section."""
