from django.core.management.base import BaseCommand, CommandError

from proposals.models import Call
from proposals.review.affinity import calls_in_matching, compute_call_affinity


class Command(BaseCommand):
    help = "Recompute the stored text affinity of proposals and reviewers for one call, or every call in matching."

    def add_arguments(self, parser):
        parser.add_argument("--call", help="the call's reference (default: every closed or under-review call)")

    def handle(self, *args, **options):
        if options["call"]:
            call = Call.objects.filter(reference=options["call"]).first()
            if call is None:
                raise CommandError(f"No call has the reference {options['call']!r}.")
            calls = [call]
        else:
            calls = list(calls_in_matching())
        for call in calls:
            pairs = compute_call_affinity(call=call)
            self.stdout.write(f"{call.reference}: {pairs} proposal–reviewer pairs scored")
