"""Beyond reading the fields: judge the photo and the card a recognition came from.

Used only when a caller asks for it, after recognition, from the photo bytes and the
``Recognition``; nothing here changes what the recogniser reads.

    view = view_photo(photo_bytes, recognition)         # decoded photo + the upright card
    card_crop(view), portrait_crop(view, side)          # 856 x 540 card, the front's portrait
    assess_quality(view, side, fields, expected_keys)   # QualityReport: score, flags, metrics
    header_reader_for(recognizer)(view.card, side)      # text of the header (临时居民身份证?)
    assess_risk(view, side, timelimit, header, today)   # RiskReport: photocopy, screen, ...
    number_check(side, info)                            # NumberCheck code (-1..5)
"""

from idcard_ocr.pipeline.assess.consistency import NumberCheck, number_check
from idcard_ocr.pipeline.assess.crops import card_crop, encode_jpeg, portrait_crop
from idcard_ocr.pipeline.assess.header import HeaderReader, header_reader_for, read_header
from idcard_ocr.pipeline.assess.photo_view import PhotoView, view_image, view_photo
from idcard_ocr.pipeline.assess.quality import QualityReport, assess_quality
from idcard_ocr.pipeline.assess.risk import RiskReport, assess_risk

__all__ = [
    "HeaderReader",
    "NumberCheck",
    "PhotoView",
    "QualityReport",
    "RiskReport",
    "assess_quality",
    "assess_risk",
    "card_crop",
    "encode_jpeg",
    "header_reader_for",
    "number_check",
    "portrait_crop",
    "read_header",
    "view_image",
    "view_photo",
]
