"""Properties that must hold for any input: idempotence and stability of the dedup keys."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from syndicator.ingest.normalize.text import clean_text, normalize_text, title_key
from syndicator.ingest.normalize.urls import TRACKING_PARAMS, canonical_url

VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậđeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"
# Text the way feeds hold it: Vietnamese, Latin-1 symbols (legacy encodings, mojibake), spaces.
feed_text = st.text(
    alphabet=st.sampled_from(
        VIETNAMESE + VIETNAMESE.upper() + "abcdefghnt ,.-\n\t\u00a0"
        "¶¸¹µ·»¼½¾¨©ª«¬®§ÃÂÄÆ€™‡º¿¡√∫·ª∆øûïåäëüöñæî\u0301\u0323\u200b"
    ),
    max_size=60,
)
any_text = st.text(max_size=60)

name = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
value = st.text(alphabet="abcXYZ019-._~ %/?&=+đơ", max_size=8)
params = st.lists(st.tuples(name, value), max_size=6)
hosts = st.sampled_from(["a.vn", "Portal.Example.GOV.VN", "sở.vn", "127.0.0.1", "[::1]"])
ports = st.sampled_from(["", ":80", ":443", ":8080"])
paths = st.text(alphabet="abcAB/-_.%~ đ", max_size=20).map(str.rstrip)  # a URL is stripped
schemes = st.sampled_from(["http", "https", "HTTPS"])
trackers = st.lists(
    st.tuples(st.sampled_from([*sorted(TRACKING_PARAMS), "utm_source", "utm_campaign"]), value),
    max_size=4,
)


@st.composite
def urls(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]]]:
    base = f"{draw(schemes)}://{draw(hosts)}{draw(ports)}/{draw(paths)}"
    return base, draw(params)


@given(any_text)
def test_normalize_text_is_idempotent_on_any_text(text: str) -> None:
    """Normalizing already-normalized text changes nothing."""
    once = normalize_text(text)
    assert normalize_text(once) == once


@given(feed_text)
@settings(max_examples=300)
def test_normalize_text_is_idempotent_on_feed_like_text(text: str) -> None:
    """Idempotent even on text full of legacy-encoding and mojibake look-alikes."""
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert clean_text(once)[1] == frozenset()


@given(feed_text)
def test_clean_text_keeping_newlines_is_idempotent(text: str) -> None:
    """The summary form (newlines kept) is idempotent too."""
    once = clean_text(text, keep_newlines=True)[0]
    assert clean_text(once, keep_newlines=True)[0] == once


@given(urls())
def test_canonical_url_is_idempotent(url: tuple[str, list[tuple[str, str]]]) -> None:
    """canonical_url of a canonical URL is itself."""
    base, query = url
    once = canonical_url(f"{base}?{urlencode(query)}" if query else base)
    assert canonical_url(once) == once


@given(st.text(max_size=40))
def test_canonical_url_is_idempotent_on_any_string(text: str) -> None:
    """Even garbage comes back stable and never raises."""
    once = canonical_url(text)
    assert canonical_url(once) == once


@given(urls(), trackers, st.randoms(use_true_random=False))
def test_canonical_url_ignores_trackers_and_param_order(
    url: tuple[str, list[tuple[str, str]]],
    tracking: list[tuple[str, str]],
    rnd: object,
) -> None:
    """Adding tracker parameters or shuffling the query does not change the canonical URL."""
    base, query = url
    plain = canonical_url(f"{base}?{urlencode(query)}" if query else base)
    noisy = query + tracking
    rnd.shuffle(noisy)  # type: ignore[attr-defined]
    assert canonical_url(f"{base}?{urlencode(noisy)}" if noisy else base) == plain


@given(st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " ,.!?“”\"'-", max_size=60))
def test_title_key_same_for_nfc_and_nfd(title: str) -> None:
    """A title and its decomposed (NFD) twin give the same key."""
    assert title_key(unicodedata.normalize("NFD", title)) == title_key(
        unicodedata.normalize("NFC", title)
    )


@given(any_text)
def test_title_key_is_idempotent(title: str) -> None:
    """A key fed back into title_key is unchanged."""
    key = title_key(title)
    assert title_key(key) == key
