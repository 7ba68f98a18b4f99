"""Presentation: how the engine's figures are worded, formatted and drawn (labels, money and
date formats, the history in words, charts, the CLI's text tables). Above the services, below
forms, documents and pages; nothing here computes money."""
