// The ONNX messages JetTag writes and reads, with the field numbers of the ONNX spec (`onnx/onnx.proto`, IR
// version 7): ModelProto, OperatorSetIdProto, StringStringEntryProto, GraphProto, NodeProto, AttributeProto,
// TensorProto, ValueInfoProto, TypeProto(.Tensor) and TensorShapeProto(.Dimension). Fields JetTag never uses
// are skipped when reading.

/// TensorProto.DataType values JetTag uses.
public enum ONNXDataType: Int64, Sendable, Equatable, CustomStringConvertible {
    case float = 1, int32 = 6, int64 = 7, bool = 9, double = 11

    public var description: String {
        switch self {
        case .float: "float32"
        case .int32: "int32"
        case .int64: "int64"
        case .bool: "bool"
        case .double: "float64"
        }
    }
}

/// ModelProto: the file.
public struct ONNXModel: ProtobufMessage, Equatable {
    public var irVersion: Int64
    /// OperatorSetIdProto entries: (domain, version); "" is the default ONNX domain.
    public var opsetImports: [ONNXOperatorSet]
    public var producerName: String
    public var producerVersion: String
    public var docString: String
    public var graph: ONNXGraph
    /// StringStringEntryProto entries, in order.
    public var metadata: [ONNXMetadataEntry]

    public init(
        irVersion: Int64, opsetImports: [ONNXOperatorSet], producerName: String, producerVersion: String,
        docString: String = "", graph: ONNXGraph, metadata: [ONNXMetadataEntry]
    ) {
        (self.irVersion, self.opsetImports, self.producerName, self.producerVersion, self.docString) =
            (irVersion, opsetImports, producerName, producerVersion, docString)
        (self.graph, self.metadata) = (graph, metadata)
    }

    public func encode(to writer: inout ProtobufWriter) {
        writer.write(1, int64: irVersion)
        writer.write(2, string: producerName)
        writer.write(3, string: producerVersion)
        if !docString.isEmpty { writer.write(6, string: docString) }
        writer.write(7, message: graph)
        for opset in opsetImports { writer.write(8, message: opset) }
        for entry in metadata { writer.write(14, message: entry) }
    }

    public init(from reader: inout ProtobufReader) throws(ProtobufError) {
        self.init(irVersion: 0, opsetImports: [], producerName: "", producerVersion: "", graph: ONNXGraph(), metadata: [])
        var sawGraph = false
        while let (field, value) = try reader.next() {
            let at = reader.fieldOffset
            switch field {
            case 1: irVersion = try value.int64(at: at)
            case 2: producerName = try value.string(at: at)
            case 3: producerVersion = try value.string(at: at)
            case 6: docString = try value.string(at: at)
            case 7:
                graph = try value.message(ONNXGraph.self, at: at)
                sawGraph = true
            case 8: opsetImports.append(try value.message(ONNXOperatorSet.self, at: at))
            case 14: metadata.append(try value.message(ONNXMetadataEntry.self, at: at))
            default: break
            }
        }
        guard irVersion > 0, sawGraph else {
            throw ProtobufError(offset: 0, reason: "no ir_version or no graph: not an ONNX model")
        }
    }
}

/// OperatorSetIdProto.
public struct ONNXOperatorSet: ProtobufMessage, Equatable {
    public var domain: String
    public var version: Int64

    public init(domain: String = "", version: Int64) { (self.domain, self.version) = (domain, version) }

    public func encode(to writer: inout ProtobufWriter) {
        writer.write(1, string: domain)
        writer.write(2, int64: version)
    }

    public init(from reader: inout ProtobufReader) throws(ProtobufError) {
        self.init(version: 0)
        while let (field, value) = try reader.next() {
            switch field {
            case 1: domain = try value.string(at: reader.fieldOffset)
            case 2: version = try value.int64(at: reader.fieldOffset)
            default: break
            }
        }
    }
}

/// StringStringEntryProto (metadata_props).
public struct ONNXMetadataEntry: ProtobufMessage, Equatable {
    public var key: String
    public var value: String

    public init(key: String, value: String) { (self.key, self.value) = (key, value) }

    public func encode(to writer: inout ProtobufWriter) {
        writer.write(1, string: key)
        writer.write(2, string: value)
    }

