"""The bottom layer every app may use and that uses none: page cache, content version, addresses."""
