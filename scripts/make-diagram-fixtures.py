#!/usr/bin/env python3
"""make-diagram-fixtures.py: which input cells each output cell of a convolution-arithmetic
diagram reads, according to PyTorch, for convkit's diagram tests.

Writes Tests/DiagramsTests/Fixtures/reads.json: for each case (input, kernel, stride, dilation,
padding top,bottom,left,right, and for transposed ones the output padding), PyTorch's output size
and, for every output cell in row order, the input cells it reads as [row, column, tap row, tap
column] (tap: the index into PyTorch's weight), found by convolving one-hot inputs with one-hot
kernels. Sizes are (rows, columns).

- Direct convolutions: torch.nn.functional.conv2d on the input padded by F.pad (any padding,
  asymmetric too).
- Transposed convolutions: F.conv_transpose2d with padding 0, then the rows and columns PyTorch's
  padding removes cut off each side, after adding output-padding zeros after the last row and
  column (PyTorch takes one padding for both sides; cutting gives the asymmetric cases the same
  meaning). For symmetric
  padding the result is checked against F.conv_transpose2d(padding=, output_padding=).
- Pooling: F.avg_pool2d(count_include_pad=True) on one-hot inputs; `divisor` is 1 over the value
  a one-hot input gives (the window's cell count, padding included). Max pooling reads the same
  cells.
- Cases PyTorch refuses (no output cell) are listed with "error": true.
- Max-pooling numbers ("max_pool_values"): seeded whole numbers from -3 to 3 (torch.randint),
  F.pad with -inf, as F.max_pool2d pads, then F.max_pool2d; checked against
  F.max_pool2d(padding=) where PyTorch takes the padding. Each case has a window that padding
  with 0 would win. An all-padding window (padding beyond half the window, which
  F.max_pool2d refuses) gives -inf, written "-inf".

Run with the peers' venv (scripts/setup-peers.sh):
    /opt/convkit-peers/bin/python scripts/make-diagram-fixtures.py
"""
import json
import pathlib

import torch
import torch.nn.functional as F

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/DiagramsTests/Fixtures/reads.json"


def one_hots(rows, columns):
    """(rows*columns, 1, rows, columns): sample n is 1 at cell n."""
    return torch.eye(rows * columns, dtype=torch.float64).reshape(rows * columns, 1, rows, columns)


