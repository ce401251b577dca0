"""Word documents in the official format (GB/T 9704-2012), built from plain data.

Each builder takes one of the dataclasses of `notices.documents.data`, writes
a .docx at the given path and returns the path.
"""
