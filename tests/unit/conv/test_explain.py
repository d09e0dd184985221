"""The written-out arithmetic of page 1, and its figures and link encoding."""

import base64
import json

import numpy as np
import pytest
import torch

from cnnviz.conv import explain
from cnnviz.conv import ops
from cnnviz.conv import oracle
from cnnviz.figures.conv import grid_figure
from cnnviz.ui.conv.state import decode_matrix, encode_matrix


def decode_array(value) -> np.ndarray:
    """A plotly JSON array: a plain list, or numpy data sent as {"dtype", "bdata", "shape"}."""
    if isinstance(value, dict):
        shape = tuple(int(n) for n in str(value.get("shape", "-1")).split(","))
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])).reshape(shape)
    return np.array(value, dtype=np.float64)


def test_written_sum_is_the_book_example():
    window = torch.tensor([[0.0, 1.0], [3.0, 4.0]])
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    assert explain.written_sum(window, K) == "0×0 + 1×1 + 3×2 + 4×3 = 19"
    assert explain.written_sum(torch.tensor([1.0, 0.5]), torch.tensor([-1.0, 2.0])) == "1×(-1) + 0.5×2 = 0"


def test_pooled_value_and_formula():
    assert explain.pooled_value([0, 1, 3, 4], "max", 4) == "max(0, 1, 3, 4) = 4"
    assert explain.pooled_value([float("-inf"), 5], "max", 2) == "max(pad, 5) = 5"
    assert explain.pooled_value([float("-inf"), 5], "max", 2, pad="填充") == "max(填充, 5) = 5"
    assert explain.pooled_value([0, 1, 3, 4], "avg", 4) == "(0 + 1 + 3 + 4) / 4 = 2"
    assert explain.output_size_formula("rows", 8, 3, 1, 2, 1) == "rows: ⌊(8 + 2·1 − 1·(3 − 1) − 1) / 2⌋ + 1 = 4"
    assert explain.matmul_row([1, 0, -1], [4, 5, 6], 0) == "y0 = 1×4 + 0×5 + (-1)×6 = -2"
    assert explain.fmt(1 / 9) == "0.111" and explain.fmt(-3.0) == "-3"


def test_grid_figure_shows_padding_window_and_values():
    X = torch.arange(9.0).reshape(3, 3)
    Xp = ops.padded(X, (1, 1))
    fig = json.loads(grid_figure(Xp, "input", padding=(1, 1), window=ops.receptive_window(0, 0, 2)).to_json())
    data, pad = fig["data"][0], fig["data"][1]
    z, zpad = decode_array(data["z"]), decode_array(pad["z"])
    assert z[1, 1:4].tolist() == [0, 1, 2] and np.isnan(z[0]).all()  # padding is a gap in the data trace
    assert zpad[0].tolist() == [0] * 5 and np.isnan(zpad[1, 1])
    assert data["text"][2][2] == "4" and pad["text"][0][0] == "0" and pad["text"][1][1] == ""
    window = fig["layout"]["shapes"][0]
    assert (window["x0"], window["x1"], window["y0"], window["y1"]) == (-0.5, 1.5, -0.5, 1.5)


def test_grid_figure_dilated_window_and_click_overlay():
    fig = json.loads(grid_figure(torch.zeros(5, 5), "x", window=ops.receptive_window(0, 0, 2, dilation=2),
                                 clickable=True).to_json())
    assert len(fig["layout"]["shapes"]) == 1 + 4  # the span, then one outline per tap
    assert fig["data"][-1]["type"] == "scatter" and decode_array(fig["data"][-1]["x"]).size == 25
    big = json.loads(grid_figure(torch.zeros(30, 30), "x").to_json())
    assert "text" not in big["data"][0]  # too many cells to print


def test_matrix_link_encoding_round_trips():
    rows = [[0, 1], [2, 3]]
    assert encode_matrix(rows) == "0,1;2,3"
    assert decode_matrix("0,1;2,3") == rows
    third = [[1 / 9, -0.5]]
    assert decode_matrix(encode_matrix(third)) == third
    for bad in ("1,a", "1,2;3", "nan", ";".join(["1"] * 8)):
        with pytest.raises(ValueError):
            decode_matrix(bad)


def test_oracle_reports_zero_difference_and_the_code():
    X, K = torch.arange(9.0).reshape(1, 3, 3), torch.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])
    check = oracle.conv_check(X, K, ops.corr2d_multi_in_out(X, K), (0, 0), (1, 1), (1, 1))
    assert check.max_abs_diff == 0 and check.code.startswith("nn.Conv2d(1, 1, kernel_size=(2, 2)")
    pooled = ops.pool2d(X, (2, 2), "avg")
    assert oracle.pool_check(X, pooled, "avg", (2, 2), (0, 0), (1, 1)).max_abs_diff == 0
    assert oracle.pool_check(X, pooled, "max", (2, 2), (0, 0), (1, 1)).max_abs_diff == 2
