from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0001_initial'),
        ('proposals', '0006_attachment_reviewer_copy'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='teammember',
            name='invited_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='teammember',
            name='status',
            field=models.CharField(choices=[('member', 'On the team'), ('invited', 'Invited — waiting for acceptance')], default='member', max_length=10, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='conflict',
            name='kind',
            field=models.CharField(choices=[('declared', 'Declared by the reviewer'), ('added', 'Added by an administrator'), ('lifted', 'Automatic conflict lifted by an administrator'), ('proposed', 'Named on a team by the applicants; waiting for an administrator'), ('dismissed', 'Named on a team by the applicants; dismissed by an administrator')], max_length=10),
        ),
        migrations.AddConstraint(
            model_name='teammember',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'member'), ('user__isnull', True), _connector='OR'), name='team_invitation_has_no_account_yet'),
        ),
    ]
