"""Web app entry point: `python app.py [--host H] [--port P] [--profile NAME|PATH] [--auth USER:PASS]`.

The same as `zh-tts serve` (tts/apps/serve.py); the server lives in tts/web/app.py (create_app), the page in
tts/web/ui.py, the HTTP API in tts/web/api.py.
"""

import sys

from tts.apps.serve import main

if __name__ == "__main__":
    sys.exit(main())
