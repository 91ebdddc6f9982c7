"""A QR code printed by Fangkong decodes with an ordinary QR reader (zbar) to a token that
verifies with only the public keys and names its pass: the card PDF (its embedded image),
the PNG and the SVG of `qr.py`, and the code on the holder's phone page."""

import io
import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from fangkong.access import qr, services, tokens
from fangkong.testing.school import issued_pass

pytestmark = pytest.mark.django_db


def zbar(image: Image.Image, tmp_path) -> list[str]:
    """The texts of the QR codes zbarimg finds in `image`."""
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        pytest.fail("zbarimg is missing: install Debian's zbar-tools (.ci/run does)")
    path = tmp_path / "code.png"
    image.convert("L").save(path)
    done = subprocess.run(
        [zbarimg, "--raw", "--quiet", "--nodbus", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    # zbarimg exits 4 when it finds no code
    assert done.returncode in (0, 4), done.stderr
    return [line for line in done.stdout.splitlines() if line]


def svg_to_image(svg: str, pixels_per_module: int = 8) -> Image.Image:
    """Draw segno's SVG (one stroked path of horizontal runs, one row per `y.5`) as a
    bitmap: enough of an SVG renderer to read the code back."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    scale = int(re.search(r'transform="scale\((\d+)\)"', svg).group(1))
    modules = size // scale
    path = re.search(r'<path[^>]*stroke="#000"[^>]*d="([^"]+)"', svg).group(1)
    image = Image.new("L", (modules, modules), 255)
    x = y = 0.0
    for command, args in re.findall(r"([MmHhVv])([-\d. ]+)", path):
        numbers = [float(n) for n in args.split()]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        elif command in "hH":
            end = x + numbers[0] if command == "h" else numbers[0]
            for column in range(int(x), int(end)):
                image.putpixel((column, int(y)), 0)
            x = end
        else:
            raise AssertionError(f"unexpected path command {command}")
    return image.resize((modules * pixels_per_module,) * 2, Image.NEAREST)


def assert_names_the_pass(text: str, gate_pass) -> None:
    claims = tokens.verify(text, services.key_ring())
    assert claims.number == gate_pass.number
    assert claims.holder == gate_pass.holder.person_number
    assert claims.valid_from == gate_pass.valid_from
    assert claims.valid_until == gate_pass.valid_until
    assert set(claims.areas) == set(gate_pass.areas.values_list("pk", flat=True))


@pytest.fixture
def gate_pass(school):
    return issued_pass(school, holder=school.resident, pass_type=school.materials)


def test_the_card_pdfs_code_decodes_to_a_token_that_verifies(client, school, gate_pass, tmp_path):
    client.force_login(school.office)
    response = client.get(reverse("access:pass-card-pdf", args=[gate_pass.pk]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert gate_pass.number in page.extract_text()
    images = list(page.images)
    assert len(images) == 1, "the card embeds its code as one image"
    decoded = zbar(images[0].image, tmp_path)
    assert len(decoded) == 1
    assert decoded[0].startswith(tokens.PREFIX)
    assert_names_the_pass(decoded[0], gate_pass)


def test_the_png_decodes_to_the_passes_token(gate_pass, tmp_path):
    token = services.pass_token(gate_pass)
    image = Image.open(io.BytesIO(qr.png(token)))
    assert zbar(image, tmp_path) == [token]
    assert_names_the_pass(token, gate_pass)
    # the quiet zone is there: the corner module rows are white
    assert image.convert("L").getpixel((0, 0)) == 255
    assert image.size[0] == qr.make(token).symbol_size(scale=qr.PNG_SCALE, border=qr.BORDER)[0]


def test_the_png_data_uri_carries_the_same_png(gate_pass):
    import base64

    token = services.pass_token(gate_pass)
    uri = qr.png_data_uri(token)
    assert uri.startswith("data:image/png;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]) == qr.png(token)


def test_the_svg_decodes_to_the_passes_token(gate_pass, tmp_path):
    token = services.pass_token(gate_pass)
    svg = qr.svg(token, title=gate_pass.number)
    assert svg.startswith("<svg") and "<?xml" not in svg
    assert f"<title>{gate_pass.number}</title>" in svg
    assert zbar(svg_to_image(svg), tmp_path) == [token]


def test_the_code_uses_error_correction_m_and_stays_small(gate_pass):
    code = qr.make(services.pass_token(gate_pass))
    assert code.error == "M"
    assert code.mode == "alphanumeric"
    assert code.version <= 10


def test_the_phone_pages_code_decodes_and_verifies(client, school, gate_pass, tmp_path):
    client.force_login(school.guard)
    content = client.get(reverse("access:pass-qr", args=[gate_pass.pk])).content.decode()
    svg = re.search(r"<svg.*?</svg>", content, re.S).group(0)
    (decoded,) = zbar(svg_to_image(svg), tmp_path)
    assert_names_the_pass(decoded, gate_pass)


def test_a_tampered_code_does_not_verify(gate_pass, tmp_path):
    token = services.pass_token(gate_pass)
    (decoded,) = zbar(Image.open(io.BytesIO(qr.png(token))), tmp_path)
    body = decoded[len(tokens.PREFIX) :]
    flipped = body[:20] + ("A" if body[20] != "A" else "B") + body[21:]
    with pytest.raises(tokens.TokenError):
        tokens.verify(tokens.PREFIX + flipped, services.key_ring())


def test_a_printed_card_decodes_to_a_token_verify_pass_accepts(client, school, gate_pass, tmp_path):
    """The issue's "Done when": a QR code printed by Fangkong, read by an ordinary QR reader,
    is a token that `manage.py verify_pass` accepts with only the published public keys."""
    from django.core.management import call_command

    client.force_login(school.office)
    pdf = client.get(reverse("access:pass-card-pdf", args=[gate_pass.pk])).content
    (image,) = PdfReader(io.BytesIO(pdf)).pages[0].images
    (decoded,) = zbar(image.image, tmp_path)
    keys = tmp_path / "keys.json"
    keys.write_bytes(client.get("/api/v1/access/keys").content)
    out = io.StringIO()
    try:
        call_command("verify_pass", decoded, "--keys", str(keys), stdout=out)
        status = 0
    except SystemExit as exit_:
        status = exit_.code
    assert status == 0, out.getvalue()
    assert out.getvalue().strip().splitlines()[-1] == "valid"
    assert gate_pass.number in out.getvalue()
