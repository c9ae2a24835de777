import Foundation

/// A file or directory that could not be created, written, read or moved, in plain words: Foundation's errors
/// (`NSCocoaErrorDomain` with a code and a POSIX error underneath) become "the disk is full", "permission denied",
/// "no such file or directory" and the like, with the path and what was being done.
public struct FileSystemError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file or directory.
    public let path: String
    /// What was being done, e.g. "cannot create the directory".
    public let action: String
    /// What happened, in plain words.
    public let reason: String

    public init(path: String, action: String, reason: String) {
        (self.path, self.action, self.reason) = (path, action, reason)
    }

    /// Wraps the error thrown by a Foundation file operation on `path`.
    public init(path: String, action: String, error: any Error) {
        self.init(path: path, action: action, reason: Self.reason(of: error))
    }

    public var description: String { "\(path): \(action): \(reason)" }

    /// Runs `body`, turning any error it throws into a ``FileSystemError`` for `path`.
    public static func wrapping<T>(path: String, action: String, _ body: () throws -> T) throws(FileSystemError) -> T {
        do { return try body() } catch let error as FileSystemError { throw error } catch {
            throw FileSystemError(path: path, action: action, error: error)
        }
    }

    /// What `error` (a Foundation or POSIX error) says happened, in plain words; never Foundation's raw text.
    public static func reason(of error: any Error) -> String {
        let error = error as NSError
        if error.domain == NSPOSIXErrorDomain { return reason(errno: Int32(error.code)) }
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? any Error {
            let underlying = underlying as NSError
            if underlying.domain == NSPOSIXErrorDomain { return reason(errno: Int32(underlying.code)) }
        }
        guard error.domain == NSCocoaErrorDomain else { return error.localizedDescription }
        switch error.code {
        case CocoaError.fileWriteOutOfSpace.rawValue: return reason(errno: ENOSPC)
        case CocoaError.fileWriteNoPermission.rawValue, CocoaError.fileReadNoPermission.rawValue: return reason(errno: EACCES)
        case CocoaError.fileNoSuchFile.rawValue, CocoaError.fileReadNoSuchFile.rawValue: return reason(errno: ENOENT)
        case CocoaError.fileWriteVolumeReadOnly.rawValue: return reason(errno: EROFS)
        case CocoaError.fileWriteFileExists.rawValue: return reason(errno: EEXIST)
        case CocoaError.fileReadInapplicableStringEncoding.rawValue, CocoaError.fileReadCorruptFile.rawValue:
            return "the file is not UTF-8 text"
        case CocoaError.fileReadTooLarge.rawValue: return "the file is too large to read"
        default: return "the operating system refused it (error \(error.code))"
        }
    }

    /// The plain-words meaning of a POSIX error number.
    public static func reason(errno number: Int32) -> String {
        switch number {
        case ENOSPC: "the disk is full"
        case EDQUOT: "the disk quota is exceeded"
        case EACCES, EPERM: "permission denied"
        case ENOENT: "no such file or directory"
        case ENOTDIR: "a part of the path is a file, not a directory"
        case EISDIR: "it is a directory"
        case EROFS: "the file system is read-only"
        case EEXIST: "a file is already there"
        default: String(cString: strerror(number)).lowercased()
        }
    }
}