    public init(from reader: inout ProtobufReader) throws(ProtobufError) {
        self.init(key: "", value: "")
        while let (field, fieldValue) = try reader.next() {
            switch field {
            case 1: key = try fieldValue.string(at: reader.fieldOffset)
            case 2: value = try fieldValue.string(at: reader.fieldOffset)
            default: break
            }
        }
    }
}

/// GraphProto.
public struct ONNXGraph: ProtobufMessage, Equatable {
    public var name: String
    public var nodes: [ONNXNode]
    public var initializers: [ONNXTensor]
    public var inputs: [ONNXValueInfo]
    public var outputs: [ONNXValueInfo]

    public init(
        name: String = "", nodes: [ONNXNode] = [], initializers: [ONNXTensor] = [], inputs: [ONNXValueInfo] = [],
        outputs: [ONNXValueInfo] = []
    ) {
        (self.name, self.nodes, self.initializers, self.inputs, self.outputs) = (name, nodes, initializers, inputs, outputs)
    }

    public func encode(to writer: inout ProtobufWriter) {
        for node in nodes { writer.write(1, message: node) }
        writer.write(2, string: name)
        for tensor in initializers { writer.write(5, message: tensor) }
        for input in inputs { writer.write(11, message: input) }
        for output in outputs { writer.write(12, message: output) }
    }

    public init(from reader: inout ProtobufReader) throws(ProtobufError) {
        self.init()
        while let (field, value) = try reader.next() {
            let at = reader.fieldOffset
            switch field {
            case 1: nodes.append(try value.message(ONNXNode.self, at: at))
            case 2: name = try value.string(at: at)
            case 5: initializers.append(try value.message(ONNXTensor.self, at: at))
            case 11: inputs.append(try value.message(ONNXValueInfo.self, at: at))
            case 12: outputs.append(try value.message(ONNXValueInfo.self, at: at))
            default: break
            }
        }
    }
}

/// NodeProto: one operator of the default domain.
public struct ONNXNode: ProtobufMessage, Equatable {
    public var opType: String
    public var inputs: [String]
    public var outputs: [String]
    public var name: String
    public var attributes: [ONNXAttribute]

    public init(_ opType: String, inputs: [String], outputs: [String], name: String, attributes: [ONNXAttribute] = []) {
        (self.opType, self.inputs, self.outputs, self.name, self.attributes) = (opType, inputs, outputs, name, attributes)
    }

    public func encode(to writer: inout ProtobufWriter) {
        for input in inputs { writer.write(1, string: input) }
        for output in outputs { writer.write(2, string: output) }
        writer.write(3, string: name)
        writer.write(4, string: opType)
        for attribute in attributes { writer.write(5, message: attribute) }
    }

    public init(from reader: inout ProtobufReader) throws(ProtobufError) {
        self.init("", inputs: [], outputs: [], name: "")
        while let (field, value) = try reader.next() {
            let at = reader.fieldOffset
            switch field {
            case 1: inputs.append(try value.string(at: at))
            case 2: outputs.append(try value.string(at: at))
            case 3: name = try value.string(at: at)
            case 4: opType = try value.string(at: at)
            case 5: attributes.append(try value.message(ONNXAttribute.self, at: at))
            default: break
            }
        }
    }
}

/// AttributeProto, for the attribute types JetTag's graphs use.
public struct ONNXAttribute: ProtobufMessage, Equatable {
    public enum Value: Equatable, Sendable {
        case float(Float)
        case int(Int64)
        case string(String)
        case floats([Float])
        case ints([Int64])

        /// AttributeProto.AttributeType.
        var type: Int64 {
            switch self {
            case .float: 1
            case .int: 2
            case .string: 3
            case .floats: 6
            case .ints: 7
            }
        }
    }

    public var name: String
    public var value: Value

    public init(_ name: String, _ value: Value) { (self.name, self.value) = (name, value) }

    public func encode(to writer: inout ProtobufWriter) {
        writer.write(1, string: name)
        switch value {
        case .float(let f): writer.write(2, float: f)
        case .int(let i): writer.write(3, int64: i)
        case .string(let s): writer.write(4, string: s)
        case .floats(let values): for f in values { writer.write(7, float: f) }
        case .ints(let values): for i in values { writer.write(8, int64: i) }
        }
        writer.write(20, int64: value.type)
    }

