"""Checkpoints: a round trip, and files that must be refused without running anything in them."""

from __future__ import annotations

import io
import pickle

import pytest
import torch

from cnnviz.training import checkpoint
from cnnviz.arch import PRESETS, build, to_json
from cnnviz.training.checkpoint import CheckpointError


def trained_like(name="lenet_maxpool"):
    torch.manual_seed(3)
    return build(PRESETS[name]).eval()


def test_round_trip_keeps_weights_architecture_and_meta(tmp_path):
    model, spec = trained_like(), PRESETS["lenet_maxpool"]
    meta = {"test_accuracy": 0.875, "history": {"train_loss": [0.9, 0.5]}, "dataset": "Fashion-MNIST", "x": None}
    path = tmp_path / "model.pt"
    checkpoint.save(path, model, spec, meta)
    loaded, loaded_spec, loaded_meta = checkpoint.load(path)
    assert loaded_spec == spec
    assert {k: v for k, v in loaded_meta.items() if k != "versions"} == meta
    assert loaded_meta["versions"]["torch"] == torch.__version__
    for (name, a), (_, b) in zip(model.state_dict().items(), loaded.state_dict().items()):
        torch.testing.assert_close(a, b, rtol=0, atol=0, msg=name)
    x = torch.rand(4, 1, 28, 28)
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), model(x), rtol=0, atol=0)
    assert not loaded.training


def test_round_trip_through_bytes_with_batchnorm_buffers():
    model, spec = trained_like("lenet_bn"), PRESETS["lenet_bn"]
    loaded, _, _ = checkpoint.load(io.BytesIO(checkpoint.to_bytes(model, spec)))
    assert set(loaded.state_dict()) == set(model.state_dict())


class MakesAFile:
    """Unpickling this would create `path`: the stand-in for code hidden in a checkpoint."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.mark.parametrize("writer", ["torch.save", "pickle"])
def test_a_file_carrying_code_is_refused_and_the_code_does_not_run(tmp_path, writer):
    marker = tmp_path / "pwned"
    payload = {"format": "cnnviz-checkpoint", "version": 1, "meta": MakesAFile(marker)}
    path = tmp_path / "evil.pt"
    if writer == "torch.save":
        torch.save(payload, path)
    else:
        path.write_bytes(pickle.dumps(payload, protocol=2))
    assert not marker.exists()
    with pytest.raises(CheckpointError, match=f"{CARRIES_CODE}.*refused and nothing in it was run") as refused:
        checkpoint.load(path)
    assert "io.open" in str(refused.value)
    assert not marker.exists()


def test_a_truncated_file_is_refused(tmp_path):
    data = checkpoint.to_bytes(trained_like(), PRESETS["lenet_maxpool"])
    path = tmp_path / "cut.pt"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated or is not a PyTorch checkpoint"):
        checkpoint.load(path)


CARRIES_CODE = "carries Python code"
DAMAGED = "truncated or is not a PyTorch checkpoint"


def random_bytes(seed: int, size: int = 2000) -> bytes:
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (size,), generator=generator, dtype=torch.uint8).numpy().tobytes()


@pytest.mark.parametrize("data", [b"this is not a checkpoint", b"", b"PK\x03\x04broken zip", bytes(range(256)),
                                  *[random_bytes(seed) for seed in range(6)]])
def test_arbitrary_bytes_are_called_damaged_not_code(tmp_path, data):
    path = tmp_path / "junk.pt"
    path.write_bytes(data)
    # Random bytes often parse as the start of a pickle, which torch's weights-only loader refuses with the
    # same exception type as a file carrying code: the message must still say what the file really is.
    with pytest.raises(CheckpointError, match=DAMAGED) as refused:
        checkpoint.load(path)
    assert CARRIES_CODE not in str(refused.value)


@pytest.mark.parametrize("protocol", [2, 4])
def test_a_plain_pickle_carrying_code_names_what_it_imports(tmp_path, protocol):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"meta": MakesAFile(marker)}, protocol=protocol))  # 4: STACK_GLOBAL
    with pytest.raises(CheckpointError, match=CARRIES_CODE) as refused:
        checkpoint.load(path)
    assert "io.open" in str(refused.value) and DAMAGED not in str(refused.value)
    assert not marker.exists()


def test_a_cnnviz_checkpoint_cut_short_is_called_truncated():
    data = checkpoint.to_bytes(trained_like(), PRESETS["lenet_maxpool"])
    for size in (10, 5000, len(data) - 30):
        with pytest.raises(CheckpointError, match=DAMAGED) as refused:
            checkpoint.load(io.BytesIO(data[:size]))
        assert CARRIES_CODE not in str(refused.value)


def test_weights_that_do_not_fit_the_architecture_are_refused():
    state = trained_like("lenet_maxpool").state_dict()  # fc1 is 256 -> 120
    payload = {"format": "cnnviz-checkpoint", "version": 1, "architecture": to_json(PRESETS["lenet"]),
               "state_dict": state, "meta": {}}  # lenet's fc1 is 400 -> 120
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    buffer.seek(0)
    with pytest.raises(CheckpointError, match="do not fit the architecture 'lenet'.*fc1.weight"):
        checkpoint.load(buffer)


def test_missing_weights_are_named():
    state = trained_like().state_dict()
    del state["conv1.bias"]
    buffer = io.BytesIO()
    torch.save({"format": "cnnviz-checkpoint", "version": 1, "architecture": to_json(PRESETS["lenet_maxpool"]),
                "state_dict": state, "meta": {}}, buffer)
    buffer.seek(0)
    with pytest.raises(CheckpointError, match="missing conv1.bias"):
        checkpoint.load(buffer)


def test_other_torch_files_and_bad_metadata_are_refused(tmp_path):
    path = tmp_path / "plain.pt"
    torch.save({"weights": torch.zeros(3)}, path)
    with pytest.raises(CheckpointError, match="not a cnnviz checkpoint"):
        checkpoint.load(path)
    with pytest.raises(CheckpointError, match=r"meta\['when'\] is a object"):
        checkpoint.save(tmp_path / "x.pt", trained_like(), PRESETS["lenet_maxpool"], {"when": object()})
