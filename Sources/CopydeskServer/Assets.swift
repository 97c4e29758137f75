/// The page served at `GET /` and the OpenAPI document at `GET /openapi.json`: the files in
/// `Assets/`, compiled into the binary by SwiftPM (`embedInCode`), so edits need no extra step.
enum Page {
    static let html = String(decoding: PackageResources.index_html, as: UTF8.self)
}

enum OpenAPIDocument {
    static let json = String(decoding: PackageResources.openapi_json, as: UTF8.self)
}
