"""The office's business rules, each in one place, as pure functions over plain values.

Pages, exports, emails, roundups and the API read these; selectors translate the ones a page
needs in bulk into SQL, with tests that check both give the same answer. Nothing here imports
the rest of the app (models, selectors, services), so every rule can be read and tested alone.
"""
