from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self):
        # Every list of countries (form fields, filters) is sorted by django-countries, which looks up its module's
        # `sort_key` each time it sorts: the reader's collation, Chinese by pinyin, replaces its own.
        import django_countries

        from portal.collation import country_sort_key

        django_countries.sort_key = country_sort_key
