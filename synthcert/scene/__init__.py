"""Scene stage: where the camera is, what lies behind the document, and the one warp into the photo."""
