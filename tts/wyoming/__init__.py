"""A Wyoming protocol server (Home Assistant's local voice pipeline) over the Synthesizer.

    handler.py    one client connection: describe, synthesize, streaming synthesis, errors
    voices.py     the Info catalogue (voices, emotions, attribution) and how a voice name is read
    server.py     starting and stopping the server (standalone, or inside the web app's process)

`zh-tts wyoming --uri tcp://0.0.0.0:10200`, or `app.py --wyoming tcp://0.0.0.0:10200` beside the
web page and the HTTP API; see docs/wyoming.md. A streamed reply is cut into sentences by
tts/incremental.py, the planner the DashScope-style WebSocket (tts/web/dashscope_ws.py) shares.
"""

DEFAULT_URI = "tcp://127.0.0.1:10200"  # 10200: the port Home Assistant's Wyoming set-up suggests for TTS
