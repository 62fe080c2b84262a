"""Pure normalization of feed content: text, legacy encodings, HTML, URLs, dates, images.

Nothing here does I/O or reads the clock; every function takes plain values and returns them.
"""