    public init(from reader: inout ProtobufReader) throws(ProtobufError) {
        var name = "", type: Int64 = 0
        var float: Float = 0, int: Int64 = 0, string = "", floats: [Float] = [], ints: [Int64] = []
        while let (field, value) = try reader.next() {
            let at = reader.fieldOffset
            switch field {
            case 1: name = try value.string(at: at)
            case 2: float = try value.float(at: at)
            case 3: int = try value.int64(at: at)
            case 4: string = try value.string(at: at)
            case 7: floats += try value.floats(at: at)
            case 8: ints += try value.int64s(at: at)
            case 20: type = try value.int64(at: at)
            default: break
            }
        }
        self.name = name
        switch type {
        case 1: value = .float(float)
        case 2: value = .int(int)
        case 3: value = .string(string)
        case 6: value = .floats(floats)
        case 7: value = .ints(ints)
        default: throw ProtobufError(offset: reader.fieldOffset, reason: "attribute '\(name)' has type \(type), which JetTag does not read")
        }
    }
}

/// TensorProto with its values as raw little-endian bytes (`raw_data`).
public struct ONNXTensor: ProtobufMessage, Equatable {
    public var name: String
    public var dataType: ONNXDataType
    public var dims: [Int64]
    public var rawData: [UInt8]

    public init(name: String, dataType: ONNXDataType, dims: [Int64], rawData: [UInt8]) {
        (self.name, self.dataType, self.dims, self.rawData) = (name, dataType, dims, rawData)
    }

    /// A float32 tensor of `shape` (row-major values).
    public init(name: String, floats: [Float], shape: [Int]) {
        precondition(shape.reduce(1, *) == floats.count, "ONNXTensor '\(name)': \(floats.count) values for shape \(shape)")
        var raw: [UInt8] = []
        raw.reserveCapacity(4 * floats.count)
        for value in floats {
            let bits = value.bitPattern
            for shift in stride(from: 0, to: 32, by: 8) { raw.append(UInt8(truncatingIfNeeded: bits >> UInt32(shift))) }
        }
        self.init(name: name, dataType: .float, dims: shape.map(Int64.init), rawData: raw)
    }

    /// An int64 tensor of `shape`.
    public init(name: String, int64s: [Int64], shape: [Int]) {
        precondition(shape.reduce(1, *) == int64s.count, "ONNXTensor '\(name)': \(int64s.count) values for shape \(shape)")
        var raw: [UInt8] = []
        for value in int64s {
            let bits = UInt64(bitPattern: value)
            for shift in stride(from: 0, to: 64, by: 8) { raw.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        }
        self.init(name: name, dataType: .int64, dims: shape.map(Int64.init), rawData: raw)
    }

    /// The number of elements.
    public var count: Int { dims.reduce(1) { $0 * Int($1) } }

    public func encode(to writer: inout ProtobufWriter) {
        for dim in dims { writer.write(1, int64: dim) }
        writer.write(2, int64: dataType.rawValue)
        writer.write(8, string: name)
        writer.write(9, bytes: rawData)
    }

    public init(from reader: inout ProtobufReader) throws(ProtobufError) {
        var name = "", type: Int64 = 0, dims: [Int64] = [], raw: [UInt8] = []
        while let (field, value) = try reader.next() {
            let at = reader.fieldOffset
            switch field {
            case 1: dims += try value.int64s(at: at)
            case 2: type = try value.int64(at: at)
            case 8: name = try value.string(at: at)
            case 9: raw = Array(try value.bytes(at: at))
            default: break
            }
        }
        guard let dataType = ONNXDataType(rawValue: type) else {
            throw ProtobufError(offset: reader.fieldOffset, reason: "tensor '\(name)' has data type \(type), which JetTag does not read")
        }
        self.init(name: name, dataType: dataType, dims: dims, rawData: raw)
    }
}

/// One dimension of a TensorShapeProto: a size or a symbolic name (a dynamic axis).
public enum ONNXDimension: Equatable, Sendable, CustomStringConvertible {
    case value(Int64)
    case parameter(String)

    public var description: String {
        switch self {
        case .value(let size): "\(size)"
        case .parameter(let name): name
        }
    }
}

/// ValueInfoProto of a tensor: name, element type and shape (TypeProto.Tensor with a TensorShapeProto).
public struct ONNXValueInfo: ProtobufMessage, Equatable {
    public var name: String
    public var elementType: ONNXDataType
    public var shape: [ONNXDimension]

