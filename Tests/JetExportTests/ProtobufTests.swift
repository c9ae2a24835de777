import JetExport
import Testing

/// The wire format against the protocol buffers encoding guide's worked examples, and the ONNX messages against
/// bytes the `onnx` Python package writes (Tests/onnx/make_protobuf_fixtures.py prints them).
@Suite struct ProtobufTests {
    private static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func varintsKeysAndFieldsAreTheEncodingGuidesBytes() {
        var writer = ProtobufWriter()
        writer.writeVarint(300)
        #expect(Self.hex(writer.bytes) == "ac02")
        // "a message with field 1 = 150" and "field 2 = testing" of the encoding guide
        writer = ProtobufWriter()
        writer.write(1, int64: 150)
        writer.write(2, string: "testing")
        #expect(Self.hex(writer.bytes) == "089601" + "120774657374696e67")
        writer = ProtobufWriter()
        writer.write(3, int64: -1)
        writer.write(2, float: 1)
        #expect(Self.hex(writer.bytes) == "18ffffffffffffffffff01" + "150000803f")
    }

    @Test func readerReturnsEveryFieldItWasGiven() throws {
        var writer = ProtobufWriter()
        writer.write(1, int64: -7)
        writer.write(2, float: -2.5)
        writer.write(15, string: "jet")
        writer.write(16, int64: Int64.max)
        var reader = ProtobufReader(writer.bytes[...])
        var fields: [Int] = []
        while let (field, value) = try reader.next() {
            fields.append(field)
            switch field {
            case 1: #expect(try value.int64(at: 0) == -7)
            case 2: #expect(try value.float(at: 0) == -2.5)
            case 15: #expect(try value.string(at: 0) == "jet")
            case 16: #expect(try value.int64(at: 0) == Int64.max)
            default: Issue.record("unexpected field \(field)")
            }
        }
        #expect(fields == [1, 2, 15, 16])
    }

    @Test func truncatedAndMalformedBytesAreErrorsNotCrashes() {
        var writer = ProtobufWriter()
        writer.write(4, string: "pf_features")
        let bytes = writer.bytes
        for cut in 1..<bytes.count {
            #expect(throws: ProtobufError.self, "cut at \(cut)") {
                var reader = ProtobufReader(bytes[..<cut])
                while try reader.next() != nil {}
            }
        }
        #expect(throws: ProtobufError.self) {  // wire type 7 does not exist
            var reader = ProtobufReader([0x0F, 0x00][...])
            _ = try reader.next()
        }
        #expect(throws: ProtobufError.self) {  // a varint of eleven bytes
            var reader = ProtobufReader(([UInt8](repeating: 0xFF, count: 11) + [0x01])[...])
            _ = try reader.readVarint()
        }
        #expect(throws: ProtobufError.self) { _ = try ONNXModel(serialized: Array("not a model".utf8)) }
    }

    /// A small model with every message and attribute type JetTag writes.
    static let model = ONNXModel(
        irVersion: 7, opsetImports: [ONNXOperatorSet(version: 13)], producerName: "jettag", producerVersion: "0.1.0",
        docString: "test",
        graph: ONNXGraph(
            name: "g",
            nodes: [
                ONNXNode(
                    "Gemm", inputs: ["x", "w", "b"], outputs: ["y"], name: "gemm",
                    attributes: [  // sorted by name, as onnx.helper.make_node adds them
                        ONNXAttribute("alpha", .float(0.5)), ONNXAttribute("mode", .string("constant")),
                        ONNXAttribute("pads", .ints([0, -1, 2])), ONNXAttribute("scales", .floats([1.5, -2])),
                        ONNXAttribute("transB", .int(1)),
                    ]),
                ONNXNode("Relu", inputs: ["y"], outputs: ["z"], name: "relu"),
            ],
            initializers: [
                ONNXTensor(name: "w", floats: [1, -2, 3.25, 4, 5, 6], shape: [2, 3]),
                ONNXTensor(name: "b", floats: [0.5, -0.5], shape: [2]),
                ONNXTensor(name: "axes", int64s: [1, -1], shape: [2]),
            ],
            inputs: [ONNXValueInfo(name: "x", elementType: .float, shape: [.parameter("N"), .value(3)])],
            outputs: [ONNXValueInfo(name: "z", elementType: .float, shape: [.parameter("N"), .value(2)])]),
        metadata: [ONNXMetadataEntry(key: "tagger", value: "pfn"), ONNXMetadataEntry(key: "json", value: "{\"a\": [1]}")])

    @Test func modelRoundTripsThroughWriterAndReader() throws {
        let decoded = try ONNXModel(serialized: Self.model.serialized())
        #expect(decoded == Self.model)
    }

    @Test func valueInfoAndTensorAreTheBytesOnnxWrites() throws {
        // onnx.helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3]).SerializeToString()
        let valueInfo = ONNXValueInfo(name: "x", elementType: .float, shape: [.parameter("N"), .value(3)])
        #expect(Self.hex(valueInfo.serialized()) == ProtobufFixtures.valueInfo)
        // onnx.numpy_helper.from_array(np.array([[1, -2, 3.25], [4, 5, 6]], np.float32), "w") (raw_data)
        let tensor = ONNXTensor(name: "w", floats: [1, -2, 3.25, 4, 5, 6], shape: [2, 3])
        #expect(Self.hex(tensor.serialized()) == ProtobufFixtures.tensor)
        // onnx.helper.make_attribute("pads", [0, -1, 2]) and make_attribute("alpha", 0.5)
        #expect(Self.hex(ONNXAttribute("pads", .ints([0, -1, 2])).serialized()) == ProtobufFixtures.intsAttribute)
        #expect(Self.hex(ONNXAttribute("alpha", .float(0.5)).serialized()) == ProtobufFixtures.floatAttribute)
        // the whole of `model` as onnx.helper builds it: the same bytes, and they decode to it
        #expect(Self.hex(Self.model.serialized()) == ProtobufFixtures.model)
        #expect(try ONNXModel(serialized: ProtobufFixtures.bytes(ProtobufFixtures.model)) == Self.model)
    }
}
