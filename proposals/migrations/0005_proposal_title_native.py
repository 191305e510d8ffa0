from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('proposals', '0004_proposal_recent_first_index'),
    ]

    operations = [
        migrations.RenameField(
            model_name='proposal',
            old_name='title_local',
            new_name='title_native',
        ),
        migrations.AlterField(
            model_name='proposal',
            name='title_native',
            field=models.CharField(blank=True, help_text='In the team\'s own script, e.g. 月震仪 or Сейсмометр; shown beside the English title.', max_length=200, verbose_name="title in the team's own language"),
        ),
    ]
