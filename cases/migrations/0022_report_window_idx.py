"""The periodic report's covering index: every column ``reports.figures`` reads of a case received in
the window, so it counts them from the index alone (index-only scan) instead of their wide rows.
SQLite ignores ``include`` (a plain received_at index there)."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0021_inbox_due_order'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['received_at'], include=('receiving_unit', 'competent_unit', 'topic', 'kind', 'status', 'competence', 'result', 'round', 'is_over_level', 'is_mass', 'accepted_on', 'decided_on', 'terminated_on', 'ended_on', 'resolution_due_at_decision'), name='case_report_window_idx'),
        ),
    ]
