"""Units of measure as the reader's language writes them (кг, Вт, МБ/сут): marked for translation with a
context, so that "W" the unit is translated apart from any other "W"."""

from django.utils.translation import pgettext_lazy

KILOGRAM = pgettext_lazy("unit: kilogram", "kg")
WATT = pgettext_lazy("unit: watt", "W")
MEGABYTES_PER_DAY = pgettext_lazy("unit: megabytes per day", "MB/day")
MEGABYTES = pgettext_lazy("unit: megabyte", "MB")
MILLIMETRE = pgettext_lazy("unit: millimetre", "mm")
