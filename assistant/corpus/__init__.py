"""Utterances of a home: the phrase generator behind both the model's training data
(export/) and the speech recognizer's language model of the home (runtime).

Pure Python, no torch: it runs on the user's machine to build a home's language model.
"""