    public init(name: String, elementType: ONNXDataType, shape: [ONNXDimension]) {
        (self.name, self.elementType, self.shape) = (name, elementType, shape)
    }

    public func encode(to writer: inout ProtobufWriter) {
        writer.write(1, string: name)
        writer.write(2, message: TypeMessage(elementType: elementType, shape: shape))
    }

    public init(from reader: inout ProtobufReader) throws(ProtobufError) {
        var name = "", type = TypeMessage(elementType: .float, shape: [])
        while let (field, value) = try reader.next() {
            switch field {
            case 1: name = try value.string(at: reader.fieldOffset)
            case 2: type = try value.message(TypeMessage.self, at: reader.fieldOffset)
            default: break
            }
        }
        self.init(name: name, elementType: type.elementType, shape: type.shape)
    }

    /// TypeProto holding its field 1, tensor_type (TypeProto.Tensor: elem_type 1, shape 2).
    private struct TypeMessage: ProtobufMessage {
        var elementType: ONNXDataType
        var shape: [ONNXDimension]

        init(elementType: ONNXDataType, shape: [ONNXDimension]) { (self.elementType, self.shape) = (elementType, shape) }

        func encode(to writer: inout ProtobufWriter) {
            writer.write(1, message: TensorType(elementType: elementType, shape: shape))
        }

        init(from reader: inout ProtobufReader) throws(ProtobufError) {
            self.init(elementType: .float, shape: [])
            var sawTensor = false
            while let (field, value) = try reader.next() {
                if field == 1 {
                    let tensor = try value.message(TensorType.self, at: reader.fieldOffset)
                    (elementType, shape, sawTensor) = (tensor.elementType, tensor.shape, true)
                }
            }
            guard sawTensor else { throw ProtobufError(offset: reader.fieldOffset, reason: "a value that is not a tensor") }
        }
    }

    private struct TensorType: ProtobufMessage {
        var elementType: ONNXDataType
        var shape: [ONNXDimension]

        init(elementType: ONNXDataType, shape: [ONNXDimension]) { (self.elementType, self.shape) = (elementType, shape) }

        func encode(to writer: inout ProtobufWriter) {
            writer.write(1, int64: elementType.rawValue)
            writer.write(2, message: Shape(dimensions: shape))
        }

        init(from reader: inout ProtobufReader) throws(ProtobufError) {
            var type: Int64 = 0, shape: [ONNXDimension] = []
            while let (field, value) = try reader.next() {
                switch field {
                case 1: type = try value.int64(at: reader.fieldOffset)
                case 2: shape = try value.message(Shape.self, at: reader.fieldOffset).dimensions
                default: break
                }
            }
            guard let elementType = ONNXDataType(rawValue: type) else {
                throw ProtobufError(offset: reader.fieldOffset, reason: "element type \(type), which JetTag does not read")
            }
            self.init(elementType: elementType, shape: shape)
        }
    }

    /// TensorShapeProto: repeated Dimension dim = 1; Dimension: dim_value 1 or dim_param 2.
    private struct Shape: ProtobufMessage {
        var dimensions: [ONNXDimension]

        init(dimensions: [ONNXDimension]) { self.dimensions = dimensions }

        func encode(to writer: inout ProtobufWriter) {
            for dimension in dimensions { writer.write(1, message: Dimension(value: dimension)) }
        }

        init(from reader: inout ProtobufReader) throws(ProtobufError) {
            dimensions = []
            while let (field, value) = try reader.next() {
                if field == 1 { dimensions.append(try value.message(Dimension.self, at: reader.fieldOffset).value) }
            }
        }
    }

    private struct Dimension: ProtobufMessage {
        var value: ONNXDimension

        init(value: ONNXDimension) { self.value = value }

        func encode(to writer: inout ProtobufWriter) {
            switch value {
            case .value(let size): writer.write(1, int64: size)
            case .parameter(let name): writer.write(2, string: name)
            }
        }

        init(from reader: inout ProtobufReader) throws(ProtobufError) {
            value = .parameter("?")
            while let (field, fieldValue) = try reader.next() {
                switch field {
                case 1: value = .value(try fieldValue.int64(at: reader.fieldOffset))
                case 2: value = .parameter(try fieldValue.string(at: reader.fieldOffset))
                default: break
                }
            }
        }
    }
}
