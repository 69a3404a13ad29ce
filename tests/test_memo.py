"""``Memo``: built once per key, the least recently used dropped past its size, all dropped by forget."""

from devolution.memo import Memo


def test_a_value_is_built_once_until_forgotten_and_the_least_recently_used_goes_first():
    built = []
    memo = Memo(max_values=2)

    def build(key):
        built.append(key)
        return [key]

    first = memo.get("a", lambda: build("a"))
    assert memo.get("a", lambda: build("a")) is first and built == ["a"]
    memo.get("b", lambda: build("b"))
    memo.get("a", lambda: build("a"))             # "a" used again: "b" is now the least recent
    memo.get("c", lambda: build("c"))             # past two values: "b" is dropped
    memo.get("a", lambda: build("a"))
    memo.get("b", lambda: build("b"))
    assert built == ["a", "b", "c", "b"]
    memo.forget()
    assert memo.get("a", lambda: build("a")) is not first and built[-1] == "a"


def test_a_value_built_while_forget_ran_is_returned_but_not_kept():
    memo = Memo()

    def build():
        memo.forget()                             # e.g. the store loaded data meanwhile
        return "old"

    assert memo.get("k", build) == "old"
    assert memo.get("k", lambda: "new") == "new"
