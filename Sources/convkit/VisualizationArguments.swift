// VisualizationArguments: the figure options' enums as command-line values.

import ArgumentParser
import Drawing
import Visualization

extension KernelReduction: ExpressibleByArgument {}
extension FilterFigure.Scaling: ExpressibleByArgument {}
extension FigureFormat: ExpressibleByArgument {}
