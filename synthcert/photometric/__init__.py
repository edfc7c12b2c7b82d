"""Photometric stage: light, optics, sensor and compression. Pixels in, pixels out; never sees labels."""
