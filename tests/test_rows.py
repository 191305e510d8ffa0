"""portal.rows writes a row as DRF's own serializer would write the same values: field by field, for every kind of
field the API's row serializers use, with empty values and nested rows."""

from datetime import UTC, datetime
from decimal import Decimal

from django.utils import timezone, translation
from django_countries.serializer_fields import CountryField
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from portal.rows import RowsMixin


class Member(serializers.Serializer):
    name = serializers.CharField()
    country = CountryField(allow_blank=True)
    on_team = serializers.SerializerMethodField()

    def get_on_team(self, row) -> bool:
        return row["user_id"] is not None


class Row(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=[("draft", "Draft"), ("submitted", "Submitted")])
    areas = serializers.ListField(child=serializers.ChoiceField(choices=[("a", "A"), ("b", "B")]))
    mass = serializers.DecimalField(max_digits=8, decimal_places=2)
    score = serializers.FloatField(allow_null=True)
    flag = serializers.BooleanField()
    moment = serializers.DateTimeField(allow_null=True)
    scores = serializers.DictField(child=serializers.IntegerField())
    document = serializers.JSONField(allow_null=True)
    country = CountryField()
    lead = Member()
    team = Member(many=True)
    label = serializers.SerializerMethodField()

    def get_label(self, row) -> str:
        return f"{row['title']} ({row['id']})"


class FastMember(RowsMixin, Member):
    pass


class FastRow(RowsMixin, Row):
    lead = FastMember()
    team = FastMember(many=True)


ROWS = [
    {
        "id": 7,
        "title": "Seismometer <b>",
        "status": "submitted",
        "areas": ["a", "b"],
        "mass": Decimal("12.5"),
        "score": 3,
        "flag": True,
        "moment": datetime(2026, 12, 3, 9, 30, tzinfo=UTC),
        "scores": {"science": 5, "feasibility": 3},
        "document": {"mass_kg": "12.00", "team": [{"name": "A"}]},
        "country": "CN",
        "lead": {"name": "Li", "country": "CN", "user_id": 3},
        "team": [{"name": "Ana", "country": "", "user_id": None}, {"name": "Olu", "country": "NG", "user_id": 9}],
    },
    {
        "id": 8,
        "title": "",
        "status": "draft",
        "areas": [],
        "mass": None,
        "score": None,
        "flag": False,
        "moment": None,
        "scores": {},
        "document": None,
        "country": "",
        "lead": {"name": "No one", "country": "", "user_id": None},
        "team": [],
    },
]


def test_a_row_is_written_as_drf_writes_it_in_any_zone_and_language():
    for zone in ("UTC", "Asia/Shanghai"):
        for language in ("en", "ru"):
            with timezone.override(zone), translation.override(language):
                # Compared as the JSON sent: 5 and 5.0 are equal in Python, not on the wire.
                assert JSONRenderer().render(FastRow(ROWS, many=True).data) == JSONRenderer().render(
                    Row(ROWS, many=True).data
                )
