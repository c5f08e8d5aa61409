"""Matching structures: exact Hamming search over PDQ hashes, checked against brute force."""
