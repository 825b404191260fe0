"""``demo_accounts``: print the demo logins (run by ``make run``)."""

from django.core.management.base import BaseCommand

from tasks.models import Profile
from tasks.services.demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo accounts and their password."

    def handle(self, *args, **options):
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD})")
        self.stdout.write("  admin         superuser: /admin/")
        self.stdout.write("  coordinator   专班办公室: review queue, overdue, roundups")
        liaisons = Profile.objects.select_related("user", "unit").filter(unit__isnull=False).order_by("user__username")
        shown = [p for p in liaisons if p.unit.name in {"市住建局", "市财政局", "区建设局", "区财政局"}]
        for p in shown:
            self.stdout.write(f"  {p.user.username:<13} 联络员 {p.unit.name}")
        self.stdout.write(f"  ... {liaisons.count()} liaison accounts in all (one per unit: haining01.., yuecheng01..)")
        self.stdout.write("")
