"""Timing of what is heard: timestamps from the model's durations, and subtitles made of them."""
