"""``notify_test --user USERNAME [--channel email|dingtalk|zzd|wecom|sms]``: one test message, now."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tasks.models import Channel, GroupRobot
from tasks.notifications.routing import personal_routes
from tasks.notifications.services import message_test_send

ALIASES = {"wecom": Channel.WECOM_ROBOT, "robot": Channel.DINGTALK_ROBOT}


class Command(BaseCommand):
    help = "Send USERNAME one test message through a channel (default: their first) and print the provider's answer."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True)
        parser.add_argument("--channel", choices=["email", "dingtalk", "zzd", "wecom", "dingtalk_robot", "sms"])
        parser.add_argument("--robot", help="the group robot's name (wecom, dingtalk_robot); default: the "
                            "first active one of the user's unit")

    def handle(self, *args, user, channel=None, robot=None, **options):
        try:
            person = get_user_model().objects.select_related("profile").get(username=user)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"no user {user!r}") from exc
        if channel is None:
            channel = personal_routes(email=person.email, profile=getattr(person, "profile", None))[0].channel
        channel = ALIASES.get(channel, channel)
        group = None
        if channel in (Channel.WECOM_ROBOT, Channel.DINGTALK_ROBOT):
            kind = "wecom" if channel == Channel.WECOM_ROBOT else "dingtalk"
            robots = GroupRobot.objects.filter(kind=kind, active=True)
            if robot:
                robots = robots.filter(name=robot)
            else:
                unit_id = getattr(getattr(person, "profile", None), "unit_id", None)
                robots = robots.filter(unit_id=unit_id)
            group = robots.order_by("pk").first()
            if group is None:
                where = f"named {robot}" if robot else "of the user's unit"
                raise CommandError(f"no active {kind} group robot {where}")
        try:
            message = message_test_send(user=person, channel=channel, robot=group)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{message.channel} → {message.address}: {message.state}")
        if message.provider_id:
            self.stdout.write(f"  provider id: {message.provider_id}")
        if message.last_error:
            self.stdout.write(f"  answer: {message.last_error}")
        if message.state == "sent" and channel == Channel.DINGTALK:
            self.stdout.write("  DingTalk takes sends asynchronously: the outbox reads the send result within minutes.")
