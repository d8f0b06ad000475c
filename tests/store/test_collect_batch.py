"""A collection request's body read as a batch of events (``parcours.store.collect.parse_batch``):
each malformed body is a ``BadBatch`` saying what is wrong, a batch past the limit a
``BatchTooLarge`` saying to split it. The web turns them into 422 and 413 with these messages."""

from __future__ import annotations

import pytest

from parcours.errors import OptionError
from parcours.store.collect import MAX_BATCH, BadBatch, BatchTooLarge, parse_batch


def test_a_batch_gives_its_events_as_sent():
    body = b'{"events": [{"id": 1, "customer": "c", "event": "visit", "time": 1714557600000}, "not an event"]}'
    assert parse_batch(body) == [{"id": 1, "customer": "c", "event": "visit", "time": 1714557600000}, "not an event"]
    assert parse_batch(b'{"events": []}') == []


@pytest.mark.parametrize(("body", "message"), [
    (b"  \n", 'the body is empty: send a JSON object {"events": [...]}'),
    (b'{"events": [}', "the body is not valid JSON: Expecting value at line 1, column 13"),
    (b'{"events": [\xff]}', "the body is not valid JSON: it is not UTF-8 text"),
    (b'{"events": [NaN]}', "the body is not valid JSON: NaN is not valid JSON: send numbers, or null"),
    (b"[" * 100_000 + b"]" * 100_000, "the body is not valid JSON for events: it is nested too deeply"),
    (b'[{"events": []}]', 'the body must be a JSON object {"events": [...]}, with a list of events'),
    (b'{"event": []}', 'the body must be a JSON object {"events": [...]}, with a list of events'),
    (b'{"events": [], "token": "x"}', "unknown key 'token' in the body: it holds only \"events\""),
    (b'{"events": {"id": 1}}', '"events" must be a list of event objects'),
])
def test_a_malformed_body_says_what_is_wrong(body, message):
    with pytest.raises(BadBatch) as caught:
        parse_batch(body)
    assert caught.value.message == message and caught.value.hint is None
    assert isinstance(caught.value, OptionError)


def test_a_batch_past_the_limit_says_to_split_it():
    parse_batch(b'{"events": [' + b",".join([b"{}"] * MAX_BATCH) + b"]}")  # at the limit: taken
    with pytest.raises(BatchTooLarge) as caught:
        parse_batch(b'{"events": [' + b",".join([b"{}"] * (MAX_BATCH + 1)) + b"]}")
    assert caught.value.message == ("this batch has 10,001 events: at most 10,000 are taken at once, "
                                    "send them in several batches")
