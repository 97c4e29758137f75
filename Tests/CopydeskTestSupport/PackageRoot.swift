import Foundation

/// The package root, found from this file's path so tests run from any directory.
package let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
