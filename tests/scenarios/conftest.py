import pytest


@pytest.fixture(scope="module")
def inputs_2024(loaded_store_path):
    from devolution.scenarios.inputs import load_inputs
    from devolution.store import Store

    with Store(loaded_store_path, read_only=True) as store:
        return load_inputs(store, 2024)
