"""The issue's "done when", end to end in Chromium: a member applies for a pass, the office
approves it, and a guard scans its QR code with the camera of a phone at the gate page.

The camera is Chromium's fake capture device playing a one-frame .y4m video of the pass's
QR code (drawn by Fangkong's own `qr.make`); the page reads it with the vendored jsQR, as it
would a real phone camera."""

import io

import pytest
from PIL import Image

from fangkong.access import qr, services
from fangkong.access.models import Crossing, Pass
from fangkong.core.roles import Role
from fangkong.testing.browser import (
    _CONTEXTS,
    ACTION_TIMEOUT,
    CHROMIUM_ARGS,
    NAVIGATION_TIMEOUT,
    PHONE_VIEWPORT,
    browser_login,
)

pytestmark = pytest.mark.browser

FRAME = (640, 480)


def write_y4m(path, image: Image.Image, frames: int = 3) -> None:
    """A YUV4MPEG2 video (4:2:0) showing `image` (grey levels only: U and V at 128)."""
    width, height = FRAME
    canvas = Image.new("L", FRAME, 255)
    image = image.convert("L")
    image.thumbnail((height - 20, height - 20))
    canvas.paste(image, ((width - image.width) // 2, (height - image.height) // 2))
    luma = canvas.tobytes()
    chroma = bytes([128]) * ((width // 2) * (height // 2))
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + luma + chroma + chroma)


def qr_image(token: str) -> Image.Image:
    buffer = io.BytesIO()
    qr.make(token).save(buffer, kind="png", scale=8, border=4)
    buffer.seek(0)
    return Image.open(buffer)


@pytest.fixture
def camera_phone(_chromium, chromium_executable, new_context, live_server, tmp_path, request):
    """camera_phone() -> (page, video path): a phone-sized page in a Chromium of its own whose
    camera plays the .y4m file at `video path` (written by the test before it scans)."""
    video = tmp_path / "camera.y4m"
    write_y4m(video, Image.new("L", (200, 200), 255))
    browser = _chromium.playwright.chromium.launch(
        executable_path=chromium_executable,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )

    def make():
        context = browser.new_context(
            base_url=live_server.url,
            locale="en-US",
            viewport=PHONE_VIEWPORT,
            is_mobile=True,
            has_touch=True,
            permissions=["camera"],
        )
        context.set_default_timeout(ACTION_TIMEOUT)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT)
        request.node.stash[_CONTEXTS].append(context)  # screenshots if the test fails
        return context.new_page(), video

    try:
        yield make
    finally:
        browser.close()


def test_a_pass_is_applied_for_approved_and_scanned_at_the_gate(
    school, make_user, new_page, live_server, camera_phone
):
    make_user(Role.MEMBER, person=school.outsider, username="gate-member")

    # The member applies for an on-duty pass (its areas and days come from the type).
    member = new_page(phone=True)
    browser_login(member, live_server, "gate-member")
    member.goto("/access/passes/apply/")
    member.select_option("select[name=pass_type]", str(school.duty.pk))
    member.fill("input[name=reason]", "寒假值班")
    member.locator("#send").click()
    member.wait_for_url("**/access/passes/*/")
    gate_pass = Pass.objects.get(holder=school.outsider)
    assert gate_pass.status == Pass.Status.PENDING

    # The office approves it.
    office = new_page()
    browser_login(office, live_server, "gate-office")
    office.goto(f"/access/passes/{gate_pass.pk}/")
    office.locator("#approve").click()
    office.wait_for_load_state()
    gate_pass.refresh_from_db()
    assert gate_pass.status == Pass.Status.APPROVED

    # The guard, at the teaching area's north gate, scans it with the phone's camera.
    guard, video = camera_phone()
    browser_login(guard, live_server, "gate-guard")
    guard.goto("/access/gate/")
    guard.select_option("select[name=gate]", str(school.teaching_gate.pk))
    guard.locator("label.gate-toggle", has_text="In").click()
    write_y4m(video, qr_image(services.pass_token(gate_pass)))
    guard.get_by_role("button", name="Scan").click()

    verdict = guard.locator("#gate-result .gate-verdict")
    verdict.wait_for()
    assert verdict.get_attribute("data-verdict") == "allow"
    assert "ALLOW" in verdict.inner_text()
    result = guard.locator("#gate-result").inner_text()
    assert school.outsider.name in result and gate_pass.number in result
    crossing = Crossing.objects.get()
    assert (crossing.allowed, crossing.gate_pass, crossing.gate, crossing.direction) == (
        True,
        gate_pass,
        school.teaching_gate,
        "in",
    )
    # The camera stays on and the form is ready for the next person.
    assert guard.locator("#gate-video").is_visible()
    assert guard.locator("input[name=code]").input_value() == ""
    # Read once: the same code held in front of the camera is not decided again at once.
    guard.wait_for_timeout(1000)
    assert Crossing.objects.count() == 1


def test_a_hardware_scanner_types_the_code_and_the_household_finder_decides(
    school, new_page, live_server
):
    """Without a camera: the code typed (as a hardware scanner does) and Enter; then a
    resident without a pass found through their household, on a phone."""
    gate_pass = services.issue_at_desk(
        school.office, holder=school.outsider, pass_type=school.duty, reason="值班"
    )
    token = services.pass_token(gate_pass)
    guard = new_page(phone=True)
    browser_login(guard, live_server, "gate-guard")
    guard.goto("/access/gate/")
    # Picking the gate and direction is remembered at once, before any decision.
    with guard.expect_response(lambda r: "/access/gate/?" in r.url and r.status == 204):
        guard.select_option("select[name=gate]", str(school.family_gate_2.pk))
    with guard.expect_response(lambda r: "direction=out" in r.url and r.status == 204):
        guard.locator("label.gate-toggle", has_text="Out").click()
    guard.reload()
    assert guard.locator("select[name=gate]").input_value() == str(school.family_gate_2.pk)
    assert guard.locator("input[name=direction][value=out]").is_checked()

    guard.select_option("select[name=gate]", str(school.teaching_gate.pk))
    guard.locator("label.gate-toggle", has_text="In").click()
    guard.fill("input[name=code]", token)
    guard.press("input[name=code]", "Enter")
    guard.locator("#gate-result [data-verdict=allow]").wait_for()
    assert school.outsider.name in guard.locator("#gate-result").inner_text()

    # A bad temperature: shown under its field, nothing recorded.
    guard.select_option("select[name=gate]", str(school.family_gate.pk))
    guard.locator("label.gate-toggle", has_text="Out").click()
    guard.fill("input[name=code]", school.resident.person_number)
    guard.fill("input[name=temperature]", "12")
    guard.locator("#gate-check").click()
    guard.locator("#gate-error-temperature", has_text="between 34 and 43").wait_for()
    assert Crossing.objects.count() == 1
    guard.fill("input[name=temperature]", "")

    # The household finder: the resident goes out on the household's quota…
    guard.locator(".gate-find summary").click()
    guard.fill("input[name=q]", "3-201")
    member_row = guard.locator(".gate-member", has_text=school.resident.name)
    member_row.get_by_role("button").click()
    guard.locator("#gate-result [data-verdict=allow]").wait_for()
    assert Crossing.objects.order_by("-pk").first().person == school.resident
    # …then the other member is refused, and sees who is out.
    guard.locator(".gate-member", has_text=school.resident_2.name).get_by_role("button").click()
    guard.locator("#gate-result [data-verdict=deny]").wait_for()
    result = guard.locator("#gate-result").inner_text()
    assert "next exit allowed at" in result and f"{school.resident.name}, since" in result
    # A typed code after a member's button is decided for the code's holder, not the member.
    guard.select_option("select[name=gate]", str(school.teaching_gate.pk))
    guard.locator("label.gate-toggle", has_text="In").click()
    guard.fill("input[name=code]", gate_pass.number)
    guard.press("input[name=code]", "Enter")
    guard.locator("#gate-result [data-verdict=allow]").wait_for()
    last = Crossing.objects.order_by("-pk").first()
    assert (last.person, last.gate_pass) == (school.outsider, gate_pass)
    # The remembered gate and direction survive a reload.
    guard.reload()
    assert guard.locator("select[name=gate]").input_value() == str(school.teaching_gate.pk)
    assert guard.locator("input[name=direction][value=in]").is_checked()
