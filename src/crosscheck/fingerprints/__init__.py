"""Fingerprints of files: digests, PDQ for images, vPDQ for video, metadata; the walker."""
