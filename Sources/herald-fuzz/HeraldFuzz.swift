import Foundation
import HeraldFuzzTargets

#if HERALD_FUZZING
    /// libFuzzer's entry points, compiled by `make fuzz` (`-sanitize=fuzzer` supplies `main`). The target comes from
    /// `HERALD_FUZZ_TARGET`; `HERALD_FUZZ_TARGET=list` prints each target with its `-max_len` and exits.
    private let selectedTarget: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["HERALD_FUZZ_TARGET"] ?? ""
        if let target = FuzzTarget(rawValue: name) { return target }
        if name == "list" {
            for target in FuzzTarget.allCases { print(target.rawValue, target.maxLength) }
            exit(0)
        }
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("HERALD_FUZZ_TARGET must be one of: \(names) (or list)\n".utf8))
        exit(2)
    }()

    @_cdecl("LLVMFuzzerInitialize")
    public func fuzzerInitialize(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
    ) -> CInt {
        _ = selectedTarget
        return 0
    }

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        selectedTarget.run(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
#else
    /// Without the fuzzer: `herald-fuzz <target> <file>...` runs one target on saved inputs (a crash reproducer from
    /// `make fuzz`, a corpus file), so a failure can be replayed in a debugger without sanitizers.
    @main
    struct HeraldFuzzReplay {
        static func main() {
            let arguments = CommandLine.arguments.dropFirst()
            guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
                let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: " | ")
                FileHandle.standardError.write(Data("usage: herald-fuzz <\(names)> <file>...\n".utf8))
                exit(2)
            }
            for path in arguments.dropFirst() {
                guard let data = FileManager.default.contents(atPath: path) else {
                    FileHandle.standardError.write(Data("\(path): cannot read\n".utf8))
                    exit(1)
                }
                target.run(Array(data))
                print("\(path): ok")
            }
        }
    }
#endif
