"""Screenshots are taken only when asked for (``shots.py``); without them a locator is still waited for."""

from tasks.tests.browser.shots import screenshot


class Target:
    def __init__(self):
        self.shots, self.waits = [], []

    def screenshot(self, path, **options):
        self.shots.append((path, options))


class LocatorTarget(Target):
    def wait_for(self, state):
        self.waits.append(state)


def test_no_screenshot_unless_asked(monkeypatch):
    monkeypatch.delenv("SCREENSHOT_DIR", raising=False)
    page = Target()
    assert screenshot(page, "home.png", full_page=True) is None
    assert page.shots == []


def test_a_locator_not_photographed_is_still_waited_for_as_visible(monkeypatch):
    monkeypatch.delenv("SCREENSHOT_DIR", raising=False)
    form = LocatorTarget()
    screenshot(form, "form.png")
    assert (form.shots, form.waits) == ([], ["visible"])


def test_screenshots_go_to_the_folder_asked_for(monkeypatch, tmp_path):
    monkeypatch.setenv("SCREENSHOT_DIR", str(tmp_path / "shots"))
    page = Target()
    assert screenshot(page, "home.png", full_page=True) == tmp_path / "shots" / "home.png"
    assert page.shots == [(str(tmp_path / "shots" / "home.png"), {"full_page": True})]
    assert (tmp_path / "shots").is_dir()
