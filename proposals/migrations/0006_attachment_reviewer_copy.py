import proposals.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('proposals', '0005_proposal_title_native'),
    ]

    operations = [
        migrations.AddField(
            model_name='attachment',
            name='names_found',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='attachment',
            name='reviewer_copy',
            field=models.FileField(blank=True, upload_to=proposals.models.reviewer_copy_path),
        ),
    ]
