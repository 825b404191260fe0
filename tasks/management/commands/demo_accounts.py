"""``demo_accounts``: print the demo logins (run by ``make run``)."""

from django.core.management.base import BaseCommand

from tasks.models import PersonRole, Profile, Unit
from tasks.services.demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo accounts and their password."

    def handle(self, *args, **options):
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD})")
        self.stdout.write("  admin         superuser: /admin/")
        self.stdout.write("  coordinator   专班办公室: review queue, overdue, roundups")
        people = Profile.objects.select_related("user", "unit").filter(unit__isnull=False).order_by("user__username")
        liaisons = people.filter(role=PersonRole.LIAISON)
        shown = [p for p in liaisons if p.unit.name in {"市住建局", "市财政局", "区建设局", "区财政局"}]
        shown += [p for p in liaisons if p.user.username in {"haining-xiashi", "yuecheng-tashan"}]
        for p in shown:
            self.stdout.write(f"  {p.user.username:<15} 联络员 {p.unit.name}")
        for p in people.filter(role=PersonRole.LEADER):
            self.stdout.write(f"  {p.user.username:<15} 分管领导 {p.unit.name}: dashboards; raises and rates "
                              "items from meetings and instructions")
        towns = sum(1 for p in liaisons if p.unit.kind == Unit.Kind.TOWN)
        self.stdout.write(
            f"  ... {liaisons.count()} liaison accounts in all (one per unit: haining01.., yuecheng01..; "
            f"{towns} towns: haining-<pinyin>, yuecheng-<pinyin>)"
        )
        self.stdout.write(
            "  Each liaison's profile carries a DingTalk user id (the username) and a mobile number: try a channel "
            "with `manage.py notify_test --user USERNAME --channel email|dingtalk|zzd|wecom|sms`"
        )
        self.stdout.write("")
