from django.core.management.base import BaseCommand

from proposals.models import Call
from proposals.review.scoring import rebuild_scores


class Command(BaseCommand):
    help = (
        "Recompute every kept ranking figure (each counted review's weighted and normalised score, each proposal's "
        "means, review count and spread) from the reviews themselves; after loading reviews in bulk."
    )

    def add_arguments(self, parser):
        parser.add_argument("--call", type=int, action="append", help="only this call's id (may be repeated)")

    def handle(self, *args, call=None, **options):
        calls = list(Call.objects.filter(pk__in=call)) if call else None
        done = rebuild_scores(calls)
        self.stdout.write(f"Kept scores rebuilt for {done} call(s).")
