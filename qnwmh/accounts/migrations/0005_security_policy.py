"""安全策略: the security policy row (one at most), its ranges as check constraints."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_totp_secret_encrypted'),
    ]

    operations = [
        migrations.CreateModel(
            name='SecurityPolicy',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, editable=False, primary_key=True, serialize=False)),
                ('lockout_max_failures', models.PositiveIntegerField(help_text='Failed logins within the window after which the account is locked.', validators=[django.core.validators.MinValueValidator(3), django.core.validators.MaxValueValidator(10)], verbose_name='failed logins that lock an account')),
                ('lockout_window_minutes', models.PositiveIntegerField(help_text='Failures are counted over this many minutes.', validators=[django.core.validators.MinValueValidator(5), django.core.validators.MaxValueValidator(1440)], verbose_name='failure window (minutes)')),
                ('lockout_duration_minutes', models.PositiveIntegerField(help_text='How long a locked account stays locked (the admin above may unlock it earlier).', validators=[django.core.validators.MinValueValidator(5), django.core.validators.MaxValueValidator(1440)], verbose_name='lock duration (minutes)')),
                ('throttle_max_failures_per_address', models.PositiveIntegerField(help_text='Failed logins from one address within the window, whatever the accounts.', validators=[django.core.validators.MinValueValidator(10), django.core.validators.MaxValueValidator(100)], verbose_name='failed logins that throttle an address')),
                ('admin_idle_minutes', models.PositiveIntegerField(help_text="An administrator's session ends after this many minutes without activity.", validators=[django.core.validators.MinValueValidator(5), django.core.validators.MaxValueValidator(15)], verbose_name='idle timeout of administrators (minutes)')),
                ('idle_minutes', models.PositiveIntegerField(help_text="Collectives' and judges' sessions end after this many minutes without activity.", validators=[django.core.validators.MinValueValidator(5), django.core.validators.MaxValueValidator(30)], verbose_name='idle timeout of other accounts (minutes)')),
                ('admin_password_prompt_days', models.PositiveIntegerField(help_text='Administrators are asked to change a password older than this.', validators=[django.core.validators.MinValueValidator(30), django.core.validators.MaxValueValidator(90)], verbose_name='password change prompt of administrators (days)')),
                ('version', models.PositiveIntegerField(default=1)),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='changed at')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='changed by')),
            ],
            options={
                'verbose_name': 'security policy',
                'verbose_name_plural': 'security policy',
                'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='security_policy_singleton'), models.CheckConstraint(condition=models.Q(('lockout_max_failures__gte', 3), ('lockout_max_failures__lte', 10)), name='security_policy_lockout_max_failures_range'), models.CheckConstraint(condition=models.Q(('lockout_window_minutes__gte', 5), ('lockout_window_minutes__lte', 1440)), name='security_policy_lockout_window_minutes_range'), models.CheckConstraint(condition=models.Q(('lockout_duration_minutes__gte', 5), ('lockout_duration_minutes__lte', 1440)), name='security_policy_lockout_duration_minutes_range'), models.CheckConstraint(condition=models.Q(('throttle_max_failures_per_address__gte', 10), ('throttle_max_failures_per_address__lte', 100)), name='security_policy_throttle_max_failures_per_address_range'), models.CheckConstraint(condition=models.Q(('admin_idle_minutes__gte', 5), ('admin_idle_minutes__lte', 15)), name='security_policy_admin_idle_minutes_range'), models.CheckConstraint(condition=models.Q(('idle_minutes__gte', 5), ('idle_minutes__lte', 30)), name='security_policy_idle_minutes_range'), models.CheckConstraint(condition=models.Q(('admin_password_prompt_days__gte', 30), ('admin_password_prompt_days__lte', 90)), name='security_policy_admin_password_prompt_days_range')],
            },
        ),
    ]
