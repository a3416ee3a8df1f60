"""The demo web page served at ``/demo``: plain HTML and JavaScript shipped inside the package.

    from idcard_ocr.web import mount_demo
    app = create_app(settings, store, recognizer)
    mount_demo(app, settings)          # only when settings.demo_page (IDCARD_DEMO_PAGE=1)

The page signs its calls with the demo account that ``idcard-ocr demo`` writes to
``<data_dir>/demo-account.json``; ``GET /demo/credentials`` hands it to loopback browsers only.
"""

from idcard_ocr.web.demo_account import (
    DemoAccount,
    demo_account_path,
    read_demo_account,
    write_demo_account,
)
from idcard_ocr.web.demo_router import DEMO_PATH, demo_router, mount_demo

__all__ = [
    "DEMO_PATH",
    "DemoAccount",
    "demo_account_path",
    "demo_router",
    "mount_demo",
    "read_demo_account",
    "write_demo_account",
]
