"""Deadline rush: 200 partners save and submit their proposals in the last minute before a call's deadline, some
of them too late, against the portal under gunicorn with production settings.

    .venv/bin/python bench/deadline_rush.py         # DATABASE_URL defaults to the dashboard benchmark's database

The people are partners of the programme loaded by `manage.py load_bench_data`, each with an API token (kept for the
next run); the call (deadline about 75 s ahead) and its 200 drafts are made for the run and removed afterwards, with
the receipts and notifications they caused (the audit log keeps its rows: it is append-only). Each person saves
their draft three times (PATCH) and submits it (POST .../submit/); some submit twice at once (a double click), some
only after the deadline. Checked: no 5xx and no dropped connection, every accepted submission (201) has exactly one
version, no version is later than the deadline, every request sent after the deadline is refused with 409. The
results are printed and written to the "rush" section of bench/RESULTS.md; the exit status is 1 if a check failed.
"""

import argparse
import json
import random
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import harness

REFERENCE_PREFIX = "bench-rush-"
SAVES = 3


@dataclass
class Person:
    user: object
    proposal_id: int = 0
    token: str = ""
    late: bool = False
    double_click: bool = False
    steps: list = field(default_factory=list)  # (seconds before (-) or after (+) the deadline, action)


@dataclass
class Outcome:
    proposal_id: int
    action: str
    sent: float
    answered: float
    status: int | None
    body: str

    @property
    def latency(self):
        return self.answered - self.sent


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--deadline-in", type=int, default=75, help="seconds from the start to the deadline")
    parser.add_argument("--late", type=float, default=0.15, help="share of people who submit after the deadline")
    parser.add_argument("--double-click", type=float, default=0.1, help="share who submit twice at once")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (two per core here)")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args()


def remove_rush_calls():
    """Remove the calls of this benchmark (also those of an interrupted run) and what their submissions caused."""
    from portal.notifications.models import Notification, OutboundEmail
    from proposals.models import Call, Proposal

    for call in Call.objects.filter(reference__startswith=REFERENCE_PREFIX):
        proposals = Proposal.objects.filter(call=call)
        people = list(proposals.values_list("principal_investigator", flat=True))
        Notification.objects.filter(user__in=people, created_at__gte=call.created_at).delete()
        OutboundEmail.objects.filter(recipient__in=people, created_at__gte=call.created_at).delete()
        proposals.delete()  # with their versions
        call.delete()


def saving_from(options):
    """Seconds before the deadline when people start saving: the last minute, or what there is of it."""
    return min(60, options.deadline_in - 5)


def choose_people(options):
    """Partners of the loaded programme, one per active organisation, with a plan for the last minute."""
    from rest_framework.authtoken.models import Token

    from partners.models import Membership, Organisation
    from portal.accounts.models import User

    rnd = random.Random(options.seed)
    users = list(
        User.objects.filter(
            membership__role=Membership.Role.MEMBER, membership__organisation__status=Organisation.Status.ACTIVE
        )
        .select_related("membership")
        .order_by("pk")[: options.people]
    )
    people = [Person(user, token=Token.objects.get_or_create(user=user)[0].key) for user in users]
    shuffled = rnd.sample(people, len(people))
    late_count = round(len(people) * options.late)
    for person in shuffled[:late_count]:
        person.late = True
    for person in shuffled[late_count : late_count + round(len(people) * options.double_click)]:
        person.double_click = True
    for person in people:
        saves = sorted(rnd.uniform(-saving_from(options), -12) for _save in range(SAVES))
        person.steps = [(moment, "save") for moment in saves]
        if person.late:
            # Still saving, then submitting, after the deadline: both must be refused.
            person.steps += [(rnd.uniform(0.3, 4), "save"), (rnd.uniform(4.5, 10), "submit")]
        else:
            # Most submit in the very last seconds.
            moment = -1 - 14 * rnd.random() ** 2
            person.steps.append((moment, "double submit" if person.double_click else "submit"))
    return people


