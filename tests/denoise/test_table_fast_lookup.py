"""The uniform table's fast read agrees with the read it replaced, on arrays and on tensors."""

import math

import numpy as np
import pytest
import torch

from core.denoise.table import UniformTable


def replaced_read(table: UniformTable, x: np.ndarray) -> np.ndarray:
    """The read of the table before it was made faster (whole-array masks, two gathers)."""
    x = np.asarray(x, dtype=np.float64)
    last = table.values.size - 1
    position = (x - table.low) * (last / (table.high - table.low))
    inside = (position >= 0) & (position <= last)
    index = np.where(inside, position, 0.0).astype(np.intp)
    np.minimum(index, last - 1, out=index)
    out = table.values[index]
    out += (position - index) * (table.values[index + 1] - out)
    if not inside.all():
        out[~inside] = table.function(x[~inside])
    return out


def gat(x: np.ndarray) -> np.ndarray:
    """A generalised Anscombe transform: the kind of map tabulated."""
    return 2.0 * np.sqrt(np.maximum(np.asarray(x, dtype=np.float64) + 3.0 / 8.0 + 4.0, 0.0))


@pytest.fixture(scope="module")
def table() -> UniformTable:
    return UniformTable.of(gat, 12.5, 4095.0)


def dense_grid(table: UniformTable) -> np.ndarray:
    """Every grid point, points between them, the ends exactly, and values beyond them."""
    grid = np.linspace(table.low, table.high, table.values.size)
    between = (grid[:-1] + grid[1:]) / 2
    near_ends = [table.low, table.high, np.nextafter(table.low, np.inf)]
    near_ends += [np.nextafter(table.high, -np.inf)]
    return np.concatenate([grid, between, near_ends])


def test_the_fast_read_equals_the_replaced_one_bit_for_bit_inside_the_table(table):
    x = dense_grid(table)
    fast = table(x)
    assert np.array_equal(fast, replaced_read(table, x))
    # and the independent reference, linear interpolation of the same grid
    grid = np.linspace(table.low, table.high, table.values.size)
    assert np.allclose(fast, np.interp(x, grid, table.values), rtol=1e-13, atol=0)


def test_values_beyond_the_table_and_not_finite_go_to_the_exact_function(table):
    inside = dense_grid(table)[::97]
    outside = np.array([table.low - 1e-9, table.low - 5.0, table.high + 1e-9, table.high * 2])
    x = np.concatenate([inside, outside, [np.nan, np.inf, -np.inf]])
    fast = table(x)
    assert np.array_equal(fast[: inside.size], replaced_read(table, inside))
    assert np.array_equal(fast[inside.size : -3], gat(outside))
    expected = gat(np.array([np.nan, np.inf, -np.inf]))  # whatever the function gives
    assert np.array_equal(fast[-3:], expected, equal_nan=True)
    assert np.array_equal(fast, replaced_read(table, x), equal_nan=True)


def test_shapes_and_a_float32_image_read_as_before(table):
    rng = np.random.default_rng(0)
    image = rng.uniform(0.0, 5000.0, size=(37, 53)).astype(np.float32)  # some beyond the table
    assert table(image).shape == image.shape
    assert np.array_equal(table(image), replaced_read(table, image))
    zero_d = table(np.array(100.0))
    assert np.ndim(zero_d) == 0 and zero_d == replaced_read(table, np.array([100.0]))[0]
    assert table(np.empty((0, 3))).shape == (0, 3)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_a_tensor_is_read_with_torch_to_the_same_bits(table, dtype):
    x = np.concatenate([dense_grid(table), [table.low - 3.0, table.high + 3.0, math.nan]])
    tensor = torch.from_numpy(x).to(dtype)
    out = table(tensor)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float64
    reference = table(tensor.numpy())
    assert np.array_equal(out.numpy(), reference, equal_nan=True)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_a_cuda_tensor_is_read_on_the_gpu_to_the_same_bits(table):
    x = np.concatenate([dense_grid(table), [table.low - 3.0, table.high + 3.0]])
    out = table(torch.from_numpy(x).cuda())
    assert out.device.type == "cuda"
    assert np.array_equal(out.cpu().numpy(), table(x))
