"""The load mix of `make load` (issue 20): workers, Kela contacts and coordinators, each logging
in through the login form (coordinators with their second factor), then using the pages they
use daily. Run by bench/load.py, which prepares the users and their data in LOAD_USERS (JSON)
and starts gunicorn with production settings.

TLS ends in front of the app in production (a proxy sets X-Forwarded-Proto): the requests say
so, and the cookies the app marks secure are sent over the local plain connection too (the
flag is cleared in the jar before each request: requests copies the jar for every request, so
a cookie policy would not hold). Form posts do not follow the redirect (a 302 is success).
"""

import collections
import datetime
import itertools
import json
import os
import random
import re

from django_otp.oath import TOTP
from locust import HttpUser, between, task

USERS = json.loads(open(os.environ["LOAD_USERS"]).read())  # noqa: SIM115, PTH123
HEADERS = {"X-Forwarded-Proto": "https"}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TRIVIAL = "/accessibility/"
# Each simulated user takes the next person of its role: two coordinators on one account would
# send the same one-time code within its 30 seconds, and the second is refused as a replay.
PICKS = collections.defaultdict(itertools.count)


# Seconds between a user's pages: a busy user reading little (real ones read for longer). With
# next to none, 16 users keep the 2 cores saturated and every request waits in one queue: by
# Little's law 16 users ÷ 14 requests/s is over a second of waiting, whatever the page.
THINK = (float(os.environ.get("LOAD_THINK_MIN", 1)), float(os.environ.get("LOAD_THINK_MAX", 5)))


class Member(HttpUser):
    abstract = True
    wait_time = between(*THINK)
    role = ""

    def on_start(self):
        people = USERS[self.role]
        self.me = people[next(PICKS[self.role]) % len(people)]
        page = self.get("/login/", name="login form")
        self.post(
            "/login/",
            {"username": self.me["email"], "password": self.me["password"]},
            page,
            name="login",
        )

    def behind_proxy(self):
        for cookie in self.client.cookies:
            cookie.secure = False

    def get(self, path, name=None, **kwargs):
        self.behind_proxy()
        name = name or path
        headers = {**HEADERS, "X-Load-Page": name}
        with self.client.get(path, name=name, headers=headers, catch_response=True, **kwargs) as r:
            if r.status_code != 200 or r.history:  # not logged in, or no second factor
                r.failure(f"{r.status_code} {r.url}")
            return r

    def post(self, path, data, page, name):
        """A form post as the browser makes it; success is the redirect after it."""
        self.behind_proxy()
        token = CSRF.search(page.text)
        data = {**data, "csrfmiddlewaretoken": token.group(1) if token else ""}
        referer = f"https://{self.host.split('://')[1]}{path}"
        headers = {**HEADERS, "Referer": referer, "X-Load-Page": name}
        with self.client.post(
            path, data, name=name, headers=headers, catch_response=True, allow_redirects=False
        ) as r:
            if r.status_code != 302 or "/login/" in r.headers.get("Location", ""):
                r.failure(f"{r.status_code} {path}")
            return r

    @task(1)
    def trivial(self):
        self.get(TRIVIAL, name="trivial page")


class Worker(Member):
    weight = 6
    role = "worker"

    @task(4)
    def home(self):
        self.get("/", name="worker home")

    @task(1)
    def home_organisation(self):
        self.get("/?scope=organisation", name="worker home, whole organisation")

    @task(2)
    def full_list(self):
        key = random.choice(self.me["lists"])  # noqa: S311
        self.get(f"/lists/{key}/?page=1", name="worker full list")

    @task(1)
    def lists(self):
        self.get("/young-people/", name="young-people list")
        self.get("/meetings/", name="meeting list")

    @task(2)
    def record(self):
        self.get(f"/young-people/{random.choice(self.me['youth'])}/", name="record")  # noqa: S311

    @task(2)
    def meeting(self):
        self.get(f"/meetings/{random.choice(self.me['meetings'])}/", name="meeting")  # noqa: S311

    @task(1)
    def plan_and_item(self):
        meeting, owner = random.choice(self.me["plans"])  # noqa: S311
        page = self.get(f"/meetings/{meeting}/plan/", name="plan")
        due = datetime.date.today() + datetime.timedelta(days=30)  # noqa: DTZ011
        self.post(
            f"/meetings/{meeting}/plan/items/",
            {"owner": owner, "what": "Kuormitustesti: soita Kelaan", "due_date": due.isoformat()},
            page,
            name="add an action item",
        )


class Kela(Member):
    weight = 3
    role = "kela"

    @task(4)
    def home(self):
        self.get("/", name="Kela home")

    @task(3)
    def meeting(self):
        self.get(f"/meetings/{random.choice(self.me['meetings'])}/", name="Kela meeting")  # noqa: S311

    @task(1)
    def answer(self):
        if not self.me["to_answer"]:
            return
        meeting = self.me["to_answer"].pop()
        page = self.get(f"/meetings/{meeting}/", name="Kela meeting")
        self.post(f"/meetings/{meeting}/respond/", {"answer": "accepted"}, page, name="answer")


class Coordinator(Member):
    weight = 1
    role = "coordinator"

    def on_start(self):
        super().on_start()
        page = self.get("/account/verify/", name="two-factor form")
        code = f"{TOTP(bytes.fromhex(self.me['totp_key'])).token():06d}"
        self.post("/account/verify/", {"token": code}, page, name="two-factor")

    @task(3)
    def dashboard(self):
        params = {
            "county": random.choice(["", *self.me["counties"]]),  # noqa: S311
            "client_group": random.choice(["", "aftercare", "unaccompanied"]),  # noqa: S311
            "modality": random.choice(["", "face_to_face", "video"]),  # noqa: S311
        }
        self.get("/dashboard/", name="dashboard with filters", params=params)

    @task(1)
    def results(self):
        self.get("/feedback/results/", name="feedback results")
