# One date style per language on every page, chart and e-mail: "9 يناير 2030".
# Django's own Arabic formats have no DATETIME_FORMAT (it fell back to the English one).
DATE_FORMAT = SHORT_DATE_FORMAT = "j F Y"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "j F Y، H:i"
TIME_FORMAT = "H:i"
