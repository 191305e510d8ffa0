# Day, month and a 24-hour clock: deadlines read the same way to partners in every country.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
