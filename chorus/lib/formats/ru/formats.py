# One date style per language on every page, chart and e-mail: "9 января 2030".
DATE_FORMAT = SHORT_DATE_FORMAT = "j E Y"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "j E Y, H:i"
TIME_FORMAT = "H:i"
