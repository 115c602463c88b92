"""Moving a whole site in or out: commands that span the apps and call each app's own importer."""
