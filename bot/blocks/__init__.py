"""Pure Block Kit builders over domain data, made with slack_sdk.models so Slack's limits are checked.

One module per surface; `common` holds what they share and `ids` every callback, block and
action id.
"""
