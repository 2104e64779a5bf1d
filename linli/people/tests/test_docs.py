from pathlib import Path

from linli.people.docs import access_table_markdown

README = Path(__file__).resolve().parents[3] / "README.md"


def test_readme_role_field_table_matches_the_access_rules():
    text = README.read_text()
    start = text.index("<!-- people-access-table -->") + len("<!-- people-access-table -->")
    end = text.index("<!-- /people-access-table -->")
    assert text[start:end].strip() == access_table_markdown()
