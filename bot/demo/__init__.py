"""The demo: bundled sample data run through the real pipeline, no Slack account needed."""
