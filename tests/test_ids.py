"""New stream ids are time-ordered UUIDv7s, plain `UUID`s that sort in the order they were made."""

from uuid import UUID

from events.ids import new_stream_id


def test_new_stream_ids_are_version_7_and_sort_in_the_order_they_were_made() -> None:
    ids = [new_stream_id() for _ in range(1000)]
    assert {type(stream_id) for stream_id in ids} == {UUID}
    assert {stream_id.version for stream_id in ids} == {7}
    assert ids == sorted(ids)
    assert [str(stream_id) for stream_id in ids] == sorted(str(stream_id) for stream_id in ids)
    assert len(set(ids)) == len(ids)