def make_call_and_drafts(people, deadline_in):
    """A call whose deadline is `deadline_in` seconds ahead and one complete draft per person, in bulk."""
    from decimal import Decimal

    from django.utils import timezone

    from proposals.models import Call, Mission, Platform, PlatformKind, Proposal

    now = timezone.now()
    deadline = now + timedelta(seconds=deadline_in)
    call = Call.objects.create(
        mission=Mission.objects.order_by("pk").first(),
        title="Deadline rush",
        reference=f"{REFERENCE_PREFIX}{int(now.timestamp())}",
        description="Made by bench/deadline_rush.py and removed after the run.",
        deadline=deadline,
        review_deadline=deadline + timedelta(days=60),
        time_zone="UTC",
        status=Call.Status.OPEN,
        opened_at=now,
    )
    platform = Platform.objects.create(
        call=call,
        kind=PlatformKind.LANDER,
        name="Rush lander",
        total_mass_kg=Decimal(5000),
        total_average_power_w=Decimal(20000),
        total_data_mb_per_day=Decimal(500000),
        max_mass_kg=Decimal(40),
        max_average_power_w=Decimal(100),
        max_peak_power_w=Decimal(200),
        max_length_mm=600,
        max_width_mm=400,
        max_height_mm=400,
        min_operating_temp_c=Decimal(-180),
        max_operating_temp_c=Decimal(80),
    )
    drafts = Proposal.objects.bulk_create(
        [
            Proposal(
                call=call,
                organisation_id=person.user.membership.organisation_id,
                principal_investigator=person.user,
                created_by=person.user,
                title=f"Rush payload {number:03d}",
                abstract="A lunar payload.",
                cooperation_level="equipment",
                cooperation_mode="in_kind",
                areas=["payloads"],
                platform=platform,
                mass_kg=Decimal(12),
                average_power_w=Decimal(30),
                peak_power_w=Decimal(60),
                length_mm=300,
                width_mm=200,
                height_mm=150,
                data_mb_per_day=Decimal(500),
                min_operating_temp_c=Decimal(-40),
                max_operating_temp_c=Decimal(50),
                trl_now=5,
                trl_delivery=8,
                science_objectives="Measure the regolith.",
                schedule="Delivery in 2028.",
            )
            for number, person in enumerate(people)
        ]
    )
    for person, draft in zip(people, drafts, strict=True):
        person.proposal_id = draft.pk
    return call


