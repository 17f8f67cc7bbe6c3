"""A bare Bolt app whose slash command only acks, served like `painpoint run --http`: the baseline."""

from __future__ import annotations

import argparse
import os

from slack_bolt import Ack, App
from slack_sdk import WebClient
from waitress import serve


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()
    app = App(
        client=WebClient(token="xoxb-bare", base_url=os.environ["SLACK_API_URL"]),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        token_verification_enabled=False,
    )

    @app.command("/painpoint")
    def ack_only(ack: Ack) -> None:
        ack(text="ok")

    from slack_bolt.adapter.wsgi import SlackRequestHandler

    serve(SlackRequestHandler(app), host="127.0.0.1", port=args.port, threads=args.threads)


if __name__ == "__main__":
    main()
