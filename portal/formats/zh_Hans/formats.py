# Thousands grouped by three with a comma, as in Chinese technical and financial writing (Django groups none).
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
