"""Synthetic ID cards with known answers: identities, card drawing, photo-like transforms, sets.

Real ID photos are personal data, so every accuracy figure of this project is measured on these.
Entry points: :func:`idcard_ocr.synth.dataset.generate_set` and ``python -m idcard_ocr.synth``.
"""
