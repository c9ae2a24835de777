import CBLAS
import Foundation

/// The vector extensions of the CPU that decide which matrix kernels can run, read with CPUID.
///
/// An extension counts only when the operating system also saves its registers (XCR0): a CPU with AVX-512 under
/// a kernel or hypervisor that does not enable it has, for a program, no AVX-512.
public struct CPUFeatures: Equatable, Sendable {
    /// The vector extensions JetNN distinguishes, named as in `lscpu` (upper case).
    public enum VectorExtension: String, CaseIterable, Comparable, Sendable, Codable {
        case sse3 = "SSE3", avx = "AVX", avx2 = "AVX2", fma = "FMA"
        case avx512f = "AVX512F", avx512bw = "AVX512BW", avx512dq = "AVX512DQ", avx512vl = "AVX512VL"
        case avx512bf16 = "AVX512_BF16"

        public static func < (a: Self, b: Self) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    /// The CPUID vendor string: "GenuineIntel", "AuthenticAMD", or empty off x86.
    public var vendor: String
    /// The CPUID brand string, e.g. "AMD EPYC 9654 96-Core Processor" (empty when the CPU has none).
    public var modelName: String
    /// The display family and model numbers (as `lscpu` prints them).
    public var family: Int
    public var model: Int
    public var extensions: Set<VectorExtension>

    public init(vendor: String, modelName: String = "", family: Int = 0, model: Int = 0, extensions: Set<VectorExtension>) {
        self.vendor = vendor
        self.modelName = modelName
        self.family = family
        self.model = model
        self.extensions = extensions
    }

    public var isAMD: Bool { vendor == "AuthenticAMD" }

    /// AVX-512 as OpenBLAS's SkylakeX kernels need it: F, BW, DQ and VL.
    public var hasAVX512: Bool { extensions.isSuperset(of: [.avx512f, .avx512bw, .avx512dq, .avx512vl]) }
    /// AVX2 with FMA, as the Haswell and Zen kernels need them.
    public var hasAVX2FMA: Bool { extensions.isSuperset(of: [.avx2, .fma]) }

    /// The CPU this process runs on.
    public static let current = CPUFeatures(cpuid: { leaf, subleaf in
        var regs: [UInt32] = [0, 0, 0, 0]
        return jettag_cpuid(leaf, subleaf, &regs) == 0 ? nil : (regs[0], regs[1], regs[2], regs[3])
    }, xcr0: jettag_xcr0())

    /// Decodes CPUID leaves 0, 1, 7 (subleaves 0 and 1) and 0x80000002-4; `cpuid` returns nil for a leaf the CPU
    /// has not got, and `xcr0` is the register states the operating system saves.
    init(cpuid: (UInt32, UInt32) -> (eax: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32)?, xcr0: UInt64) {
        func text(_ words: [UInt32]) -> String {
            let bytes = words.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
            return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        }
        func bit(_ word: UInt32?, _ index: Int) -> Bool { word.map { $0 >> index & 1 == 1 } ?? false }
        let leaf0 = cpuid(0, 0), leaf1 = cpuid(1, 0), leaf7 = cpuid(7, 0), leaf7s1 = cpuid(7, 1)
        let brand = (0x8000_0002...0x8000_0004).compactMap { cpuid(UInt32($0), 0) }
        let signature = leaf1?.eax ?? 0
        let baseFamily = Int(signature >> 8 & 0xF), baseModel = Int(signature >> 4 & 0xF)
        let osSavesAVX = xcr0 & 0b110 == 0b110, osSavesAVX512 = osSavesAVX && xcr0 & 0b1110_0000 == 0b1110_0000
        var extensions: Set<VectorExtension> = []
        let available: [(VectorExtension, Bool)] = [
            (.sse3, bit(leaf1?.ecx, 0)),
            (.avx, osSavesAVX && bit(leaf1?.ecx, 28)), (.fma, osSavesAVX && bit(leaf1?.ecx, 12)),
            (.avx2, osSavesAVX && bit(leaf7?.ebx, 5)),
            (.avx512f, osSavesAVX512 && bit(leaf7?.ebx, 16)), (.avx512dq, osSavesAVX512 && bit(leaf7?.ebx, 17)),
            (.avx512bw, osSavesAVX512 && bit(leaf7?.ebx, 30)), (.avx512vl, osSavesAVX512 && bit(leaf7?.ebx, 31)),
            (.avx512bf16, osSavesAVX512 && (leaf7?.eax ?? 0) >= 1 && bit(leaf7s1?.eax, 5)),
        ]
        for (name, present) in available where present { extensions.insert(name) }
        self.init(
            vendor: leaf0.map { text([$0.ebx, $0.edx, $0.ecx]) } ?? "",
            modelName: brand.count == 3 ? text(brand.flatMap { [$0.eax, $0.ebx, $0.ecx, $0.edx] }) : "",
            family: baseFamily == 0xF ? baseFamily + Int(signature >> 20 & 0xFF) : baseFamily,
            model: baseFamily == 0x6 || baseFamily == 0xF ? baseModel + Int(signature >> 16 & 0xF) << 4 : baseModel,
            extensions: extensions)
    }
}
