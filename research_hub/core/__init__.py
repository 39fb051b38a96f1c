"""The bottom layer: errors, settings, the shapes the library hands out, text helpers.

Nothing in here imports another part of research_hub.
"""
