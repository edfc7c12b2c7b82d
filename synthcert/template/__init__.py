"""Template stage: spec files, the prepared artwork and the flat document with its printed fields."""
