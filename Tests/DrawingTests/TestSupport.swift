// TestSupport: the Drawing tests' fixtures (colour-map tables from matplotlib).

import ConvkitTestSupport

/// The fixtures made by scripts/colormap-fixtures.py.
let fixtures = FixtureFolder(bundle: .module)
