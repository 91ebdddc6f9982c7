from django.core.management.base import BaseCommand

from fangkong.core.demo import demo_logins, load_demo


class Command(BaseCommand):
    help = "Load the demo school (XAUAT, from the article). Does nothing if it is already loaded."

    def handle(self, *args, **options):
        if load_demo(out=lambda message: self.stdout.write(f"  {message}")):
            self.stdout.write(self.style.SUCCESS("Demo school loaded."))
        else:
            self.stdout.write("Demo school already loaded: nothing to do.")
        self.stdout.write("Demo logins (user / role / password):")
        for username, role, password in demo_logins():
            self.stdout.write(f"  {username:<12} {role:<28} {password}")
