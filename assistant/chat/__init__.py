"""The chat web page (Gradio): `disclosures chat [--host] [--port] [--share off]`.

Every answer comes from the same `Assistant` as the CLI and the Slack bot, and is shown through the same presenter
(assistant/presenter.py). Each browser session holds its own `Conversation` (in `gr.State`), so follow-ups work as
in the terminal chat and two users never share a history.

- rendering.py: answers, sources, calculations and passages as the page's Markdown and HTML (escaped)
- uploads.py: what an uploaded file may be (checked by content, size and count; safe names)
- app.py: `ChatApp`, the page's behaviour (asking, documents, uploads, export, feedback), apart from its layout
- layout.py: the Gradio Blocks, CSS and JavaScript
- serving.py: login and launching
"""

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home from a tool that handles filings
