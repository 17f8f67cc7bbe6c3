"""Everything the app sends to Slack on its own initiative, through one gate and one policy."""
