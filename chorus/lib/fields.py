import logging

from django.db import models

from chorus.lib import crypto

logger = logging.getLogger(__name__)


class EncryptedTextField(models.TextField):
    """Text stored encrypted (chorus.lib.crypto) and read back in the clear.

    Encrypted values cannot be searched or compared in the database: look
    rows up by a keyed digest kept beside them instead. A value no configured
    key can decrypt reads as "" (and is logged), so one lost key does not make
    every page fail; `manage.py reencrypt` lists such rows.
    """

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        try:
            return crypto.decrypt(value)
        except crypto.Undecryptable:
            logger.warning("%s: a value could not be decrypted (key removed?)", self.name)
            return ""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return crypto.encrypt(value) if value else value
