"""Static files storage: hashed, compressed names from collectstatic's manifest (far-future caching by WhiteNoise).

Before any collectstatic (no manifest at all: a fresh checkout, the test suite) `{% static %}` gives the plain
names instead of failing. Once a manifest exists, a name missing from it is an error, as in Django.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def stored_name(self, name: str) -> str:
        if not self.hashed_files and not self.manifest_hash:  # no manifest was found
            return name
        return super().stored_name(name)
