"""The commands that serve the assistant to others: the chat web page and the Slack bot."""

from __future__ import annotations

import click

from assistant.cli.context import settings_of


@click.command()
@click.option("--host", default=None, help="Address to listen on (default DISCLOSURES_UI_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default DISCLOSURES_UI_PORT, 7860).")
@click.option("--share", type=click.Choice(["off", "on"]), default="off",
              help="A public gradio.live link (needs internet; off by default).")
@click.pass_context
def chat(ctx: click.Context, host: str | None, port: int | None, share: str) -> None:
    """Open the chat web page over the ingested documents."""
    from assistant.chat.serving import serve

    settings = settings_of(ctx)
    click.echo(f"Disclosure Assistant: http://{host or settings.chat.host}:{port or settings.chat.port}", err=True)
    serve(settings, host=host, port=port, share=share == "on")


@click.command()
@click.option("--socket", "mode", flag_value="socket", help="Socket Mode (SLACK_APP_TOKEN + SLACK_BOT_TOKEN): no public URL needed.")
@click.option("--http", "mode", flag_value="http", default=True,
              help="HTTP mode (SLACK_SIGNING_SECRET + SLACK_BOT_TOKEN): events, commands and interactivity on POST /slack/events.")
@click.option("--host", default="127.0.0.1", show_default=True, help="HTTP mode: address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=3000, show_default=True, help="HTTP mode: port.")
@click.pass_context
def slack(ctx: click.Context, mode: str, host: str, port: int) -> None:
    """Run the Slack bot."""
    from assistant.slackbot import serve_http, serve_socket

    settings = settings_of(ctx)
    if mode == "socket":
        serve_socket(settings)
    else:
        click.echo(f"Slack bot: POST http://{host}:{port}/slack/events", err=True)
        serve_http(settings, host, port)
