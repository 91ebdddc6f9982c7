import pytest
from django.core.exceptions import ValidationError

from fangkong.core.identity import (
    id_check_char,
    mask_national_id,
    mask_phone,
    validate_national_id,
    validate_phone,
)

# A published GB 11643 example and one made here; both have correct check characters.
VALID_IDS = ["11010519491231002X", "610113199001010019"]


@pytest.mark.parametrize("value", VALID_IDS)
def test_valid_id_numbers_pass(value):
    validate_national_id(value)


def test_check_char_of_published_example_is_x():
    assert id_check_char("11010519491231002") == "X"


def test_lowercase_x_is_accepted_after_normalising():
    validate_national_id("11010519491231002x")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110105194912310021", "id_check_digit"),
        ("11010519491231002", "id_format"),
        ("1101051949123100211", "id_format"),
        ("11010519491331002X", "id_birth_date"),
        ("A1010519491231002X", "id_format"),
    ],
)
def test_bad_id_numbers_are_refused_with_the_reason(value, code):
    with pytest.raises(ValidationError) as caught:
        validate_national_id(value)
    assert caught.value.code == code


def test_id_mask_keeps_region_and_last_four():
    assert mask_national_id("610113199001011234") == "6101**********1234"


def test_phone_mask_keeps_prefix_and_last_four():
    assert mask_phone("13812345678") == "138****5678"


def test_masks_of_empty_values_are_empty():
    assert mask_national_id("") == "" and mask_phone("") == ""


@pytest.mark.parametrize("value", ["13812345678", "029-8220 1234", "+8613812345678"])
def test_phone_numbers_pass(value):
    validate_phone(value)


@pytest.mark.parametrize("value", ["12345", "phone", "1381234567890123456"])
def test_bad_phone_numbers_are_refused(value):
    with pytest.raises(ValidationError):
        validate_phone(value)


def test_full_width_digits_from_a_chinese_input_method_read_as_ascii():
    from fangkong.core.identity import normalise_national_id, normalise_phone

    assert normalise_national_id("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"
    assert normalise_phone("１３８１２３４５６７８") == "13812345678"


def test_other_unicode_digits_are_not_id_digits():
    # Arabic-Indic digits match \d but are no part of a Chinese ID number.
    with pytest.raises(ValidationError):
        validate_national_id("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X")
