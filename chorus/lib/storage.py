"""Where uploaded files are kept: the file system, leaving nothing behind when a write fails."""

import contextlib
import errno
import logging
import os

from django.core.files.storage import FileSystemStorage

logger = logging.getLogger(__name__)


def write_error_name(error: OSError) -> str:
    """What went wrong, in words that name no file: "ENOSPC", "EROFS", "EACCES"…

    An OSError's text carries the path, and a path may hold what a user typed.
    """
    return errno.errorcode.get(error.errno, type(error).__name__)


class MediaStorage(FileSystemStorage):
    """Django's file-system storage that removes the part of a file it could not finish.

    With the disk full, the picture's first bytes may already be on disk when
    the write fails; left there, they would be a broken file nobody points to.
    The failure is still raised: the save that wanted the file must fail too,
    so its transaction rolls back and no row points at a missing file.
    """

    def _save(self, name, content):
        path = self.path(name)
        # Only a file this call created is removed: names are random, so one
        # already there belongs to someone else and is never touched.
        existed = os.path.lexists(path)
        try:
            return super()._save(name, content)
        except OSError as error:
            logger.warning("a file could not be stored (%s)", write_error_name(error))
            if not existed:
                with contextlib.suppress(OSError):
                    os.remove(path)
            raise


class PrivateStorage(MediaStorage):
    """Files only their owners may download, kept where no web server looks.

    Readable by the server's own user alone; there is no URL: a view that
    checks who asks reads the file and sends it (private, no-store).
    """

    def __init__(self, location=None, **kwargs):
        super().__init__(location=location, base_url=None, file_permissions_mode=0o600,
                         directory_permissions_mode=0o700, **kwargs)

    def url(self, name):
        raise ValueError("private files have no URL")