def warm_up(port, people, workers):
    """Let every worker answer a few requests first, as on a server that has been up for a while."""
    threads = [
        threading.Thread(
            target=harness.request,
            args=(port, "GET", "/api/v1/proposals/?page_size=5"),
            kwargs={"headers": {"Authorization": f"Token {person.token}"}},
        )
        for person in people[: workers * 4]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def send(port, person, action, method, path, body=None):
    headers = {"Authorization": f"Token {person.token}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(body)
    sent = time.time()
    try:
        status, _headers, content = harness.request(port, method, path, body=body, headers=headers)
        text = content[:300].decode(errors="replace")
    except OSError as error:
        status, text = None, repr(error)
    return Outcome(person.proposal_id, action, sent, time.time(), status, text)


def submit(port, person, results):
    results.append(send(port, person, "submit", "POST", f"/api/v1/proposals/{person.proposal_id}/submit/"))


def act(port, person, deadline, outcomes, lock):
    path = f"/api/v1/proposals/{person.proposal_id}/"
    for number, (moment, action) in enumerate(sorted(person.steps), start=1):
        time.sleep(max(0.0, deadline + moment - time.time()))
        if action == "save":
            results = [send(port, person, "save", "PATCH", path, {"abstract": f"A lunar payload, revision {number}."})]
        else:
            copies = 2 if action == "double submit" else 1
            results = []
            threads = [threading.Thread(target=submit, args=(port, person, results)) for _copy in range(copies)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        with lock:
            outcomes.extend(results)


def rush(port, people, deadline):
    outcomes, lock = [], threading.Lock()
    threads = [threading.Thread(target=act, args=(port, person, deadline, outcomes, lock)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def verify(call, people, outcomes):
    """The checks, as (what, passed, detail)."""
    from proposals.models import Proposal, ProposalVersion

    deadline = call.deadline.timestamp()
    accepted = {outcome.proposal_id for outcome in outcomes if outcome.action == "submit" and outcome.status == 201}
    accepted_count = sum(1 for outcome in outcomes if outcome.action == "submit" and outcome.status == 201)
    versions = Counter(ProposalVersion.objects.filter(proposal__call=call).values_list("proposal_id", flat=True))
    late_versions = ProposalVersion.objects.filter(proposal__call=call, submitted_at__gt=call.deadline).count()
    submitted = set(Proposal.objects.filter(call=call, status=Proposal.Status.SUBMITTED).values_list("pk", flat=True))
    server_errors = [outcome for outcome in outcomes if outcome.status is not None and outcome.status >= 500]
    dropped = [outcome for outcome in outcomes if outcome.status is None]
    after = [outcome for outcome in outcomes if outcome.sent > deadline]
    after_refused = [outcome for outcome in after if outcome.status == 409]
    unexpected = Counter(
        (outcome.action, outcome.status)
        for outcome in outcomes
        if outcome.status not in ({"save": 200}.get(outcome.action, 201), 409)
    )
    return [
        ("No 5xx answer", not server_errors, f"{len(server_errors)} 5xx"),
        ("No dropped connection", not dropped, f"{len(dropped)} dropped"),
        ("No answer other than 200 (save), 201 (submit) or 409", not unexpected, dict(unexpected) or "none"),
        (
            "Every accepted submission (201) has exactly one version",
            accepted_count == len(accepted) and all(versions[pk] == 1 for pk in accepted),
            f"{sum(1 for pk in accepted if versions[pk] == 1)} of {accepted_count}",
        ),
        (
            "Versions only for accepted submissions, and those proposals submitted",
            set(versions) == accepted == submitted,
            f"{sum(versions.values())} versions, {len(submitted)} proposals submitted",
        ),
        ("No version submitted after the deadline", late_versions == 0, f"{late_versions}"),
        (
            "Every request sent after the deadline refused with 409",
            len(after_refused) == len(after),
            f"{len(after_refused)} of {len(after)}",
        ),
    ]


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main():
    options = arguments()
    harness.setup()
    remove_rush_calls()
    machine, busy_before = harness.machine(), harness.load_average()
    people = choose_people(options)
    try:
        with harness.portal_server(workers=options.workers) as port:
            warm_up(port, people, options.workers)
            call = make_call_and_drafts(people, options.deadline_in)
            outcomes = rush(port, people, call.deadline.timestamp())
        checks = verify(call, people, outcomes)
        busy = (busy_before, harness.load_average())
        report = render(call, people, outcomes, checks, options, machine, busy)
    finally:
        remove_rush_calls()
    print(report)
    harness.write_section("rush", report)
    if not all(passed for _what, passed, _detail in checks):
        sys.exit(1)


def render(call, people, outcomes, checks, options, machine, busy):
    deadline = call.deadline.timestamp()
    late = sum(person.late for person in people)
    doubles = sum(person.double_click for person in people)
    submits = [outcome for outcome in outcomes if outcome.action == "submit"]
    refused_before = [
        outcome
        for outcome in submits
        if outcome.status == 409 and outcome.sent <= deadline and "deadline" in outcome.body
    ]
    duplicates = [outcome for outcome in submits if outcome.status == 409 and "already submitted" in outcome.body]
    busiest = Counter(int(outcome.answered) for outcome in outcomes).most_common(1)[0][1]
    final_seconds = sum(1 for outcome in submits if deadline - 10 <= outcome.sent <= deadline)
    lines = [
        f"## Deadline rush: {len(people)} partners in the last minute",
        "",
        f"Measured {harness.DATE} on {machine}. {harness.shared(*busy)} "
        f"The portal runs under gunicorn with {options.workers} sync workers "
        "and production settings on the dashboard benchmark's programme (50,000 proposals); the receipts are "
        "written to the outbox and delivered in the request (no Celery worker), which is more work per submission "
        "than in production.",
        "",
        "Rerun: `make bench` (or `.venv/bin/python bench/deadline_rush.py`). A call is opened with its deadline "
        f"{options.deadline_in} s ahead and {len(people)} partners (one per organisation, API tokens) each have a "
        "complete draft. From one process with a thread per person, each saves the draft "
        f"{SAVES} times (PATCH) between {saving_from(options)} and 12 s before the deadline and submits it "
        "(POST .../submit/) in the last 15 s, most in the last few; "
        f"{doubles} of them submit twice at the same instant (a double click); "
        f"{late} save once more and submit only after the deadline. "
        "The call and its proposals are removed after the run.",
        "",
        "| What | Result |",
        "|---|---|",
        f"| Requests | {len(outcomes)}: {len(outcomes) - len(submits)} saves, {len(submits)} submissions |",
        f"| Submissions accepted (201) | {sum(1 for outcome in submits if outcome.status == 201)} |",
        f"| Refused as already submitted (409, the second of a double click) | {len(duplicates)} |",
        "| Refused, sent after the deadline (409) | "
        f"{sum(1 for outcome in outcomes if outcome.sent > deadline and outcome.status == 409)} |",
        f"| Refused, sent before the deadline but reached it after (409) | {len(refused_before)} |",
        f"| Submissions sent in the last 10 s before the deadline | {final_seconds} |",
        f"| Busiest second | {busiest} requests answered |",
        "",
        "| Request | Count | p50 | p99 | Slowest |",
        "|---|---:|---:|---:|---:|",
    ]
    for action, label in (("save", "Save a draft (PATCH)"), ("submit", "Submit (POST .../submit/)")):
        latencies = [outcome.latency for outcome in outcomes if outcome.action == action and outcome.status]
        lines.append(
            f"| {label} | {len(latencies)} | {statistics.median(latencies) * 1000:.0f} ms "
            f"| {percentile(latencies, 0.99) * 1000:.0f} ms | {max(latencies) * 1000:.0f} ms |"
        )
    lines += ["", "| Check | Passed | Detail |", "|---|---|---|"]
    lines += [f"| {what} | {'yes' if passed else '**no**'} | {detail} |" for what, passed, detail in checks]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
