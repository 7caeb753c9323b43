// SampleMappingTests: the output mapping's rounding without roundf, one value or eight at a
// time, gives the reference's samples (round half away from zero) for every range, at ties,
// near ties and at the limits.

import ConvkitSupport
import Testing

@testable import Convolution

@Suite struct SampleMappingTests {
    @Test(arguments: [255, 65535])
    func fastRoundingEqualsTheReference(maxValue: Int) {
        let mappings: [SampleMapping<Float>] =
            [OutputRange.clamp, .abs, .offset].map { $0.mapping(for: [], maxValue: maxValue) }
            + [
                OutputRange.normalizing(minimum: -3.7, maximum: 812.25, maxValue: maxValue),
                OutputRange.normalizing(minimum: 1, maximum: 1, maxValue: maxValue),
            ]
        var values: [Float] = [
            0, -0, 0.5, 1.5, 2.5, 254.5, 255, 255.5, 256, 65534.5, 65535, 65536, -0.5, -1.5,
            .infinity, -.infinity, .nan, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
            .leastNonzeroMagnitude, Float(0.5).nextDown, Float(0.5).nextUp,
        ]
        for tie in stride(from: Float(0.5), through: 65535.5, by: 97) {
            values += [tie, tie.nextDown, tie.nextUp, -tie]
        }
        var generator = SeededGenerator(seed: 31)
        for _ in 0..<20000 {
            values.append(Float(generator.nextUnitDouble() * 70000 - 2000))
        }
        while values.count % 8 != 0 { values.append(.nan) }
        for mapping in mappings {
            for value in values {
                #expect(mapping(value) == mapping.reference(value), "\(value)")
            }
            for start in stride(from: 0, to: values.count, by: 8) {
                let lanes = SIMD8<Float>(values[start..<(start + 8)])
                let mapped = mapping(lanes)
                for lane in 0..<8 {
                    #expect(
                        Int(mapped[lane]) == mapping.reference(lanes[lane]), "\(lanes[lane])")
                }
            }
        }
    }
}
