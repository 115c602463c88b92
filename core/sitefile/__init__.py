"""The site file: a whole site as one JSON document, written and read a piece at a time.

Its members come in this order: `format` ("kexue-blog-site"), `version`, then header values
(`exported_at`, `password_hashes`), then one array per section, in the order the composing
app (moving/site.py) gives. Rows refer to one another only within the file. Each app writes
and reads its own sections (blog/portable.py, comments/portable.py); this package knows
only the document's shape, so neither side holds the whole site in memory.
"""

from .reading import read_site
from .rows import FileError, Loading, Row
from .writing import write_site

FORMAT_NAME = "kexue-blog-site"
FORMAT_VERSION = 3

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "FileError",
    "Loading",
    "Row",
    "read_site",
    "write_site",
]
