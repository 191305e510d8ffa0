from django.db import migrations, models

from proposals import resources


def keep_resource_checks(apps, schema_editor):
    """Every proposal with a platform gets the checks its save would have kept (the rules only read fields)."""
    Proposal = apps.get_model("proposals", "Proposal")
    changed = []
    for proposal in Proposal.objects.exclude(platform=None).select_related("platform").iterator(chunk_size=2000):
        checks = resources.check(proposal, proposal.platform)
        if checks:
            proposal.resource_checks = checks
            changed.append(proposal)
        if len(changed) >= 2000:
            Proposal.objects.bulk_update(changed, ["resource_checks"])
            changed = []
    Proposal.objects.bulk_update(changed, ["resource_checks"])


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0014_text_limits"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposal",
            name="resource_checks",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.RunPython(keep_resource_checks, migrations.RunPython.noop),
    ]
