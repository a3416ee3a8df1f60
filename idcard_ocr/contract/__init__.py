"""The vendor's contract as data and pure functions, shared by the service, ``scan`` and the SDK.

    codes          the result codes, their messages and the 400 wordings; ``ApiError``
    card           a recognition as the contract's ``data`` object, and the code it answers
    photo_rules    the photo rules judged before decoding (format, size, dimensions, base64)
    sign           ``sha256(appId + appSecret + timestamp)``
    sample         the contract's sample front and back cards

Nothing here knows HTTP servers, storage or the recogniser: the service (``idcard_ocr.api``),
the command line and the SDK each import what they need from here, and nothing from each other.
This module imports none of them, so ``import idcard_ocr.client`` stays light.
"""
