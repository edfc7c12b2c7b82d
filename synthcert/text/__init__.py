"""Text generation: registration numbers, VINs, names, dates and the other field values."""
