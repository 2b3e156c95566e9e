import html

from bot.ui.views import Button, View, bold, messages, plain, split_parts, to_html, utf16_len


def visible(chunk):
    return "".join(text for _, text in chunk)


def test_short_message_is_one_chunk_and_escaped():
    parts = [bold("Tiêu chí <1.4> & co"), plain("\n<b>not a tag</b>")]
    chunks = split_parts(parts)
    assert len(chunks) == 1
    rendered = to_html(chunks[0])
    assert rendered == "<b>Tiêu chí &lt;1.4&gt; &amp; co</b>\n&lt;b&gt;not a tag&lt;/b&gt;"


def test_long_text_is_split_under_the_limit_without_losing_anything():
    body = "\n".join(f"- Nhiệm vụ số {i}: " + "giải pháp " * 30 for i in range(60))
    parts = [bold("Công việc: "), plain(body), plain("\n\n"), bold("Ghi chú: "), plain("hết")]
    chunks = split_parts(parts)
    assert len(chunks) > 1
    for chunk in chunks:
        assert utf16_len(visible(chunk)) <= 4096
    assert "".join(visible(c) for c in chunks) == "Công việc: " + body + "\n\nGhi chú: hết"


def test_escaping_does_not_count_towards_the_limit():
    text = "<&>" * 1365  # 4095 visible characters, far more once escaped
    chunks = split_parts([plain(text)])
    assert len(chunks) == 1
    assert html.unescape(to_html(chunks[0])) == text


def test_astral_characters_count_as_two_units():
    text = "😀" * 3000  # 6000 UTF-16 units
    chunks = split_parts([plain(text)])
    assert len(chunks) == 2
    assert all(utf16_len(visible(c)) <= 4096 for c in chunks)
    assert "".join(visible(c) for c in chunks) == text


def test_whitespace_only_chunks_are_dropped():
    chunks = split_parts([plain("a" * 4096), plain("\n\n"), plain("b")])
    assert all(visible(c).strip() for c in chunks)


def test_a_caption_is_never_cut_long_text_follows_the_picture():
    short = View([bold("Bản tin"), plain(" <ngắn> & gọn")], photo=b"png")
    [only] = messages(short)
    assert only.photo == b"png" and only.html == "<b>Bản tin</b> &lt;ngắn&gt; &amp; gọn"
    # 1 000 visible characters fit a caption, although escaping makes the HTML longer.
    fits = View([plain("&" * 1000)], document=("a.docx", b"x"))
    assert len(messages(fits)) == 1 and len(messages(fits)[0].html or "") == 5000
    text = "Dòng kế hoạch số một. " * 300  # ~6 600 characters: two text messages
    long = View([bold("Bản tin"), plain("\n" + text)], [[Button("OK", "x")]], photo=b"png")
    first, *rest = messages(long)
    assert first.photo == b"png" and first.html is None and first.buttons == []
    assert len(rest) == 2 and rest[-1].buttons == [[Button("OK", "x")]]
    assert (
        "".join(html.unescape(m.html or "") for m in rest)
        .replace("<b>", "")
        .replace("</b>", "")
        .split()
        == ("Bản tin\n" + text).split()
    )
