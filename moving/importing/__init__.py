"""Moving in from another blog engine: readers for each source, and the import that writes the site.

manage.py import_wordpress EXPORT.xml      → wordpress.py reads the export, streaming
manage.py import_typecho SOURCE            → typecho.py reads the database (or backup.py
                                             turns a .dat backup into one first)
                                          → run.py: one transaction; each app's importer
                                             for its own rows; a Summary
"""