def reads_from(result, input_columns, kernel_columns):
    """result: (input cells, taps, out rows, out columns) -> for each output cell in row order,
    the sorted [input row, input column, tap row, tap column] that reach it."""
    out_columns = result.shape[3]
    cells = [[] for _ in range(result.shape[2] * out_columns)]
    for index, tap, r, c in torch.nonzero(result.abs() > 1e-9).tolist():
        cells[r * out_columns + c].append([
            index // input_columns, index % input_columns,
            tap // kernel_columns, tap % kernel_columns])
    return [sorted(cell) for cell in cells]


def direct(input, kernel, stride, dilation, padding):
    top, bottom, left, right = padding
    x = F.pad(one_hots(*input), (left, right, top, bottom))
    w = one_hots(*kernel)
    return F.conv2d(x, w, stride=stride, dilation=dilation)


def transposed(input, kernel, stride, dilation, padding, output_padding):
    top, bottom, left, right = padding
    x = one_hots(*input)
    w = one_hots(*kernel).transpose(0, 1)  # (in channels 1, out channels taps, kh, kw)
    full = F.conv_transpose2d(x, w, stride=stride, dilation=dilation)
    # Output padding gives back cells after the input that the padding took away, or zeros.
    full = F.pad(full, (0, output_padding[1], 0, output_padding[0]))
    rows, columns = full.shape[2], full.shape[3]
    result = full[:, :, top:rows - bottom, left:columns - right]
    if result.shape[2] <= 0 or result.shape[3] <= 0:
        raise RuntimeError("no output")
    if top == bottom and left == right:
        reference = F.conv_transpose2d(
            x, w, stride=stride, dilation=dilation, padding=(top, left),
            output_padding=tuple(output_padding))
        assert torch.equal(reference, result), "cutting differs from PyTorch's padding"
    return result


def pooled(input, kernel, stride, padding):
    top, bottom, left, right = padding
    x = F.pad(one_hots(*input), (left, right, top, bottom))
    return F.avg_pool2d(x, kernel, stride=stride, count_include_pad=True)


def case(name, input, kernel, stride=(1, 1), dilation=(1, 1), padding=(0, 0, 0, 0),
         transposed_conv=False, output_padding=(0, 0), pooling=None):
    entry = {
        "name": name, "input": list(input), "kernel": list(kernel), "stride": list(stride),
        "dilation": list(dilation), "padding": list(padding), "transposed": transposed_conv,
        "output_padding": list(output_padding), "pooling": pooling,
    }
    try:
        if pooling:
            # One "tap" for the whole window: max and average pooling read the same cells.
            result = pooled(input, kernel, stride, padding)
            entry["divisor"] = round(1 / result[result > 0].min().item())
            reads = reads_from(result, input[1], 1)
        elif transposed_conv:
            result = transposed(input, kernel, stride, dilation, padding, output_padding)
            reads = reads_from(result, input[1], kernel[1])
        else:
            result = direct(input, kernel, stride, dilation, padding)
            reads = reads_from(result, input[1], kernel[1])
        entry["output"] = [result.shape[2], result.shape[3]]
        entry["reads"] = reads
        if entry["output"][0] < 1 or entry["output"][1] < 1:
            raise RuntimeError("no output")
    except RuntimeError:
        entry["error"] = True
        entry.pop("reads", None)
        entry.pop("output", None)
        entry.pop("divisor", None)
    return entry


CASES = [
    case("plain", (4, 4), (3, 3)),
    case("non_square", (4, 6), (2, 3), stride=(1, 2)),
    case("kernel_1", (3, 2), (1, 1)),
    case("input_1", (1, 1), (1, 1)),
    case("input_1_padded", (1, 1), (3, 3), padding=(1, 1, 1, 1)),
    case("stride_larger_than_kernel", (7, 8), (2, 2), stride=(3, 4)),
    case("asymmetric_padding", (5, 4), (3, 2), padding=(0, 2, 1, 3), stride=(2, 1)),
    case("dilation_stride_padding", (7, 6), (3, 2), stride=(2, 1), dilation=(2, 3),
         padding=(1, 2, 0, 1)),
    case("same_even", (5, 5), (4, 2), padding=(1, 2, 0, 1)),
    case("full", (3, 4), (3, 2), padding=(2, 2, 1, 1)),
    case("kernel_too_large", (3, 3), (5, 5)),
    case("transposed_plain", (2, 2), (3, 3), transposed_conv=True),
    case("transposed_strides", (3, 2), (3, 3), stride=(2, 3), transposed_conv=True),
    case("transposed_padding_strides_output_padding", (3, 3), (3, 3), stride=(2, 2),
         padding=(1, 1, 1, 1), transposed_conv=True, output_padding=(1, 1)),
    case("transposed_dilation", (3, 4), (2, 3), stride=(2, 1), dilation=(2, 2),
         padding=(1, 1, 2, 2), transposed_conv=True, output_padding=(1, 0)),
    case("transposed_asymmetric", (3, 3), (3, 4), stride=(2, 2), padding=(0, 2, 1, 3),
         transposed_conv=True, output_padding=(1, 1)),
    case("transposed_non_square", (2, 5), (4, 2), stride=(3, 1), padding=(2, 2, 0, 0),
         transposed_conv=True, output_padding=(2, 0)),
    case("transposed_kernel_1", (3, 3), (1, 1), stride=(2, 2), transposed_conv=True,
         output_padding=(1, 1)),
    case("max_pool", (5, 4), (2, 2), stride=(2, 2), pooling="max"),
    case("avg_pool_padded", (5, 5), (3, 3), stride=(2, 2), padding=(1, 1, 1, 1), pooling="avg"),
    case("avg_pool_non_square", (4, 6), (2, 3), stride=(1, 3), pooling="avg"),
]


def max_pool_values(name, input, kernel, stride, padding, seed):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randint(-3, 4, (1, 1, *input), generator=generator).to(torch.float64)
    top, bottom, left, right = padding
    pads = (left, right, top, bottom)
    result = F.max_pool2d(F.pad(x, pads, value=float("-inf")), kernel, stride=stride)
    if top == bottom and left == right and top <= kernel[0] // 2 and left <= kernel[1] // 2:
        reference = F.max_pool2d(x, kernel, stride=stride, padding=(top, left))
        assert torch.equal(reference, result), "F.pad(-inf) differs from max_pool2d's padding"
    zero_padded = F.max_pool2d(F.pad(x, pads), kernel, stride=stride)
    assert not torch.equal(zero_padded, result), f"{name}: padding with 0 would not show"
    return {
        "name": name, "input": list(input), "kernel": list(kernel), "stride": list(stride),
        "padding": list(padding), "values": x.flatten().tolist(),
        "output": [result.shape[2], result.shape[3]],
        "outputs": [v if v != float("-inf") else "-inf" for v in result.flatten().tolist()],
    }


MAX_POOL_VALUES = [
    max_pool_values("max_pool_padded", (5, 5), (3, 3), (2, 2), (1, 1, 1, 1), seed=14),
    max_pool_values("max_pool_asymmetric", (4, 3), (2, 3), (1, 2), (0, 1, 2, 1), seed=3),
    max_pool_values("max_pool_all_padding_window", (2, 3), (2, 2), (1, 1), (0, 2, 1, 0), seed=7),
]


def main():
    OUT.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "generator": "scripts/make-diagram-fixtures.py",
        "torch": torch.__version__,
        "cases": CASES,
        "max_pool_values": MAX_POOL_VALUES,
    }
    OUT.write_text(json.dumps(document, separators=(",", ":")) + "\n")
    print(f"{OUT}: {len(CASES)} cases, {len(MAX_POOL_VALUES)} max-pooling value cases")


if __name__ == "__main__":
    main()
