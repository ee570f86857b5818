from chorus.signatures.exports.delivery.markup import printable_html


def test_links_are_spelled_out_and_leave_no_anchor():
    html = printable_html("See [our report](https://example.org/r) or <https://example.org/x>.")
    assert "<a" not in html
    assert "our report (https://example.org/r)" in html
    assert html.count("https://example.org/x") == 1  # a bare address is not printed twice


def test_right_to_left_paragraphs_are_set_to_the_right():
    assert '<p align="right">' in printable_html("نص", right_to_left=True)
    assert "align" not in printable_html("Text")


def test_text_that_looks_like_markup_stays_text():
    html = printable_html("1 < 2 & <script>alert(1)</script>")
    assert "<script" not in html and "&lt;" in html
