"""cvnn.vis_utils: grid layout and per-tile rescaling, and the weight figures."""
import numpy as np
import pytest

from cvnn.vis_utils import show_linear_templates, show_net_weights, vis_grid, vis_nn, visualize_grid


def test_visualize_grid_layout_and_rescaling(rng):
    Xs = rng.standard_normal((5, 4, 3, 2)) * 7 + 3
    g = visualize_grid(Xs, ubound=255.0, padding=1)
    # ceil(sqrt(5)) = 3 tiles per side
    assert g.shape == (3 * 4 + 2, 3 * 3 + 2, 2)
    for n in range(5):
        r, c = divmod(n, 3)
        tile = g[r * 5:r * 5 + 4, c * 4:c * 4 + 3]
        x = Xs[n]
        np.testing.assert_allclose(tile, 255 * (x - x.min()) / (x.max() - x.min()), rtol=1e-12)
        assert tile.min() == 0 and tile.max() == pytest.approx(255)
    assert np.all(g[4] == 0) and np.all(g[:, 3] == 0)         # padding
    assert np.all(g[10:, 8:] == 0)                              # unused tiles
    g2 = visualize_grid(Xs, ubound=1.0, padding=0)
    assert g2.shape == (12, 9, 2) and g2.max() == pytest.approx(1.0)


def test_visualize_grid_constant_tile_and_bad_shape():
    g = visualize_grid(np.ones((1, 2, 2, 3)))
    assert g.shape == (2, 2, 3) and np.all(g == 0)
    with pytest.raises(ValueError, match="visualize_grid"):
        visualize_grid(np.zeros((2, 3, 3)))


def test_vis_grid_and_vis_nn(rng):
    Xs = rng.random((3, 2, 2, 1))
    G = vis_grid(Xs)
    assert G.shape == (2 * 2 + 3, 2 * 2 + 3, 1)
    assert G.min() == 0.0 and G.max() == 1.0
    rows = [[rng.random((2, 3, 3)) for _ in range(4)] for _ in range(2)]
    G = vis_nn(rows)
    assert G.shape == (2 * 2 + 3, 4 * 3 + 5, 3)
    lo, hi = min(x.min() for r in rows for x in r), 1.0
    np.testing.assert_allclose(G[1:3, 1:4], (rows[0][0] - min(lo, 1.0)) / (hi - min(lo, 1.0)))


def test_weight_figures(rng):
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    class Net:
        params = {"W1": rng.standard_normal((3072, 10))}

    fig = show_net_weights(Net())
    assert fig.axes and fig.axes[0].images
    fig2 = show_linear_templates(rng.standard_normal((3073, 10)))
    assert len(fig2.axes) == 10 and fig2.axes[0].get_title() == "plane"
    with pytest.raises(ValueError, match="3072 or 3073"):
        show_linear_templates(np.zeros((10, 10)))
    plt.close("all")
