"""Syndicator: provincial portal news to a Facebook Fanpage and a Zalo OA, under editorial control."""

__version__ = "0.1.0"
