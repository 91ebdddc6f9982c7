"""`python -m bench`: run every benchmark and print its figures."""

from bench import people_import


def main() -> None:
    people_import.main()


if __name__ == "__main__":
    main()
